// Curves of a binary classifier's scores, as scikit-learn 1.2.1 computes them, and the rule that
// shortens a curve for storage.
import { linspace, quantileSorted } from '../stats/index.js';
import { MAX_CURVE_POINTS, type CalibrationCurve, type PrecisionRecallCurve, type RocCurve } from './evaluation-schema.js';
import { searchSorted } from '../stats/numeric.js';

/** Calibration bins of equal width ('uniform') or of equal counts ('quantile'), as scikit-learn's calibration_curve. */
export type CalibrationStrategy = 'uniform' | 'quantile';

function checkBinary(fn: string, yTrue: readonly number[], scores: readonly number[]): void {
  if (scores.length !== yTrue.length) throw new RangeError(`${fn} needs one score per label (${yTrue.length} and ${scores.length}).`);
  if (yTrue.length === 0) throw new RangeError(`${fn} needs at least one row.`);
  for (const y of yTrue) if (y !== 0 && y !== 1) throw new RangeError(`${fn} takes labels 0 and 1, not ${y}.`);
  for (const s of scores) if (!Number.isFinite(s)) throw new RangeError(`${fn} takes finite scores, not ${s}.`);
}

/**
 * scikit-learn's `_binary_clf_curve`: rows sorted by score from the highest down, and at the last
 * row of each run of tied scores the counts of positives (tps) and negatives (fps) scoring at
 * least that score. Counts are whole numbers, so they are exact.
 */
function binaryClfCurve(yTrue: readonly number[], scores: readonly number[]): { fps: number[]; tps: number[]; thresholds: number[] } {
  const n = yTrue.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    tp += yTrue[order[i]];
    if (i === n - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      tps.push(tp);
      fps.push(i + 1 - tp);
      thresholds.push(scores[order[i]]);
    }
  }
  return { fps, tps, thresholds };
}

/**
 * The ROC curve of binary labels (1 positive, 0 negative) and scores, scikit-learn 1.2.1's
 * `roc_curve(y_true, y_score)` with drop_intermediate=True: at each distinct score t, from the
 * highest down, fpr = FP/N and tpr = TP/P counting rows with score >= t; points collinear with both
 * neighbours (zero second difference of both counts) are dropped, and a first point (0, 0) is put
 * in front with threshold max(score) + 1. That is 1.2's convention; scikit-learn 1.3 and later
 * put +Infinity there instead. fpr is all NaN without negatives and tpr all NaN without positives,
 * as scikit-learn has it. Equal to scikit-learn to the last bit (counts are exact, each rate one
 * division). Throws a RangeError for no rows, labels other than 0 and 1, or non-finite scores.
 */
export function rocCurve(yTrue: readonly number[], scores: readonly number[]): RocCurve {
  checkBinary('rocCurve', yTrue, scores);
  let { fps, tps, thresholds } = binaryClfCurve(yTrue, scores);
  if (fps.length > 2) {
    const keep = fps.map((_, i) => i === 0 || i === fps.length - 1 || fps[i - 1] - 2 * fps[i] + fps[i + 1] !== 0 || tps[i - 1] - 2 * tps[i] + tps[i + 1] !== 0);
    fps = fps.filter((_, i) => keep[i]);
    tps = tps.filter((_, i) => keep[i]);
    thresholds = thresholds.filter((_, i) => keep[i]);
  }
  const negatives = fps[fps.length - 1];
  const positives = tps[tps.length - 1];
  return {
    fpr: [0, ...fps].map((f) => (negatives > 0 ? f / negatives : NaN)),
    tpr: [0, ...tps].map((t) => (positives > 0 ? t / positives : NaN)),
    thresholds: [thresholds[0] + 1, ...thresholds],
  };
}

/**
 * The precision-recall curve, scikit-learn 1.2.1's `precision_recall_curve(y_true, probas_pred)`:
 * at each distinct score t, in increasing order, precision = TP/(TP+FP) and recall = TP/P counting
 * rows with score >= t, then a last point with precision 1 and recall 0 that has no threshold (so
 * `thresholds` is one shorter than the other two). Without positives every recall is 1, as
 * scikit-learn sets it. Every threshold is kept (1.2 has no drop_intermediate here). Equal to
 * scikit-learn to the last bit. Throws a RangeError as rocCurve does.
 */
export function precisionRecallCurve(yTrue: readonly number[], scores: readonly number[]): PrecisionRecallCurve {
  checkBinary('precisionRecallCurve', yTrue, scores);
  const { fps, tps, thresholds } = binaryClfCurve(yTrue, scores);
  const positives = tps[tps.length - 1];
  const precision = tps.map((t, i) => t / (t + fps[i])).reverse();
  const recall = tps.map((t) => (positives === 0 ? 1 : t / positives)).reverse();
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds: thresholds.slice().reverse() };
}

/**
 * The calibration (reliability) curve, scikit-learn 1.2.1's `calibration_curve(y_true, y_prob,
 * n_bins=bins, strategy)`, with the count of each bin added. Edges: numpy.linspace(0, 1, bins + 1)
 * for 'uniform'; numpy.percentile(probs, linspace(0, 1, bins + 1) * 100) (linear interpolation) for
 * 'quantile'. A probability p goes to bin searchsorted(inner edges, p), the number of inner edges
 * strictly below p, so a probability on an edge falls in the lower bin. Per bin probTrue = share of
 * label 1 and probPred = mean probability (summed in row order, as numpy.bincount does); empty bins
 * are dropped, as scikit-learn drops them, so the arrays can be shorter than `bins`. Equal to
 * scikit-learn on its reference vectors (the same sums in the same order). Throws a RangeError for
 * no rows, labels other than 0 and 1, probabilities outside [0, 1] or a bin count that is not a
 * positive integer.
 */
export function calibrationCurve(
  yTrue: readonly number[],
  probs: readonly number[],
  { bins = 10, strategy = 'uniform' }: { bins?: number; strategy?: CalibrationStrategy } = {},
): CalibrationCurve {
  checkBinary('calibrationCurve', yTrue, probs);
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`A calibration curve needs a positive whole number of bins, not ${bins}.`);
  for (const p of probs) if (p < 0 || p > 1) throw new RangeError(`calibrationCurve takes probabilities in [0, 1], not ${p}.`);
  const grid = linspace(0, 1, bins + 1);
  let edges = grid;
  if (strategy === 'quantile') {
    const sorted = Float64Array.from(probs).sort();
    edges = grid.map((q) => quantileSorted(sorted, (q * 100) / 100));
  }
  const inner = edges.slice(1, -1);
  const sums = new Array<number>(bins).fill(0);
  const positives = new Array<number>(bins).fill(0);
  const totals = new Array<number>(bins).fill(0);
  for (let i = 0; i < probs.length; i++) {
    const b = searchSorted(inner, probs[i]);
    sums[b] += probs[i];
    positives[b] += yTrue[i];
    totals[b]++;
  }
  const out: CalibrationCurve = { probTrue: [], probPred: [], counts: [] };
  for (let b = 0; b < bins; b++) {
    if (totals[b] === 0) continue;
    out.probTrue.push(positives[b] / totals[b]);
    out.probPred.push(sums[b] / totals[b]);
    out.counts.push(totals[b]);
  }
  return out;
}

/**
 * Which points of a curve to keep so that at most `maxPoints` remain, by Largest-Triangle-Three-
 * Buckets (Steinarsson 2013, "Downsampling Time Series for Visual Representation", the rule
 * uPlot's and Grafana's downsamplers use): the first and the last point are always kept; the points
 * between them are cut, in their order, into maxPoints - 2 buckets of equal length, and from each
 * bucket the point that makes the largest triangle with the point kept before it and the mean of
 * the next bucket is kept (the first such point on a tie). Corners, where a curve turns, make the
 * largest triangles, so the drawn shape survives. A curve that already fits is returned whole.
 * Returns ascending indices into the curve, so companion arrays (thresholds) can be cut alike.
 */
export function downsampleIndices(xs: readonly number[], ys: readonly number[], maxPoints = MAX_CURVE_POINTS): number[] {
  const n = xs.length;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new RangeError(`A curve keeps at least 2 points, not ${maxPoints}.`);
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = maxPoints - 2;
  const size = (n - 2) / buckets;
  const kept = [0];
  let a = 0;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor(b * size) + 1;
    const end = Math.floor((b + 1) * size) + 1;
    // Mean of the next bucket (the last point, for the last bucket).
    const nextStart = end;
    const nextEnd = b === buckets - 1 ? n : Math.floor((b + 2) * size) + 1;
    let mx = 0;
    let my = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      mx += xs[i];
      my += ys[i];
    }
    mx /= nextEnd - nextStart;
    my /= nextEnd - nextStart;
    let best = start;
    let bestArea = -1;
    for (let i = start; i < end; i++) {
      const area = Math.abs((xs[a] - mx) * (ys[i] - ys[a]) - (xs[a] - xs[i]) * (my - ys[a]));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}

/** rocCurve's points cut to at most `maxPoints` by downsampleIndices (fpr as x, tpr as y). */
export function downsampleRoc(curve: RocCurve, maxPoints = MAX_CURVE_POINTS): RocCurve {
  const keep = downsampleIndices(curve.fpr, curve.tpr, maxPoints);
  return { fpr: keep.map((i) => curve.fpr[i]), tpr: keep.map((i) => curve.tpr[i]), thresholds: keep.map((i) => curve.thresholds[i]) };
}

/**
 * precisionRecallCurve's points cut to at most `maxPoints` by downsampleIndices (recall as x,
 * precision as y). The last point (recall 0, precision 1) has no threshold and is always kept, so
 * `thresholds` stays one shorter than the other two.
 */
export function downsamplePrecisionRecall(curve: PrecisionRecallCurve, maxPoints = MAX_CURVE_POINTS): PrecisionRecallCurve {
  const keep = downsampleIndices(curve.recall, curve.precision, maxPoints);
  return {
    precision: keep.map((i) => curve.precision[i]),
    recall: keep.map((i) => curve.recall[i]),
    thresholds: keep.slice(0, -1).map((i) => curve.thresholds[i]),
  };
}
