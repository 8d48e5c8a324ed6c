import type { FeaturePipeline } from '../../../../shared/src/schema/pipeline.js';
import type { PredictionOutput, Task, TfjsArtifacts } from '../../../../shared/src/schema/records.js';
import type { Row } from '../../../../shared/src/data/columns.js';

/** What a runtime needs to load a model version: its metadata and its weight bytes. */
export interface LoadableModel {
  task: Task;
  pipeline: FeaturePipeline;
  artifacts: TfjsArtifacts;
  weights: ArrayBuffer;
}

/**
 * The ML runtime seam. TensorFlow.js implements it (tfjs-runtime.ts); an ONNX Runtime Web
 * implementation for imported ONNX models will implement the same interface, so prediction,
 * logging and monitoring never know which runtime ran a model.
 */
export interface ModelRuntime {
  /** Predict rows in their original units; outputs are in the same order. */
  predict(rows: Row[]): Promise<PredictionOutput[]>;
  /** Release the model's memory (tensors, sessions). */
  dispose(): void;
}

/** Map one output vector to what a person reads: the label and class probabilities, or the value. */
export function toOutput(pipeline: FeaturePipeline, out: ArrayLike<number>, offset: number): PredictionOutput {
  const t = pipeline.target;
  if (t.kind === 'categorical') {
    const probabilities: Record<string, number> = {};
    let best = 0;
    t.labels.forEach((l, j) => {
      probabilities[l] = out[offset + j];
      if (out[offset + j] > out[offset + best]) best = j;
    });
    return { label: t.labels[best], probabilities };
  }
  return { value: out[offset] * t.std + t.mean };
}
