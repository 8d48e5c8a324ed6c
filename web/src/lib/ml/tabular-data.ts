import type { ColumnInfo, EvalMetrics, TrainParams } from '@shared/schema/records.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import { decodeRegression, encodeTarget, featureWidth, fitPipeline, transformRows } from '@shared/features/pipeline.js';
import { splitRows } from '@shared/data/split.js';
import { classificationReport } from '@shared/metrics/classification.js';
import { mae, regressionReport } from '@shared/metrics/regression.js';
import type { Row } from '@shared/data/columns.js';

/**
 * What every model family trains and is scored on: the seeded split, the feature pipeline fitted
 * on the training rows only, and both sets through it. Scores are read from raw model outputs
 * (n × k probabilities, or standardised values), so a network, a linear model and a forest are
 * judged by the same code (shared/src/metrics).
 */

export interface Prepared {
  x: Float32Array;
  /** class index, or standardised target */
  y: number[];
}

/** The fitted pipeline and the rows it prepared, as training and evaluation read them. */
export interface Data {
  pipeline: FeaturePipeline;
  trainSet: Prepared;
  valSet: Prepared;
  width: number;
  /** Outputs per row: one per class, or 1. */
  k: number;
  trainRows: number;
  validationRows: number;
}

export function prepare(p: FeaturePipeline, rows: Row[]): Prepared {
  const kept = rows.filter((r) => encodeTarget(p, r) !== null);
  return { x: transformRows(p, kept), y: kept.map((r) => encodeTarget(p, r)!) };
}

/**
 * The split and the prepared sets. With `fitted` (a fine-tune's parent pipeline, or a run carried
 * on), that pipeline is applied instead of fitting one, so starting weights read the same scaling
 * and encoding they were trained with.
 */
export function prepareData(rows: Row[], params: TrainParams, columns: ColumnInfo[], fitted?: FeaturePipeline): Data {
  const { train, validation } = splitRows(rows, params);
  const pipeline = fitted ?? fitPipeline(train, params.features, columns, params.target, params.task);
  return {
    pipeline,
    trainSet: prepare(pipeline, train),
    valSet: prepare(pipeline, validation),
    width: featureWidth(pipeline),
    k: pipeline.target.kind === 'categorical' ? pipeline.target.labels.length : 1,
    trainRows: train.length,
    validationRows: validation.length,
  };
}

/** Mean loss (cross-entropy, or squared error in standardised units) and the metric (accuracy, or MAE in original units). */
export function scoreOutputs(p: FeaturePipeline, set: Prepared, out: ArrayLike<number>): { loss: number; metric: number } {
  if (p.target.kind === 'categorical') {
    const k = p.target.labels.length;
    let loss = 0;
    let hit = 0;
    set.y.forEach((t, i) => {
      loss -= Math.log(Math.max(out[i * k + t], 1e-7));
      let best = 0;
      for (let j = 1; j < k; j++) if (out[i * k + j] > out[i * k + best]) best = j;
      if (best === t) hit++;
    });
    return { loss: loss / set.y.length, metric: hit / set.y.length };
  }
  let loss = 0;
  set.y.forEach((t, i) => (loss += (out[i] - t) ** 2));
  const y = set.y.map((t) => decodeRegression(p, t));
  const yHat = Array.from(out, (v) => decodeRegression(p, v)).slice(0, set.y.length);
  return { loss: loss / set.y.length, metric: mae(y, yHat) };
}

/** The run's figures from raw outputs on a set (the validation rows, or the training rows when there are none). */
export function reportOutputs(p: FeaturePipeline, set: Prepared, out: ArrayLike<number>): EvalMetrics {
  if (p.target.kind === 'categorical') {
    const k = p.target.labels.length;
    const pred = set.y.map((_, i) => {
      let best = 0;
      for (let j = 1; j < k; j++) if (out[i * k + j] > out[i * k + best]) best = j;
      return best;
    });
    return classificationReport(set.y, pred, p.target.labels, out);
  }
  return regressionReport(
    set.y.map((t) => decodeRegression(p, t)),
    Array.from(out, (v) => decodeRegression(p, v)),
  );
}
