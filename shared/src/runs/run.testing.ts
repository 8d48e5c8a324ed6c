import { Run } from '../schema/records.js';

/** A valid completed classification run; `over` replaces fields, `params` some settings. */
export function testRun(id: string, over: Partial<Run> = {}, params: Partial<Run['params']> = {}): Run {
  return Run.parse({
    id,
    projectId: 'p1',
    datasetId: 'd1',
    datasetHash: 'h',
    status: 'completed',
    params: {
      task: 'classification',
      target: 'species',
      features: ['a', 'b'],
      epochs: 10,
      batchSize: 16,
      learningRate: 0.01,
      hiddenLayers: [16],
      validationFraction: 0.2,
      seed: 1,
      ...params,
    },
    epochs: [
      { epoch: 0, loss: 1, valLoss: 1.1, metric: 0.5, valMetric: 0.4 },
      { epoch: 1, loss: 0.5, valLoss: 0.6, metric: 0.8, valMetric: 0.7 },
    ],
    metrics: {
      task: 'classification',
      accuracy: 0.8,
      f1: 0.7,
      f1Average: 'macro',
      precision: 0.75,
      recall: 0.7,
      labels: ['x', 'y'],
      confusion: [
        [4, 1],
        [1, 4],
      ],
    },
    backend: 'wasm',
    appVersion: '1',
    startedAt: 1_000,
    ...over,
  });
}
