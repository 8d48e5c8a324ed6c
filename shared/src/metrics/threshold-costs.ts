// The decision threshold that costs least when a missed positive and a false alarm have prices.
import { searchSorted } from '../stats/numeric.js';

/** The price of each kind of error, in any one unit. */
export interface ThresholdCostOptions {
  /** The cost of one false negative (a positive predicted negative). */
  missCost: number;
  /** The cost of one false positive (a negative predicted positive). */
  falseAlarmCost: number;
}
/** The cheapest threshold, its expected cost per case and its confusion counts. */
export interface ThresholdCostBest {
  threshold: number;
  expectedCost: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}
/** thresholdCosts' answer: every candidate threshold with its cost, and the best. */
export interface ThresholdCosts {
  /** Candidate thresholds, ascending. */
  thresholds: number[];
  /** Expected cost per case at each threshold. */
  expectedCost: number[];
  best: ThresholdCostBest;
}

/** The smallest double greater than x (C's nextafter(x, +Infinity)) for finite x. */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] += x > 0 ? 1n : -1n;
  return f[0];
}

/** Relative slack under which two expected costs count as tied (floating-point noise, e.g. 3 × 0.1 against 0.3). */
const TIE = 1e-12;

/**
 * Expected cost per case of predicting positive when score >= t, at every candidate t:
 * cost(t) = (missCost · FN(t) + falseAlarmCost · FP(t)) / n, the decision-theoretic cost of a
 * cost-sensitive classifier (Elkan 2001, "The Foundations of Cost-Sensitive Learning"). No
 * scikit-learn 1.2 function computes it; the counts at a distinct score are those of `roc_curve`
 * (FP and TP at threshold t, FN = P - TP), and the tests check it against a brute force over every
 * candidate. Candidates, ascending: every distinct score, 0, and the smallest double above the
 * highest score (nobody predicted positive); the lowest candidate predicts everybody positive. The
 * best threshold minimises the cost; costs within 1e-12 relative of the minimum are ties (3 × 0.1
 * and 0.3 differ in the last bit), and a tie goes to the threshold nearest 0.5, then to the lower
 * one. Labels are 1 (positive) and 0. Throws a RangeError for no rows, other labels, non-finite
 * scores, or costs that are negative or not finite.
 */
export function thresholdCosts(yTrue: readonly number[], scores: readonly number[], { missCost, falseAlarmCost }: ThresholdCostOptions): ThresholdCosts {
  const n = yTrue.length;
  if (scores.length !== n) throw new RangeError(`thresholdCosts needs one score per label (${n} and ${scores.length}).`);
  if (n === 0) throw new RangeError('thresholdCosts needs at least one row.');
  for (const c of [missCost, falseAlarmCost]) if (!(Number.isFinite(c) && c >= 0)) throw new RangeError(`A cost is a finite number of at least 0, not ${c}.`);
  for (const y of yTrue) if (y !== 0 && y !== 1) throw new RangeError(`thresholdCosts takes labels 0 and 1, not ${y}.`);
  for (const s of scores) if (!Number.isFinite(s)) throw new RangeError(`thresholdCosts takes finite scores, not ${s}.`);

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const sorted = order.map((i) => scores[i]);
  // positivesBelow[j]: label-1 rows among the j lowest scores.
  const positivesBelow = new Array<number>(n + 1).fill(0);
  for (let j = 0; j < n; j++) positivesBelow[j + 1] = positivesBelow[j] + yTrue[order[j]];
  const positives = positivesBelow[n];

  const candidates = new Set(sorted);
  candidates.add(0);
  candidates.add(nextUp(sorted[n - 1]));
  const thresholds = [...candidates].sort((a, b) => a - b);

  const counts = thresholds.map((t) => {
    const below = searchSorted(sorted, t); // predicted negative
    const fn = positivesBelow[below];
    const tn = below - fn;
    const tp = positives - fn;
    const fp = n - below - tp;
    return { tp, fp, fn, tn };
  });
  const expectedCost = counts.map((c) => (missCost * c.fn + falseAlarmCost * c.fp) / n);

  let min = Infinity;
  for (const c of expectedCost) if (c < min) min = c;
  let best = -1;
  for (let i = 0; i < thresholds.length; i++) {
    if (expectedCost[i] > min + TIE * Math.abs(min)) continue;
    // Ascending thresholds: a strictly nearer one replaces, an equally near (higher) one does not.
    if (best < 0 || Math.abs(thresholds[i] - 0.5) < Math.abs(thresholds[best] - 0.5)) best = i;
  }
  return { thresholds, expectedCost, best: { threshold: thresholds[best], expectedCost: expectedCost[best], ...counts[best] } };
}
