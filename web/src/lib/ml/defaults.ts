import type { Task, TrainParams } from '@shared/schema/records.js';

/**
 * The linear family's settings when a run names none: l2 = 1 is scikit-learn's default (C = 1 for
 * LogisticRegression, alpha = 1 for Ridge). L-BFGS stops well before its cap on tabular sets.
 */
export const LINEAR_DEFAULTS = { l2: 1, maxIter: 500 } as const;

/**
 * The forest's settings when a run names none: fewer and shallower trees than scikit-learn's
 * default (100, unlimited depth) so a phone grows them in seconds and the trees stay a small
 * download: on the sample sets (breast cancer, iris, diabetes) 50 trees of depth 8 scored as well
 * as 100 of unlimited depth, in a third of the bytes or less (docs/model-families.md).
 */
export const FOREST_DEFAULTS = { trees: 50, maxDepth: 8, minLeaf: 1 } as const;

/**
 * Sensible starting hyperparameters for a small tabular dataset on a phone. Batch size shrinks for
 * tiny datasets so each epoch still takes several steps.
 */
export function defaultParams(task: Task, rowCount: number): Omit<TrainParams, 'target' | 'features'> & { task: Task } {
  // Regression overfits small tabular sets with the classification network: on diabetes (442 rows)
  // [32, 16] at 0.01 reached validation R² 0.23–0.34 over three seeds, [16] at 0.003 reached 0.39–0.46.
  const regression = task === 'regression';
  return {
    task,
    epochs: 50,
    batchSize: rowCount < 200 ? 16 : 32,
    learningRate: regression ? 0.003 : 0.01,
    hiddenLayers: regression ? [16] : [32, 16],
    validationFraction: 0.2,
    // Held apart before training for the version's evaluation report (small sets keep a little less).
    testFraction: rowCount < 200 ? 0.1 : 0.15,
    seed: 42,
  };
}
