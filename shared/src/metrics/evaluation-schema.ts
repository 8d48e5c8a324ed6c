import { z } from 'zod';
import { Count } from '../schema/primitives.js';

/*
 * The evaluation report of a model version on its test split, as it is stored and synced: the
 * figures of evaluation.ts, baselines.ts and slices.ts. Every array is bounded so that one report
 * stays small whatever the size of the split (about 22 KB of JSON for two labels): curves keep at
 * most MAX_CURVE_POINTS points (Largest-Triangle-Three-Buckets, see curves.ts `downsampleIndices`,
 * first and last point kept), the residual plot at most MAX_RESIDUAL_POINTS rows, and labels,
 * slices and sliced columns have caps of their own. Figures that are undefined for the split
 * (ROC AUC with one class present, a slice metric with a NaN resample) are null, because a stored
 * number is always finite.
 */
/** The most points a stored curve keeps (curves.ts `downsampleIndices` cuts longer ones). */
export const MAX_CURVE_POINTS = 200;
/** The most rows a residual plot keeps (evenly spaced in the order of the predictions). */
export const MAX_RESIDUAL_POINTS = 500;
/** The most labels a classification report holds (its confusion matrix is this squared at most). */
export const EVALUATION_MAX_LABELS = 200;
/** The most slices of one column: 100 categories, "(other)" and "(missing)". */
export const MAX_SLICES = 102;
/** The most columns one report is sliced by. */
export const MAX_SLICED_COLUMNS = 50;
/** The most resamples a stored bootstrap may have drawn. */
export const MAX_RESAMPLES = 100_000;

const Finite = z.number().finite();
const Rate = z.number().min(0).max(1);
const Label = z.string().max(200);

const sameLength = (...arrays: unknown[][]) => arrays.every((a) => a.length === arrays[0].length);

/** Precision, recall and F1 of one average (scikit-learn `precision_recall_fscore_support`). */
export const PrecisionRecallF1 = z.object({ precision: Rate, recall: Rate, f1: Rate });

/** scikit-learn 1.2.1 `roc_curve`, downsampled; thresholds[0] is max(score) + 1. */
export const RocCurve = z
  .object({
    fpr: z.array(Rate).min(2).max(MAX_CURVE_POINTS),
    tpr: z.array(Rate).min(2).max(MAX_CURVE_POINTS),
    thresholds: z.array(Finite).min(2).max(MAX_CURVE_POINTS),
  })
  .refine((c) => sameLength(c.fpr, c.tpr, c.thresholds), 'fpr, tpr and thresholds have one value per point.');

/** scikit-learn 1.2.1 `precision_recall_curve`, downsampled; thresholds has one value fewer (the last point has none). */
export const PrecisionRecallCurve = z
  .object({
    precision: z.array(Rate).min(2).max(MAX_CURVE_POINTS),
    recall: z.array(Rate).min(2).max(MAX_CURVE_POINTS),
    thresholds: z
      .array(Finite)
      .min(1)
      .max(MAX_CURVE_POINTS - 1),
  })
  .refine(
    (c) => c.precision.length === c.recall.length && c.thresholds.length === c.precision.length - 1,
    'thresholds has one value fewer than precision and recall.',
  );

/** scikit-learn 1.2.1 `calibration_curve` (empty bins dropped) with each bin's count, and the binning used. */
export const CalibrationCurve = z
  .object({
    probTrue: z.array(Rate).max(MAX_CURVE_POINTS),
    probPred: z.array(Rate).max(MAX_CURVE_POINTS),
    counts: z.array(Count).max(MAX_CURVE_POINTS),
  })
  .refine((c) => sameLength(c.probTrue, c.probPred, c.counts), 'probTrue, probPred and counts have one value per bin.');

/** The bins a calibration curve was computed with (calibration_curve's n_bins and strategy). */
export const CalibrationBinning = z.object({ bins: z.number().int().min(1).max(MAX_CURVE_POINTS), strategy: z.enum(['uniform', 'quantile']) });

/** What only a two-label report has: the positive label's figures and the score curves. */
export const BinaryEvaluation = z.object({
  /** labels[1]. */
  positive: Label,
  precision: Rate,
  recall: Rate,
  f1: Rate,
  /** Null when the split holds one class only (scikit-learn's curve would be NaN). */
  roc: RocCurve.nullable(),
  auc: Rate.nullable(),
  pr: PrecisionRecallCurve,
  averagePrecision: Rate,
  calibration: CalibrationCurve,
  calibrationBinning: CalibrationBinning,
  brier: Rate,
});

/** evaluation.ts `evaluateClassification`: scikit-learn's accuracy, P/R/F1, confusion matrix and log loss, and the binary figures. */
export const ClassificationEvaluation = z.object({
  task: z.literal('classification'),
  n: Count.min(1),
  labels: z.array(Label).min(2).max(EVALUATION_MAX_LABELS),
  accuracy: Rate,
  macro: PrecisionRecallF1,
  weighted: PrecisionRecallF1,
  /** confusion[i][j] = rows whose true label is labels[i] and predicted label is labels[j]. */
  confusion: z.array(z.array(Count).max(EVALUATION_MAX_LABELS)).max(EVALUATION_MAX_LABELS),
  logLoss: z.number().min(0).finite(),
  binary: BinaryEvaluation.nullable(),
});

/** One point of a residual plot: the prediction ŷ and y - ŷ. */
export const ResidualPoint = z.object({ predicted: Finite, residual: Finite });

/** evaluation.ts `evaluateRegression`: scikit-learn's MAE, RMSE and R², and a residual plot. */
export const RegressionEvaluation = z.object({
  task: z.literal('regression'),
  n: Count.min(1),
  mae: z.number().min(0).finite(),
  rmse: z.number().min(0).finite(),
  r2: Finite,
  /** residual = y - ŷ, at most MAX_RESIDUAL_POINTS rows, ordered by prediction. */
  residuals: z.array(ResidualPoint).max(MAX_RESIDUAL_POINTS),
});

/** A classification or a regression evaluation, told apart by `task`. */
export const Evaluation = z.discriminatedUnion('task', [ClassificationEvaluation, RegressionEvaluation]);

/** scikit-learn's DummyClassifier(strategy='most_frequent') scored on the test split. */
export const ClassificationBaseline = z.object({
  strategy: z.literal('most_frequent'),
  /** The class index predicted for every row. */
  prediction: Count,
  accuracy: Rate,
  macro: PrecisionRecallF1,
  weighted: PrecisionRecallF1,
  binary: PrecisionRecallF1.nullable(),
  /** Log loss of the training priors (DummyClassifier strategy='prior'). */
  logLoss: z.number().min(0).finite(),
});

/** scikit-learn's DummyRegressor(strategy='mean') scored on the test split. */
export const RegressionBaseline = z.object({
  strategy: z.literal('mean'),
  prediction: Finite,
  mae: z.number().min(0).finite(),
  rmse: z.number().min(0).finite(),
  r2: Finite,
});

/** A classification or a regression baseline, told apart by `strategy`. */
export const Baseline = z.discriminatedUnion('strategy', [ClassificationBaseline, RegressionBaseline]);

/** The metric a slice report uses (slices.ts `classificationSliceMetric`, `regressionSliceMetric`). */
export const SliceMetricName = z.enum(['accuracy', 'f1', 'mae', 'rmse', 'r2']);

/** One slice's size, metric and percentile bootstrap interval (null where undefined). */
export const SliceResult = z.object({
  name: z.string().max(200),
  n: Count,
  value: Finite.nullable(),
  low: Finite.nullable(),
  high: Finite.nullable(),
});

/** slices.ts `evaluateSlices` for one column: the slices with the bootstrap's level, resample count and seed. */
export const SliceEvaluation = z.object({
  column: z.string().max(200),
  kind: z.enum(['categorical', 'numeric']),
  metric: SliceMetricName,
  level: z.number().gt(0).lt(1),
  resamples: z.number().int().min(1).max(MAX_RESAMPLES),
  seed: z.number().int(),
  slices: z.array(SliceResult).max(MAX_SLICES),
});

/** The whole report; `version` is the version of this schema. */
/** Test rows whose scores a report keeps for choosing a threshold later (a larger split is sampled, seeded). */
export const MAX_TEST_SCORES = 5000;

export const EvaluationReport = z.object({
  version: z.literal(1),
  evaluation: Evaluation,
  baseline: Baseline.nullable(),
  slices: z.array(SliceEvaluation).max(MAX_SLICED_COLUMNS),
  /**
   * Binary only: each test row's true class (0 or 1) and positive-class probability, so that a
   * person can choose the threshold that costs least for prices they name later.
   */
  testScores: z
    .array(z.tuple([z.union([z.literal(0), z.literal(1)]), Rate]))
    .max(MAX_TEST_SCORES)
    .optional(),
});

export type PrecisionRecallF1 = z.infer<typeof PrecisionRecallF1>;
export type RocCurve = z.infer<typeof RocCurve>;
export type PrecisionRecallCurve = z.infer<typeof PrecisionRecallCurve>;
export type CalibrationCurve = z.infer<typeof CalibrationCurve>;
export type CalibrationBinning = z.infer<typeof CalibrationBinning>;
export type BinaryEvaluation = z.infer<typeof BinaryEvaluation>;
export type ClassificationEvaluation = z.infer<typeof ClassificationEvaluation>;
export type ResidualPoint = z.infer<typeof ResidualPoint>;
export type RegressionEvaluation = z.infer<typeof RegressionEvaluation>;
export type Evaluation = z.infer<typeof Evaluation>;
export type ClassificationBaseline = z.infer<typeof ClassificationBaseline>;
export type RegressionBaseline = z.infer<typeof RegressionBaseline>;
export type Baseline = z.infer<typeof Baseline>;
export type SliceMetricName = z.infer<typeof SliceMetricName>;
export type SliceResult = z.infer<typeof SliceResult>;
export type SliceEvaluation = z.infer<typeof SliceEvaluation>;
export type EvaluationReport = z.infer<typeof EvaluationReport>;
