// Test support: valid records for the device's database.
import type { Prediction, Run } from '@shared/schema/records.js';
import { newId } from './mutate.js';

/** A valid logged prediction (a new id each time), with any fields given. */
export const loggedPrediction = (fields: Partial<Prediction> = {}): Prediction => ({
  id: newId(),
  projectId: 'p',
  modelVersionId: 'm',
  inputs: { x: 1 },
  output: { value: 1 },
  latencyMs: 0,
  source: 'form',
  createdAt: 0,
  ...fields,
});

/** A completed run of a one-input yes/no model (input x, labels a and b), with the given hidden layers. */
export const completedRun = (projectId: string, hiddenLayers: number[] = []): Run => ({
  id: newId(),
  projectId,
  datasetId: 'd',
  datasetHash: 'h'.repeat(64),
  status: 'completed',
  params: {
    task: 'classification',
    target: 'y',
    features: ['x'],
    epochs: 1,
    batchSize: 8,
    learningRate: 0.01,
    hiddenLayers,
    validationFraction: 0.2,
    seed: 1,
  },
  epochs: [],
  backend: 'cpu',
  appVersion: 't',
  startedAt: 0,
  pipeline: {
    version: 1,
    features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
    target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] },
  },
});
