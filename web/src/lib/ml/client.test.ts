import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { train, Predictor } from './client.js';
import { trainModel } from './train.js';
import { TfjsRuntime } from './tfjs-runtime.js';
import { inProcessWorker } from './in-process-worker.js';
import { loadSample, sampleParams } from './test-data.js';
import { TrainMessage } from './protocol.js';
import type { EpochMetrics } from '@shared/schema/records.js';

// The main-thread client, the typed protocol and the real worker modules, wired together in this
// thread (Node has no Web Workers): what the page does, minus the thread.
let trainWorker: Awaited<ReturnType<typeof inProcessWorker>>;
let predictWorker: Awaited<ReturnType<typeof inProcessWorker>>;
const cancer = loadSample('breast_cancer');
const params = sampleParams(cancer, 'classification', 'diagnosis', { epochs: 3 });

beforeAll(async () => {
  await tf.setBackend('cpu');
  trainWorker = await inProcessWorker(() => import('./train.worker.js'));
  predictWorker = await inProcessWorker(() => import('./predict.worker.js'));
});

describe('training through the worker', () => {
  it('streams epochs and progress and returns exactly what the core returns', async () => {
    const epochs: EpochMetrics[] = [];
    const progress: number[] = [];
    let backend = '';
    const job = train(
      { rows: cancer.rows, columns: cancer.columns, params, backend: 'cpu' },
      {
        onStarted: (b) => (backend = b),
        onEpoch: (e) => epochs.push(e),
        onProgress: (f) => progress.push(f),
      },
      trainWorker.create,
    );
    const r = await job.promise;
    expect(r.status).toBe('completed');
    expect(backend).toBe('cpu');
    expect(epochs).toHaveLength(3);
    expect(progress.length).toBeLessThanOrEqual(201);
    expect(progress.at(-1)).toBe(1);
    // Every message the worker sent is valid under the protocol the client parses with.
    expect(trainWorker.sent.every((m) => TrainMessage.safeParse(m).success)).toBe(true);
    const direct = await trainModel(cancer.rows, params, cancer.columns);
    expect(Buffer.from(r.weights).equals(Buffer.from(direct.weights))).toBe(true);
  });

  it('cancels between batches and resolves with the partial run', async () => {
    const job = train(
      { rows: cancer.rows, columns: cancer.columns, params: { ...params, epochs: 200 }, backend: 'cpu' },
      { onEpoch: () => job.cancel() },
      trainWorker.create,
    );
    const r = await job.promise;
    expect(r.status).toBe('cancelled');
    expect(r.epochs.length).toBeGreaterThanOrEqual(1);
    expect(r.epochs.length).toBeLessThan(5);
  });

  it('answers a request that fails the schema with a coded error', async () => {
    const job = train({ rows: cancer.rows, columns: cancer.columns, params: { ...params, epochs: 0 } }, {}, trainWorker.create);
    await expect(job.promise).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('passes the core’s own errors through with their code and sentence', async () => {
    const job = train({ rows: cancer.rows.slice(0, 2), columns: cancer.columns, params, backend: 'cpu' }, {}, trainWorker.create);
    await expect(job.promise).rejects.toMatchObject({ code: 'dataset_invalid', message: expect.stringMatching(/add more rows/) });
  });
});

describe('Predictor', () => {
  it('predicts like the runtime in-process, records per-row latency, and leaks no tensors', async () => {
    const r = await trainModel(cancer.rows, params, cancer.columns);
    const mv = { task: 'classification' as const, pipeline: r.pipeline, artifacts: r.artifacts };
    const p = await Predictor.load(mv, r.weights, { backend: 'cpu', createWorker: predictWorker.create });
    expect(p.backend).toBe('cpu');
    expect(r.weights.byteLength).toBeGreaterThan(0); // the caller's bytes were copied, not detached
    const rows = cancer.rows.slice(0, 50);
    const first = await p.predict(rows);
    const { numTensors } = await p.stats();
    for (let i = 0; i < 5; i++) await p.predict(rows);
    expect((await p.stats()).numTensors).toBe(numTensors);
    expect(first.latencyMs).toHaveLength(50);
    expect(p.latency().count).toBe(300);
    expect(p.latency().p95Ms).toBeGreaterThanOrEqual(p.latency().p50Ms);
    const rt = await TfjsRuntime.load({ ...mv, weights: r.weights });
    expect(first.outputs).toEqual(await rt.predict(rows));
    rt.dispose();
    p.dispose();
    await expect(p.predict(rows)).rejects.toBeDefined();
  });
});
