import type { PredictionOutput } from '@shared/schema/records.js';
import type { Row } from '@shared/data/columns.js';

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

export { outputWidth, toOutput } from '@shared/features/model-io.js';
