import type { FeaturePipeline } from '../schema/pipeline.js';
import { featureRow } from '../features/pipeline.js';
import type { PredictionOutput } from '../schema/records.js';
import { isMissing, toNumber, type Row } from '../data/columns.js';
import { MAX_SLICED_COLUMNS, type EvaluationReport, type SliceEvaluation } from './evaluation-schema.js';
import { evaluateClassification, evaluateRegression } from './evaluation.js';
import { majorityBaseline, meanBaseline } from './baselines.js';
import { classificationSliceMetric, evaluateSlices, regressionSliceMetric, type SliceMetric } from './slices.js';
import { MAX_TEST_SCORES } from './evaluation-schema.js';
import { mulberry32, shuffleInPlace } from '../data/random.js';

/** Binary test rows' (class, positive probability), all of them or a seeded sample of MAX_TEST_SCORES. */
function keptScores(yTrue: number[], probs: number[][], seed: number): [0 | 1, number][] {
  const all = yTrue.map((y, i) => [y === 1 ? 1 : 0, Math.min(1, Math.max(0, probs[i][1]))] as [0 | 1, number]);
  return all.length <= MAX_TEST_SCORES ? all : shuffleInPlace(all, mulberry32(seed ^ 0x5c0)).slice(0, MAX_TEST_SCORES);
}

/** Resamples of each slice's bootstrap interval in a version's report (stated in the report). */
export const REPORT_RESAMPLES = 1000;

export interface ReportInput {
  pipeline: FeaturePipeline;
  /** The held-out test rows, and the model's answers on them in order (from the prediction worker). */
  testRows: Row[];
  outputs: PredictionOutput[];
  /** The training rows (the baseline learns from them: the majority class or the mean). */
  trainRows: Row[];
  seed: number;
}

/**
 * A version's evaluation report on its test rows: every metric of its task (evaluation.ts), the
 * baseline a person would beat by guessing (scikit-learn's DummyClassifier "most_frequent" or
 * DummyRegressor "mean", fitted on the training rows), and accuracy (or MAE) per slice of every
 * input (categories, or quartile bins of numbers) with seeded percentile bootstrap intervals.
 * Rows whose target is missing or not one of the model's labels are left out. Undefined when no
 * test row remains.
 */
export function evaluationReport({ pipeline, testRows, outputs, trainRows, seed }: ReportInput): EvaluationReport | undefined {
  const t = pipeline.target;
  // Every input (up to the schema's bound), each slice with its bootstrap interval.
  // Derived inputs (date parts, text lengths) are sliced on their values, as the model reads them.
  const seen = (rows: Row[]) => (pipeline.version === 1 ? rows : rows.map((r) => ({ ...r, ...featureRow(pipeline, r) })));
  const sliceAll = (rows: Row[], metric: SliceMetric): SliceEvaluation[] =>
    pipeline.features.slice(0, MAX_SLICED_COLUMNS).map((f) => evaluateSlices(seen(rows), f.name, f.kind, metric, { seed, resamples: REPORT_RESAMPLES }));
  if (t.kind === 'categorical') {
    const kept = testRows
      .map((r, i) => ({ r, o: outputs[i], y: isMissing(r[t.name]) ? -1 : t.labels.indexOf(String(r[t.name]).trim()) }))
      .filter((x) => x.y >= 0);
    if (!kept.length) return undefined;
    const yTrue = kept.map((x) => x.y);
    const probs = kept.map((x) => t.labels.map((l) => x.o.probabilities?.[l] ?? 0));
    const yPred = kept.map((x) => Math.max(0, t.labels.indexOf(x.o.label ?? '')));
    const yTrain = trainRows.map((r) => (isMissing(r[t.name]) ? -1 : t.labels.indexOf(String(r[t.name]).trim()))).filter((y) => y >= 0);
    // Accuracy per slice: a slice may hold no positive case at all, where F1 would read 0 for a model that is right every time.
    const metric = classificationSliceMetric(yTrue, yPred, t.labels.length, 'accuracy');
    const slices = sliceAll(
      kept.map((x) => x.r),
      metric,
    );
    return {
      version: 1,
      evaluation: evaluateClassification(yTrue, yPred, probs, t.labels),
      baseline: yTrain.length ? majorityBaseline(yTrain, yTrue, t.labels.length) : null,
      slices,
      ...(t.labels.length === 2 ? { testScores: keptScores(yTrue, probs, seed) } : {}),
    };
  }
  const kept = testRows.map((r, i) => ({ r, yHat: outputs[i].value, y: toNumber(r[t.name]) })).filter((x) => x.y !== null && x.yHat !== undefined);
  if (!kept.length) return undefined;
  const y = kept.map((x) => x.y!);
  const yHat = kept.map((x) => x.yHat!);
  const yTrain = trainRows.map((r) => toNumber(r[t.name])).filter((v): v is number => v !== null);
  const metric = regressionSliceMetric(y, yHat, 'mae');
  return {
    version: 1,
    evaluation: evaluateRegression(y, yHat),
    baseline: yTrain.length ? meanBaseline(yTrain, y) : null,
    slices: sliceAll(
      kept.map((x) => x.r),
      metric,
    ),
  };
}
