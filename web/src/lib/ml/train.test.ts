import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { classificationReport } from '@shared/metrics/classification.js';
import { regressionReport } from '@shared/metrics/regression.js';
import { splitRows, trainModel } from './train.js';
import { TfjsRuntime } from './tfjs-runtime.js';
import { loadSample, sampleParams } from './test-data.js';
import { defaultParams } from './defaults.js';
import { parseFileBlob } from '../data/parse-file.js';
import { civilFromDays, datePart } from '@shared/data/dates.js';

// The same training core the worker runs, here on TensorFlow.js's CPU backend in Node.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

const iris = loadSample('iris');
const cancer = loadSample('breast_cancer');
const diabetes = loadSample('diabetes');

describe('training', () => {
  it('learns iris (3 classes), reports progress, and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const r = await trainModel(iris.rows, sampleParams(iris, 'classification', 'species', { epochs: 40 }), iris.columns, {
      onBatchProgress: (f) => progress.push(f),
    });
    expect(r.status).toBe('completed');
    if (r.metrics.task !== 'classification') throw new Error('wrong task');
    expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0.85);
    expect([r.trainRows, r.validationRows]).toEqual([120, 30]);
    expect(r.epochs).toHaveLength(40);
    expect(r.epochs.at(-1)!.valMetric).toBeCloseTo(r.metrics.accuracy, 10);
    expect(r.backend).toBe('cpu');
    expect(progress.every((f, i) => i === 0 || f > progress[i - 1])).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('learns breast cancer (binary) to at least 0.93 validation accuracy', async () => {
    const r = await trainModel(cancer.rows, sampleParams(cancer, 'classification', 'diagnosis', { epochs: 20 }), cancer.columns);
    if (r.metrics.task !== 'classification') throw new Error('wrong task');
    expect(r.metrics.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(r.metrics.f1Average).toBe('binary');
    expect(r.metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(r.validationRows);
  });

  it('fits diabetes (regression) with the default settings, with MAE per epoch in original units', async () => {
    const before = tf.memory().numTensors;
    const p = sampleParams(diabetes, 'regression', 'progression');
    const r = await trainModel(diabetes.rows, p, diabetes.columns);
    if (r.metrics.task !== 'regression') throw new Error('wrong task');
    expect(r.metrics.r2).toBeGreaterThan(0.35); // ridge regression reaches about 0.49 on this data
    expect(r.epochs.at(-1)!.valMetric).toBeCloseTo(r.metrics.mae, 6);
    expect(r.metrics.mae).toBeGreaterThan(10); // progression spans 25..346: original units, not standardised
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is reproducible: the same seed gives the same weight bytes, another seed different ones', async () => {
    const p = sampleParams(iris, 'classification', 'species', { epochs: 3 });
    const a = await trainModel(iris.rows, p, iris.columns);
    const b = await trainModel(iris.rows, p, iris.columns);
    const c = await trainModel(iris.rows, { ...p, seed: 7 }, iris.columns);
    expect(Buffer.from(a.weights).equals(Buffer.from(b.weights))).toBe(true);
    expect(a.epochs).toEqual(b.epochs);
    expect(Buffer.from(a.weights).equals(Buffer.from(c.weights))).toBe(false);
  });

  it('stops when cancelled, returns what it has, and frees everything', async () => {
    const before = tf.memory().numTensors;
    let epochs = 0;
    const r = await trainModel(iris.rows, sampleParams(iris, 'classification', 'species', { epochs: 100 }), iris.columns, {
      onEpoch: () => epochs++,
      shouldStop: () => epochs >= 2,
    });
    expect(r.status).toBe('cancelled');
    expect(r.epochs).toHaveLength(2);
    expect(r.weights.byteLength).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a dataset with too few labelled rows, saying so', async () => {
    const rows = iris.rows.slice(0, 3);
    await expect(trainModel(rows, sampleParams(iris, 'classification', 'species'), iris.columns)).rejects.toMatchObject({ code: 'dataset_invalid' });
  });
});

describe('serving the trained model', () => {
  it('classification: the runtime reproduces the validation metrics training computed, and frees its tensors', async () => {
    const p = sampleParams(iris, 'classification', 'species', { epochs: 30 });
    const r = await trainModel(iris.rows, p, iris.columns);
    if (r.metrics.task !== 'classification' || r.pipeline.target.kind !== 'categorical') throw new Error('wrong task');
    const before = tf.memory().numTensors;
    const rt = await TfjsRuntime.load({ task: 'classification', pipeline: r.pipeline, artifacts: r.artifacts, weights: r.weights });
    const loaded = tf.memory().numTensors;
    const { validation } = splitRows(iris.rows, p);
    const labels = r.pipeline.target.labels;
    const out = await rt.predict(validation);
    for (let i = 0; i < 5; i++) await rt.predict(validation);
    expect(tf.memory().numTensors).toBe(loaded);
    const probs = out.flatMap((o) => labels.map((l) => o.probabilities![l]));
    const report = classificationReport(
      validation.map((row) => labels.indexOf(String(row.species))),
      out.map((o) => labels.indexOf(o.label!)),
      labels,
      probs,
    );
    expect(report.confusion).toEqual(r.metrics.confusion);
    expect(report.accuracy).toBe(r.metrics.accuracy);
    expect(report.logLoss).toBeCloseTo(r.metrics.logLoss!, 5);
    expect(Object.values(out[0].probabilities!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(await rt.predict([])).toEqual([]);
    rt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('regression: the runtime answers in original units and reproduces the validation metrics', async () => {
    const p = sampleParams(diabetes, 'regression', 'progression', { epochs: 10, hiddenLayers: [16] });
    const r = await trainModel(diabetes.rows, p, diabetes.columns);
    if (r.metrics.task !== 'regression') throw new Error('wrong task');
    const before = tf.memory().numTensors;
    const rt = await TfjsRuntime.load({ task: 'regression', pipeline: r.pipeline, artifacts: r.artifacts, weights: r.weights });
    const { validation } = splitRows(diabetes.rows, p);
    const out = await rt.predict(validation);
    const report = regressionReport(
      validation.map((row) => Number(row.progression)),
      out.map((o) => o.value!),
    );
    expect(report.mae).toBeCloseTo(r.metrics.mae, 4);
    expect(report.r2).toBeCloseTo(r.metrics.r2, 6);
    rt.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a model version whose task and pipeline disagree', async () => {
    const r = await trainModel(iris.rows, sampleParams(iris, 'classification', 'species', { epochs: 1 }), iris.columns);
    await expect(TfjsRuntime.load({ task: 'regression', pipeline: r.pipeline, artifacts: r.artifacts, weights: r.weights })).rejects.toMatchObject({
      code: 'bad_request',
    });
  });
});

describe('a field file with dates and notes', () => {
  it('is imported, trained on its date parts and note lengths, and served from the dates as people write them', async () => {
    // Clinic days: the answer is "weekend" on Saturdays and Sundays, and notes are long on those days.
    const lines = ['day;note;temp;answer'];
    const days: number[] = [];
    for (let i = 0; i < 240; i++) {
      const n = 19700 + i * 3; // from 2023-12-09, every third day, so every weekday comes round
      const d = civilFromDays(n);
      const weekend = datePart(d, 'weekday') >= 6;
      days.push(n);
      const note = weekend ? `seen on call, ${'long note '.repeat(3 + (i % 4))}`.trim() : `clinic visit number ${i}`;
      lines.push(
        `${String(d.day).padStart(2, '0')}/${String(d.month).padStart(2, '0')}/${d.year};${note};${36 + (i % 7) / 10};${weekend ? 'weekend' : 'weekday'}`.replace(
          '.',
          ',',
        ),
      );
    }
    const file = await parseFileBlob(new Blob([lines.join('\r\n')]), { fileName: 'clinic.csv' });
    expect(file.columns.map((c) => c.type)).toEqual(['date', 'text', 'numeric', 'categorical']);
    expect(file.rows[0].day).toBe('2023-12-09');
    const params = { ...defaultParams('classification', file.rowCount), target: 'answer', features: ['day', 'note', 'temp'], epochs: 80, seed: 3 };
    const r = await trainModel(file.rows, params, file.columns);
    expect(r.pipeline.version).toBe(2);
    expect(r.pipeline.features.map((f) => f.name)).toEqual([
      'day (year)',
      'day (month)',
      'day (day)',
      'day (weekday)',
      'day (yearday)',
      'note (length)',
      'note (words)',
      'temp',
    ]);
    if (r.metrics.task !== 'classification') throw new Error('wrong task');
    expect(r.metrics.accuracy).toBeGreaterThan(0.9);
    const rt = await TfjsRuntime.load({ task: 'classification', pipeline: r.pipeline, artifacts: r.artifacts, weights: r.weights });
    // The same rows written as a person would type them (day first, decimal comma read already) answer as the stored ones.
    const stored = file.rows.slice(0, 20);
    const typed = stored.map((row, i) => {
      const d = civilFromDays(days[i]);
      return { ...row, day: `${d.day}/${d.month}/${d.year}` };
    });
    expect(await rt.predict(typed)).toEqual(await rt.predict(stored));
    rt.dispose();
  });
});
