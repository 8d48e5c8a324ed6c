import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { isOutpostError } from '@shared/errors.js';
import { holdOutTest, splitRows } from '@shared/data/split.js';
import { trainModel } from './train.js';
import { train } from './client.js';
import { inProcessWorker } from './in-process-worker.js';
import { loadSample, sampleParams } from './test-data.js';
import type { TrainCheckpoint, TrainResult } from './protocol.js';

// Starting weights (a fine-tune) and carrying on from a checkpoint, on the same training core the
// worker runs, here on TensorFlow.js's CPU backend in Node.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const iris = loadSample('iris');
const cancer = loadSample('breast_cancer');
const floats = (r: TrainResult) => new Float32Array(r.weights);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('carrying on from a checkpoint', () => {
  it('ends with the weights of the run that was never cut off, and leaks no tensors', async () => {
    const params = sampleParams(iris, 'classification', 'species', { epochs: 8, hiddenLayers: [8] });
    const checkpoints: TrainCheckpoint[] = [];
    const whole = await trainModel(iris.rows, params, iris.columns, { onCheckpoint: (c) => checkpoints.push(c), checkpointEveryMs: 0 });
    expect(checkpoints.map((c) => c.epochs.length)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const before = tf.memory().numTensors;
    // Cut off after epoch 3: a new model (other layer names) takes the weights, Adam's state and the epochs done.
    const at3 = checkpoints[2];
    const resumed = await trainModel(iris.rows, params, iris.columns, {
      init: { weightSpecs: at3.weightSpecs, weights: at3.weights, optimizer: at3.optimizer, epochs: at3.epochs, elapsedMs: at3.elapsedMs },
      pipeline: at3.pipeline,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(resumed.epochs.slice(0, 3)).toEqual(whole.epochs.slice(0, 3));
    // Adam's bias correction is recomputed as a power on restore rather than multiplied step by step: equal to float precision.
    expect(maxDiff(floats(resumed), floats(whole))).toBeLessThan(1e-5);
    expect(resumed.epochs.at(-1)!.loss).toBeCloseTo(whole.epochs.at(-1)!.loss, 5);

    // Without the replayed shuffles (or Adam's state) the run would end elsewhere: the property is not trivially true.
    const weightsOnly = await trainModel(iris.rows, params, iris.columns, {
      init: { weightSpecs: at3.weightSpecs, weights: at3.weights },
      pipeline: at3.pipeline,
    });
    expect(maxDiff(floats(weightsOnly), floats(whole))).toBeGreaterThan(1e-3);
  });

  it('posts checkpoints through the worker at most as often as asked, always after the last epoch', async () => {
    const worker = await inProcessWorker(() => import('./train.worker.js'));
    const params = sampleParams(iris, 'classification', 'species', { epochs: 5, hiddenLayers: [4] });
    const seen: number[] = [];
    const r = await train(
      { rows: iris.rows, columns: iris.columns, params, backend: 'cpu', checkpointEveryMs: 60_000 },
      { onCheckpoint: (c) => seen.push(c.epochs.length) },
      worker.create,
    ).promise;
    expect(r.status).toBe('completed');
    expect(seen).toEqual([5]);
    const none: number[] = [];
    await train({ rows: iris.rows, columns: iris.columns, params, backend: 'cpu' }, { onCheckpoint: (c) => none.push(c.epochs.length) }, worker.create).promise;
    expect(none).toEqual([]);
  });

  it('refuses starting weights of another shape, and starting weights for a forest or a linear fit', async () => {
    const params = sampleParams(iris, 'classification', 'species', { epochs: 1, hiddenLayers: [8] });
    const small = await trainModel(iris.rows, { ...params, hiddenLayers: [4] }, iris.columns);
    const init = { weightSpecs: small.artifacts.format === 'tfjs-layers' ? small.artifacts.weightSpecs : [], weights: small.weights };
    const refused = await trainModel(iris.rows, params, iris.columns, { init }).catch((e: unknown) => e);
    expect(isOutpostError(refused) && refused.code).toBe('bad_request');
    expect((refused as Error).message).toMatch(/do not fit this network/);
    for (const family of ['forest', 'linear'] as const) {
      const no = await trainModel(iris.rows, { ...params, family }, iris.columns, { init }).catch((e: unknown) => e);
      expect((no as Error).message).toMatch(/Only a neural network/);
    }
  });
});

describe('fine-tuning', () => {
  it('a child fine-tuned on more rows beats a fresh model trained on them for the same two epochs', async () => {
    const params = sampleParams(cancer, 'classification', 'diagnosis', { hiddenLayers: [16], seed: 7 });
    // Rows A+B; the parent learns from part of their training rows only (A), never their validation rows.
    const ab = holdOutTest(cancer.rows, { ...params, testFraction: 0.2 }).rest as typeof cancer.rows;
    const { train: abTrain } = splitRows(ab, params);
    const a = abTrain.slice(0, Math.floor(abTrain.length * 0.4));
    const parent = await trainModel(a, { ...params, epochs: 30 }, cancer.columns);
    if (parent.artifacts.format !== 'tfjs-layers') throw new Error('not a network');
    const budget = { ...params, epochs: 2 };
    const child = await trainModel(ab, budget, cancer.columns, {
      init: { weightSpecs: parent.artifacts.weightSpecs, weights: parent.weights },
      pipeline: parent.pipeline,
    });
    const fresh = await trainModel(ab, budget, cancer.columns);
    expect(child.validationRows).toBe(fresh.validationRows);
    // The child keeps its parent's pipeline (fitted on A), the fresh model fits its own on A+B.
    expect(child.pipeline).toEqual(parent.pipeline);
    expect(fresh.pipeline).not.toEqual(parent.pipeline);
    const [c, f] = [child.epochs.at(-1)!, fresh.epochs.at(-1)!];
    expect(c.valLoss!).toBeLessThan(f.valLoss!);
    expect(c.valMetric!).toBeGreaterThanOrEqual(f.valMetric!);
    if (child.metrics.task !== 'classification' || fresh.metrics.task !== 'classification') throw new Error('wrong task');
    expect(child.metrics.accuracy).toBeGreaterThan(0.9);
  });
});
