import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import type { PredictionOutput } from '@shared/schema/records.js';
import type { Row } from '@shared/data/columns.js';
import { decodeRegression } from '@shared/features/pipeline.js';

export type { LoadableModel } from './protocol.js';

/**
 * The ML runtime seam. TensorFlow.js implements it (tfjs-runtime.ts). An ONNX Runtime Web
 * implementation (onnx-runtime.ts, for imported ONNX models; not built yet) will implement the
 * same interface and run the same contract tests, so prediction, logging and monitoring never
 * know which runtime ran a model.
 */
export interface ModelRuntime {
  /** Predict rows in their original units; outputs are in the same order. */
  predict(rows: Row[]): Promise<PredictionOutput[]>;
  /** Release the model's memory (tensors, sessions). */
  dispose(): void;
}

/** Values the network emits per row: one per class, or one for a regression. */
export function outputWidth(pipeline: FeaturePipeline): number {
  return pipeline.target.kind === 'categorical' ? pipeline.target.labels.length : 1;
}

/**
 * Map one output vector to what a person reads: the label and class probabilities, or the value.
 * The label is the most probable class, or for a binary model with a decision threshold, the
 * positive class (labels[1]) when its probability reaches the threshold.
 */
export function toOutput(pipeline: FeaturePipeline, out: ArrayLike<number>, offset: number, threshold?: number): PredictionOutput {
  const t = pipeline.target;
  if (t.kind === 'categorical') {
    const probabilities: Record<string, number> = {};
    let best = 0;
    t.labels.forEach((l, j) => {
      probabilities[l] = out[offset + j];
      if (out[offset + j] > out[offset + best]) best = j;
    });
    if (threshold !== undefined && t.labels.length === 2) best = out[offset + 1] >= threshold ? 1 : 0;
    return { label: t.labels[best], probabilities };
  }
  return { value: decodeRegression(pipeline, out[offset]) };
}
