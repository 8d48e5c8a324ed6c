import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { holdOutTest } from '@shared/data/split.js';
import { sha256Hex } from '@shared/data/hash.js';
import { readBundle, writeBundle } from '@shared/registry/bundle.js';
import { modelCardHtml } from '@shared/registry/model-card.js';
import { TrainParams, type ModelFamily, type Run } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { registerModel } from '../db/models.js';
import { completeBlobBytes } from '../db/blobs.js';
import { keepTrainedModel } from '../runs/keep-model.js';
import { Predictor, train } from './client.js';
import { inProcessWorker } from './in-process-worker.js';
import { loadSample, sampleParams, type Sample } from './test-data.js';

// Each model family from the training worker to a registered version that the prediction worker
// answers with: the real workers in this thread (Node has no Web Workers), Dexie on
// fake-indexeddb, and the functions the training session and the Predict tab call.
let trainWorker: Awaited<ReturnType<typeof inProcessWorker>>;
let predictWorker: Awaited<ReturnType<typeof inProcessWorker>>;
type Row = Record<string, string | number | null>;
const cancer = loadSample('breast_cancer');
const diabetes = loadSample('diabetes');

beforeAll(async () => {
  await tf.setBackend('cpu');
  trainWorker = await inProcessWorker(() => import('./train.worker.js'));
  predictWorker = await inProcessWorker(() => import('./predict.worker.js'));
  tf.removeBackend('wasm');
  vi.stubGlobal('Worker', function (url: URL | string) {
    return String(url).includes('train.worker') ? trainWorker.create() : predictWorker.create();
  });
});
afterAll(() => {
  vi.unstubAllGlobals();
});

async function trainAndRegister(d: Sample, task: 'classification' | 'regression', target: string, family: ModelFamily, over: Partial<TrainParams> = {}) {
  const db = new OutpostDb(`families-${newId()}`);
  const project = await createProject(db, 'Families');
  const params = sampleParams(d, task, target, { family, epochs: 10, seed: 5, ...over });
  const { rest, test } = holdOutTest(d.rows, params) as { rest: Row[]; test: Row[] };
  const steps: number[] = [];
  const result = await train({ rows: rest, columns: d.columns, params, backend: 'cpu' }, { onEpoch: (e) => steps.push(e.epoch) }, trainWorker.create).promise;
  const runId = newId();
  const evaluation = await keepTrainedModel(db, runId, params, rest, test, result);
  const run: Run = {
    id: runId,
    projectId: project.id,
    datasetId: 'd',
    datasetHash: 'h'.repeat(64),
    status: 'completed',
    params,
    epochs: result.epochs,
    metrics: result.metrics,
    pipeline: result.pipeline,
    backend: result.backend,
    appVersion: 't',
    startedAt: 0,
  };
  await putRecord(db, 'runs', { ...run, ...(evaluation ? { evaluation, testRows: test.length } : {}) });
  const mv = await registerModel(db, { ...run, ...(evaluation ? { evaluation } : {}) }, `${family}-model`, 't', false);
  const weights = (await completeBlobBytes(db, mv.weightsHash))!;
  const predictor = await Predictor.load(mv, weights, { backend: 'cpu', createWorker: predictWorker.create });
  const outputs = (await predictor.predict(test)).outputs;
  predictor.dispose();
  db.close();
  return { params, result, steps, evaluation, mv, weights, test, outputs };
}

describe('model families, trained, registered and predicted on the device', () => {
  it('logistic regression: one step per L-BFGS iteration, a one-layer TensorFlow.js version, probabilities that sum to 1', async () => {
    const r = await trainAndRegister(cancer, 'classification', 'diagnosis', 'linear');
    expect(r.result.backend).toBe('cpu');
    expect(r.result.artifacts).toMatchObject({ format: 'tfjs-layers', family: 'linear' });
    if (r.result.artifacts.format !== 'tfjs-layers') throw new Error('not layers');
    expect(r.result.artifacts.weightSpecs.map((s) => s.shape)).toEqual([[30, 2], [2]]);
    expect(r.steps.length).toBeGreaterThan(5);
    expect(r.steps).toEqual(r.steps.map((_, i) => i));
    // Training loss falls as L-BFGS goes on.
    expect(r.result.epochs.at(-1)!.loss).toBeLessThan(r.result.epochs[0].loss);
    if (r.evaluation?.evaluation.task !== 'classification') throw new Error('no evaluation');
    expect(r.evaluation.evaluation.accuracy).toBeGreaterThan(0.93);
    for (const o of r.outputs) expect(Object.values(o.probabilities!).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    expect(modelCardHtml(r.mv)).toContain('Linear model');
  });

  it('ridge regression: one step, R² on the test rows as the network reports it', async () => {
    const r = await trainAndRegister(diabetes, 'regression', 'progression', 'linear', { l2: 1 });
    expect(r.result.epochs).toHaveLength(1);
    if (r.evaluation?.evaluation.task !== 'regression') throw new Error('no evaluation');
    expect(r.evaluation.evaluation.r2).toBeGreaterThan(0.3);
    expect(r.outputs.every((o) => Number.isFinite(o.value))).toBe(true);
  });

  it('random forest: one step per tree, trees as a content-addressed JSON blob, vote shares as probabilities, and a bundle that round-trips', async () => {
    const r = await trainAndRegister(cancer, 'classification', 'diagnosis', 'forest', { trees: 12, maxDepth: 6 });
    expect(r.result.backend).toBe('cpu');
    expect(r.result.artifacts).toEqual({ format: 'outpost-trees', kind: 'random-forest', trees: 12, inputWidth: 30, outputWidth: 2 });
    expect(r.steps).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(r.result.epochs.every((e) => Number.isFinite(e.loss) && e.valMetric !== undefined)).toBe(true);
    expect(r.mv.weightsHash).toBe(await sha256Hex(r.weights));
    expect(JSON.parse(new TextDecoder().decode(r.weights)).trees).toHaveLength(12);
    if (r.evaluation?.evaluation.task !== 'classification') throw new Error('no evaluation');
    expect(r.evaluation.evaluation.accuracy).toBeGreaterThan(0.9);
    for (const o of r.outputs) expect(Object.values(o.probabilities!).reduce((a, b) => a + b)).toBeCloseTo(1, 9);
    // The answers are the evaluation's: the same share of test rows right.
    const right = r.outputs.filter((o, i) => o.label === String(r.test[i].diagnosis).trim()).length / r.test.length;
    expect(right).toBeCloseTo(r.evaluation.evaluation.accuracy, 9);
    expect(modelCardHtml(r.mv)).toContain('Random forest of 12 decision trees');
    const back = await readBundle(writeBundle({ version: r.mv, weights: new Uint8Array(r.weights) }));
    expect(back.version.artifacts).toEqual(r.mv.artifacts);
    expect(back.weights).toEqual(new Uint8Array(r.weights));
  });

  it('regression forest: the same seed grows the same trees, values in the target’s units', async () => {
    const a = await trainAndRegister(diabetes, 'regression', 'progression', 'forest', { trees: 5, maxDepth: 4 });
    const b = await trainAndRegister(diabetes, 'regression', 'progression', 'forest', { trees: 5, maxDepth: 4 });
    expect(a.mv.weightsHash).toBe(b.mv.weightsHash);
    const values = a.outputs.map((o) => o.value!);
    expect(Math.min(...values)).toBeGreaterThan(20);
    expect(Math.max(...values)).toBeLessThan(350);
  });

  it('runs from before families validate, and settings out of bounds are refused', () => {
    const base = sampleParams(cancer, 'classification', 'diagnosis');
    expect(TrainParams.parse(base).family).toBeUndefined();
    expect(TrainParams.safeParse({ ...base, family: 'forest', trees: 0 }).success).toBe(false);
    expect(TrainParams.safeParse({ ...base, family: 'forest', maxDepth: 40 }).success).toBe(false);
    expect(TrainParams.safeParse({ ...base, family: 'linear', l2: -1 }).success).toBe(false);
    expect(TrainParams.safeParse({ ...base, family: 'boosted' }).success).toBe(false);
  });
});
