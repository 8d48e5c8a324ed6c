import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import Papa from 'papaparse';
import { readFileSync } from 'node:fs';
import { inferColumns } from '../../../../shared/src/data/columns.js';
import type { TrainParams } from '../../../../shared/src/schema/records.js';
import { trainModel } from './train.js';
import { TfjsRuntime } from './tfjs-runtime.js';
import { defaultParams } from './defaults.js';

// The same training core the worker runs, here on TensorFlow.js's CPU backend in Node.
function load(name: string) {
  const text = readFileSync(new URL(`../../../public/samples/${name}`, import.meta.url), 'utf8');
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' });
  const names = parsed.meta.fields!;
  return { rows: parsed.data, columns: inferColumns(parsed.data, names), names };
}

function params(task: TrainParams['task'], target: string, names: string[], rows: number, over: Partial<TrainParams> = {}): TrainParams {
  return { ...defaultParams(task, rows), target, features: names.filter((n) => n !== target), ...over };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training', () => {
  it('learns iris (3 classes) and leaves no tensors behind', async () => {
    const d = load('iris.csv');
    const before = tf.memory().numTensors;
    const r = await trainModel(d.rows, d.columns, params('classification', 'species', d.names, d.rows.length, { epochs: 40 }));
    expect(r.status).toBe('completed');
    expect(r.metrics.task === 'classification' && r.metrics.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(r.trainRows + r.validationRows).toBe(150);
    expect(r.validationRows).toBe(30);
    expect(r.epochs).toHaveLength(40);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('learns breast cancer (binary) to at least 0.93 validation accuracy', async () => {
    const d = load('breast_cancer.csv');
    const r = await trainModel(d.rows, d.columns, params('classification', 'diagnosis', d.names, d.rows.length, { epochs: 20 }));
    if (r.metrics.task !== 'classification') throw new Error('wrong task');
    expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(r.metrics.f1Average).toBe('binary');
    expect(r.metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(r.validationRows);
  });

  it('fits diabetes (regression) better than the mean', async () => {
    const d = load('diabetes.csv');
    const r = await trainModel(d.rows, d.columns, params('regression', 'progression', d.names, d.rows.length, { epochs: 60, learningRate: 0.003, hiddenLayers: [16] }));
    if (r.metrics.task !== 'regression') throw new Error('wrong task');
    expect(r.metrics.r2).toBeGreaterThan(0.3);
  });

  it('is reproducible: the same seed gives the same weights, another seed different ones', async () => {
    const d = load('iris.csv');
    const p = params('classification', 'species', d.names, d.rows.length, { epochs: 3 });
    const a = await trainModel(d.rows, d.columns, p);
    const b = await trainModel(d.rows, d.columns, p);
    const c = await trainModel(d.rows, d.columns, { ...p, seed: 7 });
    expect(Buffer.from(a.weights).equals(Buffer.from(b.weights))).toBe(true);
    expect(Buffer.from(a.weights).equals(Buffer.from(c.weights))).toBe(false);
  });

  it('stops when cancelled and still returns what it has', async () => {
    const d = load('iris.csv');
    let epochs = 0;
    const r = await trainModel(d.rows, d.columns, params('classification', 'species', d.names, d.rows.length, { epochs: 100 }), {
      onEpoch: () => epochs++,
      shouldStop: () => epochs >= 2,
    });
    expect(r.status).toBe('cancelled');
    expect(r.epochs.length).toBe(2);
  });

  it('serves the trained model with the same answers, and frees it', async () => {
    const d = load('iris.csv');
    const r = await trainModel(d.rows, d.columns, params('classification', 'species', d.names, d.rows.length, { epochs: 30 }));
    const before = tf.memory().numTensors;
    const rt = await TfjsRuntime.load({ task: 'classification', pipeline: r.pipeline, artifacts: r.artifacts, weights: r.weights });
    const out = await rt.predict(d.rows);
    const correct = out.filter((o, i) => o.label === d.rows[i].species).length / d.rows.length;
    expect(correct).toBeGreaterThan(0.85);
    const probs = Object.values(out[0].probabilities!);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    rt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
