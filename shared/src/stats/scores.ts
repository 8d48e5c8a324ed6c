// Scores of a binary classifier's probabilities, as scikit-learn 1.2.1 computes them.
import { pairwiseSum } from './numeric.js';

/**
 * Average precision, scikit-learn's average_precision_score(yTrue, scores) for binary labels with
 * positive label 1: AP = sum_n (R_n - R_(n-1)) P_n over the distinct score thresholds from the
 * highest down (tied scores form one threshold), the step-function area under the precision-recall
 * curve without interpolation (sklearn's `_binary_uninterpolated_average_precision` over
 * precision_recall_curve). With no positive label scikit-learn 1.2 warns and returns 0; so does
 * this. NaN for no rows; throws a RangeError when the lists differ in length.
 */
export function averagePrecision(yTrue: readonly number[], scores: readonly number[]): number {
  const n = yTrue.length;
  if (scores.length !== n) throw new RangeError(`averagePrecision needs one score per label (${n} and ${scores.length}).`);
  if (n === 0) return NaN;
  // sklearn: argsort(scores, kind='mergesort')[::-1]; ties are grouped, so their order does not matter.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  for (let i = 0; i < n; i++) {
    if (yTrue[order[i]] === 1) tp++;
    if (i === n - 1 || scores[order[i + 1]] !== scores[order[i]]) {
      tps.push(tp);
      fps.push(i + 1 - tp);
    }
  }
  const last = tps.length - 1;
  // Reversed, as precision_recall_curve returns them, with precision 1 and recall 0 appended.
  const precision = tps.map((_, k) => tps[last - k] / (tps[last - k] + fps[last - k]));
  const recall = tps.map((_, k) => (tps[last] === 0 ? 1 : tps[last - k] / tps[last]));
  precision.push(1);
  recall.push(0);
  const terms = recall.slice(1).map((r, k) => (r - recall[k]) * precision[k]);
  return -pairwiseSum(terms);
}

/**
 * The Brier score, scikit-learn's brier_score_loss(yTrue, scores) for binary labels with positive
 * label 1: mean((y - p)^2) with y = 1 for label 1 and 0 otherwise, averaged in numpy's order.
 * As scikit-learn does, throws a RangeError for a probability outside [0, 1] (or lists of different
 * lengths). NaN for no rows.
 */
export function brierScore(yTrue: readonly number[], scores: readonly number[]): number {
  const n = yTrue.length;
  if (scores.length !== n) throw new RangeError(`brierScore needs one probability per label (${n} and ${scores.length}).`);
  if (n === 0) return NaN;
  if (scores.some((p) => p > 1)) throw new RangeError('A probability is greater than 1.');
  if (scores.some((p) => p < 0)) throw new RangeError('A probability is less than 0.');
  return pairwiseSum(yTrue.map((y, i) => ((y === 1 ? 1 : 0) - scores[i]) ** 2)) / n;
}
