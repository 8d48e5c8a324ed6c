import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { trainPhotoModel, type PhotoSet } from './train-photos.js';
import { mulberry32 } from '@shared/data/random.js';
import { Predictor } from '@shared/runtime/predictor.js';
import { loadTfjs } from '@shared/runtime/tfjs.js';
import { photoItem } from '@shared/images/photos.js';
import type { TrainParams } from '@shared/schema/records.js';

// The photo network on TensorFlow.js's CPU backend in Node, on photos made here: a coloured square
// (red or blue, of a random size and place) on a noisy grey background.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 16;

function squares(n: number, seed: number): PhotoSet {
  const rng = mulberry32(seed);
  const set: PhotoSet = { pixels: [], labels: [] };
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const px = new Uint8Array(SIDE * SIDE * 3);
    for (let j = 0; j < px.length; j++) px[j] = 90 + Math.floor(rng() * 60);
    const size = 5 + Math.floor(rng() * 5);
    const x0 = Math.floor(rng() * (SIDE - size));
    const y0 = Math.floor(rng() * (SIDE - size));
    const colour = label === 0 ? [220, 40, 40] : [40, 60, 220];
    for (let y = y0; y < y0 + size; y++) for (let x = x0; x < x0 + size; x++) px.set(colour, (y * SIDE + x) * 3);
    set.pixels.push(px);
    set.labels.push(label);
  }
  return set;
}

const params: TrainParams = {
  task: 'classification',
  target: 'label',
  features: ['image'],
  epochs: 6,
  batchSize: 16,
  learningRate: 0.005,
  hiddenLayers: [16],
  validationFraction: 0.2,
  testFraction: 0.2,
  seed: 7,
};

describe('the photo network', () => {
  it('tells red squares from blue ones well above chance, answers through the version input, and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const input = { train: squares(64, 1), validation: squares(16, 2), test: squares(20, 3), classes: ['red', 'blue'], side: SIDE, params };
    const r = await trainPhotoModel(input);
    expect(r.status).toBe('completed');
    if (r.metrics.task !== 'classification') throw new Error('wrong task');
    expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0.85); // chance is 0.5
    expect(r.epochs).toHaveLength(6);
    expect(r.artifacts.input).toEqual({ kind: 'tensor', shape: [SIDE, SIDE, 3], scale: 1 / 255, offset: 0, layout: 'nhwc' });
    expect(tf.memory().numTensors).toBe(before);

    // Served as a registered version would be: nested 0–255 pixels in, a label out.
    if (r.artifacts.format !== 'tfjs-layers') throw new Error('photos train a network');
    const predictor = new Predictor({ task: 'classification', pipeline: r.pipeline, artifacts: r.artifacts }, await loadTfjs(r.artifacts, r.weights));
    const test = input.test;
    const out = await predictor.predictTensors(test.pixels.map((p) => photoItem(p, SIDE)));
    const hits = out.filter((o, i) => o.label === input.classes[test.labels[i]]).length;
    expect(hits / test.labels.length).toBeCloseTo(r.metrics.accuracy, 10);
    predictor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed gives the same weights', async () => {
    const input = {
      train: squares(16, 4),
      validation: squares(4, 5),
      test: { pixels: [], labels: [] },
      classes: ['red', 'blue'],
      side: SIDE,
      params: { ...params, epochs: 1 },
    };
    const a = await trainPhotoModel(input);
    const b = await trainPhotoModel(input);
    expect(new Uint8Array(a.weights)).toEqual(new Uint8Array(b.weights));
  });

  it('refuses photos of a single label with a sentence', async () => {
    const one = squares(8, 6);
    await expect(trainPhotoModel({ train: one, validation: one, test: one, classes: ['red'], side: SIDE, params })).rejects.toThrow(
      /at least two different labels/,
    );
  });
});
