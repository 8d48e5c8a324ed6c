import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { DenseTrainer, engineFor, newNetworkTrainer, WASM_JS_LIMIT } from './train-step.js';
import { mulberry32 } from '@shared/data/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A 5-8-4-k network compiled as tfjs-layers would train it, and random rows for it. */
function setUp(task: 'classification' | 'regression', n = 20) {
  const k = task === 'classification' ? 3 : 1;
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [5], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tfl.layers.dense({ units: 4, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  model.add(
    tfl.layers.dense({
      units: k,
      activation: task === 'classification' ? 'softmax' : 'linear',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      biasInitializer: 'ones',
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: task === 'classification' ? 'categoricalCrossentropy' : 'meanSquaredError' });
  const rng = mulberry32(9);
  const x = Float32Array.from({ length: n * 5 }, () => rng() * 4 - 2);
  const y = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    if (task === 'classification') y[i * k + Math.floor(rng() * k)] = 1;
    else y[i] = rng() * 2 - 1;
  }
  return { model, x, y, n, k };
}

const flat = (ts: tf.Tensor[]) => Float32Array.from(ts.flatMap((t) => Array.from(t.dataSync())));
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('the dense training step', () => {
  for (const task of ['classification', 'regression'] as const) {
    it(`takes the steps tfjs-layers' trainOnBatch with Adam takes (${task}), with the same summed loss, and frees its tensors`, async () => {
      const before = tf.memory().numTensors;
      const { model, x, y, n, k } = setUp(task);
      const trainer = new DenseTrainer(
        model.weights.map((w) => w.read()),
        task === 'classification' ? 'softmax' : 'linear',
        0.01,
        x,
        y,
        n,
      );
      const order = Array.from({ length: n }, (_, i) => (i * 7) % n);
      let expectedLoss = 0;
      for (let epoch = 0; epoch < 3; epoch++) {
        trainer.beginEpoch(order, 8);
        for (let start = 0; start < n; start += 8) {
          trainer.step(start);
          const idx = order.slice(start, start + 8);
          const xb = tf.tensor2d(
            idx.flatMap((r) => Array.from(x.subarray(r * 5, r * 5 + 5))),
            [idx.length, 5],
          );
          const yb = tf.tensor2d(
            idx.flatMap((r) => Array.from(y.subarray(r * k, r * k + k))),
            [idx.length, k],
          );
          expectedLoss += ((await model.trainOnBatch(xb, yb)) as number) * idx.length;
          tf.dispose([xb, yb]);
        }
        const loss = trainer.endEpoch();
        // Summed in float32 on the backend, against a sum of per-batch means in float64.
        expect(Math.abs(loss - expectedLoss) / expectedLoss).toBeLessThan(1e-5);
        expectedLoss = 0;
      }
      const ours = trainer.weights();
      expect(maxDiff(flat(ours), flat(model.weights.map((w) => w.read())))).toBeLessThan(1e-5);
      const adam = trainer.adamState();
      const theirs = await model.optimizer.getWeights();
      expect(adam.iterations).toBe(theirs[0].tensor.dataSync()[0]);
      expect(maxDiff(flat([...adam.firstMoments, ...adam.secondMoments]), flat(theirs.slice(1).map((w) => w.tensor)))).toBeLessThan(1e-5);
      // Predictions use the ops the layers model predicts with: the same numbers.
      const all = tf.tensor2d(x, [n, 5]);
      model.setWeights(ours);
      const predicted = model.predict(all) as tf.Tensor;
      expect(Array.from(trainer.outputs(all))).toEqual(Array.from(predicted.dataSync()));
      tf.dispose([...ours, ...adam.firstMoments, ...adam.secondMoments, theirs[0].tensor, all, predicted]);
      trainer.dispose();
      model.optimizer.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  for (const task of ['classification', 'regression'] as const) {
    it(`takes in plain TypeScript the steps it takes on TensorFlow.js (${task}), and the saved model predicts what it computes`, () => {
      const before = tf.memory().numTensors;
      const { model, x, y, n } = setUp(task, 21);
      const nVal = 6;
      const valX = x.slice(0, nVal * 5);
      const make = (engine: 'js' | 'tfjs') =>
        newNetworkTrainer({
          engine,
          weights: model.weights.map((w) => w.read()),
          output: task === 'classification' ? 'softmax' : 'linear',
          learningRate: 0.01,
          x,
          y,
          n,
          valX,
          nVal,
        });
      const js = make('js');
      const ref = make('tfjs');
      expect([js.engine, ref.engine]).toEqual(['js', 'tfjs']);
      const rng = mulberry32(4);
      const order = Array.from({ length: n }, (_, i) => i);
      for (let epoch = 0; epoch < 3; epoch++) {
        order.sort(() => rng() - 0.5);
        for (const t of [js, ref]) {
          t.beginEpoch(order, 8);
          for (let start = 0; start < n; start += 8) t.step(start);
        }
        const [a, b] = [js.endEpoch(), ref.endEpoch()];
        expect(Math.abs(a - b) / b).toBeLessThan(1e-5);
        // What the epoch's batches scored: the same hits, or the same summed absolute error.
        const [sa, sb] = [js.epochScore(), ref.epochScore()];
        if (task === 'classification') expect(sa).toBe(sb);
        else expect(Math.abs(sa - sb) / sb).toBeLessThan(1e-5);
        expect(sb).toBeGreaterThan(0);
      }
      const [ours, theirs] = [js.weights(), ref.weights()];
      expect(maxDiff(flat(ours), flat(theirs))).toBeLessThan(1e-5);
      const [sa, sb] = [js.adamState(), ref.adamState()];
      expect(sa.iterations).toBe(sb.iterations);
      expect(maxDiff(flat([...sa.firstMoments, ...sa.secondMoments]), flat([...sb.firstMoments, ...sb.secondMoments]))).toBeLessThan(1e-5);
      expect(maxDiff(js.trainOutputs(), ref.trainOutputs())).toBeLessThan(1e-5);
      expect(maxDiff(js.valOutputs(), ref.valOutputs())).toBeLessThan(1e-5);
      // The weights go into the layers model that is saved: it predicts what the trainer's forward pass gives.
      model.setWeights(ours);
      const all = tf.tensor2d(x, [n, 5]);
      const predicted = model.predict(all) as tf.Tensor;
      expect(maxDiff(js.trainOutputs(), predicted.dataSync() as Float32Array)).toBeLessThan(1e-6);
      tf.dispose([...ours, ...theirs, ...sa.firstMoments, ...sa.secondMoments, ...sb.firstMoments, ...sb.secondMoments, all, predicted]);
      js.dispose();
      ref.dispose();
      model.optimizer.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('steps in plain TypeScript on the CPU backend and on WASM up to a size, on TensorFlow.js on a GPU', () => {
    expect(engineFor('cpu', 1e7)).toBe('js');
    expect(engineFor('wasm', 1586)).toBe('js');
    expect(engineFor('wasm', WASM_JS_LIMIT + 1)).toBe('tfjs');
    expect(engineFor('webgl', 1586)).toBe('tfjs');
    expect(engineFor('webgpu', 1586)).toBe('tfjs');
  });
});
