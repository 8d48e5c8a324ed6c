import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Predictor } from './client.js';
import { trainModel } from './train.js';
import { TfjsRuntime } from './tfjs-runtime.js';
import { inProcessWorker } from './in-process-worker.js';
import { loadSample, sampleParams } from './test-data.js';
import { PredictMessage } from './protocol.js';
import { explainRow } from '@shared/explain/shapley.js';

// Explanations through the real client, protocol and prediction worker (in this thread: Node has
// no Web Workers), of small models really trained on the sample data.
let worker: Awaited<ReturnType<typeof inProcessWorker>>;
const cancer = loadSample('breast_cancer');
const diabetes = loadSample('diabetes');
const open: Predictor[] = [];

async function trained(sample: typeof cancer, task: 'classification' | 'regression', target: string) {
  const r = await trainModel(sample.rows, sampleParams(sample, task, target, { epochs: 3 }), sample.columns);
  const mv = { task, pipeline: r.pipeline, artifacts: r.artifacts };
  const p = await Predictor.load(mv, r.weights, { backend: 'cpu', createWorker: worker.create });
  open.push(p);
  return { p, mv, weights: r.weights, features: r.pipeline.features.map((f) => f.name) };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  worker = await inProcessWorker(() => import('./predict.worker.js'));
});
afterAll(() => open.forEach((p) => p.dispose()));

describe('Predictor.explain', () => {
  it('explains the predicted class of a trained classifier: efficiency holds against its own predictions, and no tensor leaks', async () => {
    const { p, mv, weights, features } = await trained(cancer, 'classification', 'diagnosis');
    const before = (await p.stats()).numTensors;
    const row = cancer.rows[300];
    const background = cancer.rows.slice(0, 60);
    const [out] = (await p.predict([row])).outputs;
    const explain = { kind: 'class' as const, label: out.label! };

    const { explanation: e, durationMs } = await p.explain(row, background, { samples: 25, seed: 4, explain });
    expect(durationMs).toBeGreaterThan(0);
    expect(e.features.map((f) => f.name)).toEqual(features);
    expect(e.features.map((f) => f.value)).toEqual(features.map((n) => row[n]));
    expect(e).toMatchObject({ samples: 25, backgroundRows: 60 });
    expect(e.output).toBeCloseTo(out.probabilities![out.label!], 6);
    const sum = e.features.reduce((s, f) => s + f.contribution, 0);
    expect(Math.abs(sum - (e.output - e.baseline))).toBeLessThan(1e-12);

    // With one background row the baseline is that row's own prediction.
    const z = cancer.rows[10];
    const [outZ] = (await p.predict([z])).outputs;
    const single = (await p.explain(row, [z], { samples: 5, seed: 1, explain })).explanation;
    expect(single.baseline).toBeCloseTo(outZ.probabilities![out.label!], 6);
    expect(Math.abs(single.features.reduce((s, f) => s + f.contribution, 0) - (out.probabilities![out.label!] - outZ.probabilities![out.label!]))).toBeLessThan(
      1e-6,
    );

    // The worker computes exactly what the estimator does against the model in this thread.
    const rt = await TfjsRuntime.load({ ...mv, weights });
    const direct = await explainRow(async (rows) => (await rt.predict(rows)).map((o) => o.probabilities![out.label!]), row, background, features, {
      samples: 25,
      seed: 4,
    });
    rt.dispose();
    expect(e).toEqual(direct);

    const { importance } = await p.importance(cancer.rows.slice(100, 104), background, { samples: 5, seed: 2, explain });
    expect(importance).toMatchObject({ rows: 4, samples: 5, backgroundRows: 60 });
    expect(importance.features.map((f) => f.name)).toEqual(features);
    expect(importance.features.some((f) => f.meanAbs > 0)).toBe(true);

    expect((await p.stats()).numTensors).toBe(before);
    expect(worker.sent.every((m) => PredictMessage.safeParse(m).success)).toBe(true);
  });

  it('explains a regression’s predicted value', async () => {
    const { p } = await trained(diabetes, 'regression', 'progression');
    const row = diabetes.rows[5];
    const [out] = (await p.predict([row])).outputs;
    const { explanation: e } = await p.explain(row, diabetes.rows.slice(0, 40), { samples: 10, seed: 0, explain: { kind: 'value' } });
    expect(e.output).toBeCloseTo(out.value!, 3);
    expect(e.features).toHaveLength(10);
    expect(Math.abs(e.features.reduce((s, f) => s + f.contribution, 0) - (e.output - e.baseline))).toBeLessThan(1e-9);
  });

  it('answers what it cannot explain with a sentence, and keeps serving afterwards', async () => {
    const { p } = await trained(cancer, 'classification', 'diagnosis');
    const row = cancer.rows[0];
    const bg = cancer.rows.slice(0, 5);
    await expect(p.explain(row, bg, { samples: 5, seed: 0, explain: { kind: 'value' } })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(p.explain(row, bg, { samples: 5, seed: 0, explain: { kind: 'class', label: 'maybe' } })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/no class “maybe”/),
    });
    const malignant = { kind: 'class' as const, label: 'malignant' };
    await expect(p.explain(row, [], { samples: 5, seed: 0, explain: malignant })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/background/),
    });
    await expect(p.explain(row, bg, { samples: 0, seed: 0, explain: malignant })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/samples/),
    });
    // A request the schema refuses still reaches its caller (it carries an id) instead of hanging.
    await expect(p.explain(row, bg, { samples: 5, seed: 0, explain: { kind: 'class' } as never })).rejects.toMatchObject({ code: 'bad_request' });
    expect((await p.predict([row])).outputs).toHaveLength(1);
  });
});
