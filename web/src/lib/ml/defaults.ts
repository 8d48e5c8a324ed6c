import type { Task, TrainParams } from '../../../../shared/src/schema/records.js';

/**
 * Sensible starting hyperparameters for a small tabular dataset on a phone. Batch size shrinks for
 * tiny datasets so each epoch still takes several steps.
 */
export function defaultParams(task: Task, rowCount: number): Omit<TrainParams, 'target' | 'features'> & { task: Task } {
  return {
    task,
    epochs: 50,
    batchSize: rowCount < 200 ? 16 : 32,
    learningRate: 0.01,
    hiddenLayers: [32, 16],
    validationFraction: 0.2,
    seed: 42,
  };
}
