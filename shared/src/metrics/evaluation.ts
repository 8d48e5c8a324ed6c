// The figures of a model version on its test split, ready to store (evaluation-schema.ts).
import { averagePrecision, brierScore } from '../stats/index.js';
import { accuracy, confusionMatrix, logLoss, precisionRecallF1 } from './classification.js';
import { calibrationCurve, downsamplePrecisionRecall, downsampleRoc, precisionRecallCurve, rocCurve, type CalibrationStrategy } from './curves.js';
import {
  EVALUATION_MAX_LABELS,
  MAX_CURVE_POINTS,
  MAX_RESIDUAL_POINTS,
  type BinaryEvaluation,
  type ClassificationEvaluation,
  type RegressionEvaluation,
  type ResidualPoint,
} from './evaluation-schema.js';
import { rocAuc } from './roc.js';
import { mae, r2, rmse } from './regression.js';

/** The calibration bins and the stored curves' length of evaluateClassification. */
export interface ClassificationEvaluationOptions {
  /** Bins of the calibration curve (10 unless told). */
  calibrationBins?: number;
  /** 'uniform' (unless told) or 'quantile' bins, as scikit-learn's calibration_curve. */
  calibrationStrategy?: CalibrationStrategy;
  /** The most points a stored curve keeps (MAX_CURVE_POINTS, 200, unless told). */
  maxCurvePoints?: number;
}

/**
 * Everything a classification report holds for class indices yTrue and yPred (0..k-1, k =
 * labels.length) and row-major probabilities probs (n rows of k, row i the model's probability of
 * each label): accuracy (scikit-learn `accuracy_score`); the confusion matrix (`confusion_matrix`
 * with labels 0..k-1); macro and weighted precision, recall and F1 (`precision_recall_fscore_support`
 * with labels 0..k-1 and zero_division=0, so a label never predicted or never present counts 0);
 * log loss (`log_loss` with labels 0..k-1, eps-clipped). With two labels also the figures of the
 * positive label labels[1] (average='binary') and, from the scores probs[i][1]: `roc_curve` with
 * `roc_auc_score` (null when the split has one class only), `precision_recall_curve` with
 * `average_precision_score`, `calibration_curve` with each bin's count, and `brier_score_loss`.
 * AUC, average precision and Brier score come from every row; the stored curves are cut to at most
 * maxCurvePoints points by Largest-Triangle-Three-Buckets (curves.ts `downsampleIndices`, first and
 * last points kept), so a short curve is exactly scikit-learn's. Agrees with scikit-learn 1.2.1 to
 * 1e-9 (most figures to the last bit). Throws a RangeError for no rows, fewer than 2 or more than
 * EVALUATION_MAX_LABELS labels, lists of different lengths, a class index out of range, or a
 * probability row that is not k numbers in [0, 1].
 */
export function evaluateClassification(
  yTrue: readonly number[],
  yPred: readonly number[],
  probs: readonly (readonly number[])[],
  labels: readonly string[],
  { calibrationBins = 10, calibrationStrategy = 'uniform', maxCurvePoints = MAX_CURVE_POINTS }: ClassificationEvaluationOptions = {},
): ClassificationEvaluation {
  const n = yTrue.length;
  const k = labels.length;
  if (n === 0) throw new RangeError('An evaluation needs at least one test row.');
  if (k < 2 || k > EVALUATION_MAX_LABELS) throw new RangeError(`A classification report holds 2 to ${EVALUATION_MAX_LABELS} labels, not ${k}.`);
  if (yPred.length !== n || probs.length !== n)
    throw new RangeError(`One prediction and one probability row per test row (${n}, ${yPred.length}, ${probs.length}).`);
  for (const y of [...yTrue, ...yPred]) if (!Number.isInteger(y) || y < 0 || y >= k) throw new RangeError(`A class index lies in 0..${k - 1}, not ${y}.`);
  for (const row of probs) {
    if (row.length !== k) throw new RangeError(`Each probability row has ${k} values, one per label, not ${row.length}.`);
    for (const p of row) if (!(p >= 0 && p <= 1)) throw new RangeError(`A probability lies in [0, 1], not ${p}.`);
  }
  const yt = [...yTrue];
  const yp = [...yPred];
  const cm = confusionMatrix(yt, yp, k);
  const flat = probs.flat();
  return {
    task: 'classification',
    n,
    labels: [...labels],
    accuracy: accuracy(yt, yp),
    macro: precisionRecallF1(cm, 'macro'),
    weighted: precisionRecallF1(cm, 'weighted'),
    confusion: cm,
    logLoss: logLoss(yt, flat, k),
    binary: k === 2 ? binaryFigures(yt, cm, probs, labels[1], calibrationBins, calibrationStrategy, maxCurvePoints) : null,
  };
}

function binaryFigures(
  yTrue: number[],
  cm: number[][],
  probs: readonly (readonly number[])[],
  positive: string,
  bins: number,
  strategy: CalibrationStrategy,
  maxPoints: number,
): BinaryEvaluation {
  const scores = probs.map((row) => row[1]);
  const both = yTrue.some((y) => y === 1) && yTrue.some((y) => y === 0);
  return {
    positive,
    ...precisionRecallF1(cm, 'binary', 1),
    roc: both ? downsampleRoc(rocCurve(yTrue, scores), maxPoints) : null,
    auc: both ? rocAuc(yTrue, scores) : null,
    pr: downsamplePrecisionRecall(precisionRecallCurve(yTrue, scores), maxPoints),
    averagePrecision: averagePrecision(yTrue, scores),
    calibration: calibrationCurve(yTrue, scores, { bins, strategy }),
    calibrationBinning: { bins, strategy },
    brier: brierScore(yTrue, scores),
  };
}

/**
 * A regression report for truths y and predictions yHat: MAE, RMSE and R² (scikit-learn
 * `mean_absolute_error`, `mean_squared_error(squared=False)`, `r2_score`; agreeing to 1e-9) and
 * the points of a residual plot, residual = y - ŷ against ŷ. The plot keeps every row up to
 * maxResidualPoints (500 unless told); above that the rows are ordered by prediction (ties by row)
 * and the ones at positions round(j (n - 1) / (m - 1)), j = 0..m-1, are kept, so the plot spans the
 * lowest to the highest prediction with the rows spread as the predictions are. Points are ordered
 * by prediction. Throws a RangeError for no rows, lists of different lengths or a value that is not
 * a finite number.
 */
export function evaluateRegression(y: readonly number[], yHat: readonly number[], maxResidualPoints = MAX_RESIDUAL_POINTS): RegressionEvaluation {
  const n = y.length;
  if (n === 0) throw new RangeError('An evaluation needs at least one test row.');
  if (yHat.length !== n) throw new RangeError(`One prediction per test row (${n} and ${yHat.length}).`);
  for (const v of [...y, ...yHat]) if (!Number.isFinite(v)) throw new RangeError(`A regression report takes finite numbers, not ${v}.`);
  const yt = [...y];
  const yh = [...yHat];
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => yh[a] - yh[b] || a - b);
  const m = Math.min(n, maxResidualPoints);
  const picked = m === n ? order : Array.from({ length: m }, (_, j) => order[m === 1 ? 0 : Math.round((j * (n - 1)) / (m - 1))]);
  const residuals: ResidualPoint[] = picked.map((i) => ({ predicted: yh[i], residual: yt[i] - yh[i] }));
  return { task: 'regression', n, mae: mae(yt, yh), rmse: rmse(yt, yh), r2: r2(yt, yh), residuals };
}
