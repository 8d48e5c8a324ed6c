import type { TrainParams } from '@shared/schema/records.js';

/** Starting settings for the photo network: a few photos per class, trained a little longer than a table. */
export function photoParams(labelColumn: string): TrainParams {
  return {
    task: 'classification',
    target: labelColumn,
    features: ['image'],
    epochs: 15,
    batchSize: 16,
    learningRate: 0.003,
    hiddenLayers: [32],
    validationFraction: 0.2,
    testFraction: 0.15,
    seed: 42,
  };
}

/**
 * The classes a run learns: the dataset's list in its order, then any other label found on a
 * photo (from another device), keeping only those some photo has.
 */
export function runClasses(listed: string[], present: string[]): string[] {
  const have = new Set(present);
  return [...new Set([...listed, ...[...have].sort()])].filter((l) => have.has(l));
}
