import type { ClassificationMetrics } from '../schema/records.js';

/** Fraction of predictions equal to the truth (scikit-learn `accuracy_score`). */
export function accuracy(yTrue: number[], yPred: number[]): number {
  if (yTrue.length === 0) return 0;
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/**
 * Confusion matrix C over class indices 0..k-1, C[i][j] = rows with true class i predicted as j
 * (scikit-learn `confusion_matrix` with labels = 0..k-1).
 */
export function confusionMatrix(yTrue: number[], yPred: number[], k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

export type Average = 'binary' | 'macro' | 'weighted' | 'micro';
export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

const div = (a: number, b: number) => (b === 0 ? 0 : a / b);

/**
 * Precision, recall and F1 as scikit-learn's `precision_recall_fscore_support` with
 * zero_division=0: per class p = TP/(TP+FP), r = TP/(TP+FN), F1 = 2pr/(p+r); 'binary' reports the
 * positive class, 'macro' the unweighted mean over classes, 'weighted' the mean weighted by each
 * class's true count, 'micro' the global counts (equal to accuracy for single-label data).
 */
export function precisionRecallF1(cm: number[][], average: Average, positive = 1): Prf {
  const k = cm.length;
  const tp = cm.map((row, i) => row[i]);
  const predicted = cm[0]?.map((_, j) => cm.reduce((s, row) => s + row[j], 0)) ?? [];
  const actual = cm.map((row) => row.reduce((s, v) => s + v, 0));
  const per = tp.map((t, i) => {
    const p = div(t, predicted[i]);
    const r = div(t, actual[i]);
    return { precision: p, recall: r, f1: div(2 * p * r, p + r) };
  });
  if (average === 'binary') return per[positive] ?? { precision: 0, recall: 0, f1: 0 };
  if (average === 'micro') {
    const t = tp.reduce((a, b) => a + b, 0);
    const n = actual.reduce((a, b) => a + b, 0);
    const p = div(t, n);
    return { precision: p, recall: p, f1: p };
  }
  const total = actual.reduce((a, b) => a + b, 0);
  const w = per.map((_, i) => (average === 'macro' ? 1 / k : div(actual[i], total)));
  const sum = (f: (x: Prf) => number) => per.reduce((s, x, i) => s + w[i] * f(x), 0);
  return { precision: sum((x) => x.precision), recall: sum((x) => x.recall), f1: sum((x) => x.f1) };
}

/**
 * Mean negative log-likelihood of the true class (scikit-learn `log_loss`): probabilities are
 * clipped to [eps, 1 - eps] with eps the float64 machine epsilon, then each row renormalised.
 * `probs` is row-major n x k.
 */
export function logLoss(yTrue: number[], probs: ArrayLike<number>, k: number): number {
  const eps = 2.220446049250313e-16;
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    let rowSum = 0;
    for (let j = 0; j < k; j++) rowSum += Math.min(Math.max(probs[i * k + j], eps), 1 - eps);
    const p = Math.min(Math.max(probs[i * k + yTrue[i]], eps), 1 - eps) / rowSum;
    total -= Math.log(p);
  }
  return yTrue.length ? total / yTrue.length : 0;
}

/**
 * The metrics a run records: accuracy, precision, recall and F1 (binary with the positive class
 * labels[1] when there are two labels, macro otherwise), the confusion matrix and, given
 * probabilities, the log loss.
 */
export function classificationReport(yTrue: number[], yPred: number[], labels: string[], probs?: ArrayLike<number>): ClassificationMetrics {
  const cm = confusionMatrix(yTrue, yPred, labels.length);
  const f1Average = labels.length === 2 ? 'binary' : 'macro';
  const prf = precisionRecallF1(cm, f1Average, 1);
  return {
    task: 'classification',
    accuracy: accuracy(yTrue, yPred),
    f1: prf.f1,
    f1Average,
    precision: prf.precision,
    recall: prf.recall,
    labels,
    confusion: cm,
    logLoss: probs ? logLoss(yTrue, probs, labels.length) : undefined,
  };
}
