/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend.js';
import { wasmPaths } from './wasm-assets.js';
import { TfjsRuntime } from './tfjs-runtime.js';
import { PredictRequest, type ExplainTarget, type PredictMessage } from './protocol.js';
import { OutpostError, isOutpostError } from '@shared/errors.js';
import { explainRow, globalImportance, type BatchPredict } from '@shared/explain/shapley.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import type { ModelRuntime } from './runtime.js';

// One loaded model per worker; the main thread sends batches of rows and receives outputs with
// per-row latencies, or asks for explanations of them. Messages are handled one at a time, in
// order, so a long explanation delays the predictions sent after it.
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: PredictMessage) => scope.postMessage(m);
let runtime: ModelRuntime | null = null;
let pipeline: FeaturePipeline | null = null;
let queue: Promise<void> = Promise.resolve();

/** The loaded model as one scalar per row: the probability of `label`, or the predicted value. */
function scalarModel(rt: ModelRuntime, p: FeaturePipeline, target: ExplainTarget): BatchPredict {
  const t = p.target;
  if (target.kind === 'value') {
    if (t.kind !== 'numeric') throw new OutpostError('bad_request', 'This model predicts classes: explain the probability of one of them, not a value.');
    return async (rows) => (await rt.predict(rows)).map((o) => o.value ?? NaN);
  }
  if (t.kind !== 'categorical') throw new OutpostError('bad_request', 'This model predicts a value, not classes: explain the value.');
  const label = target.label;
  if (!t.labels.includes(label)) throw new OutpostError('bad_request', `This model has no class “${label}”; choose one of ${t.labels.join(', ')}.`);
  return async (rows) => (await rt.predict(rows)).map((o) => o.probabilities?.[label] ?? NaN);
}

/** The request's id when it has a usable one, so even a request that fails the schema gets its answer. */
function idOf(data: unknown): number | undefined {
  const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
  return Number.isInteger(id) ? (id as number) : undefined;
}

async function handle(data: unknown): Promise<void> {
  const parsed = PredictRequest.safeParse(data);
  if (!parsed.success) {
    post({ type: 'error', id: idOf(data), code: 'bad_request', message: 'The prediction request was not understood. Reload the page and try again.' });
    return;
  }
  const msg = parsed.data;
  const id = msg.type === 'load' ? undefined : msg.id;
  try {
    if (msg.type === 'load') {
      const backend = await selectBackend(msg.backend ?? 'wasm', { wasmPaths });
      runtime?.dispose();
      runtime = null;
      pipeline = null;
      runtime = await TfjsRuntime.load(msg.model);
      pipeline = msg.model.pipeline;
      post({ type: 'loaded', backend });
    } else if (msg.type === 'predict') {
      if (!runtime) throw new Error('no model is loaded');
      const t0 = performance.now();
      const outputs = await runtime.predict(msg.rows);
      const batchMs = performance.now() - t0;
      const each = batchMs / Math.max(1, msg.rows.length);
      post({ type: 'result', id: msg.id, outputs, latencyMs: msg.rows.map(() => each), batchMs });
    } else if (msg.type === 'explain' || msg.type === 'importance') {
      if (!runtime || !pipeline) throw new Error('no model is loaded');
      const t0 = performance.now();
      const predict = scalarModel(runtime, pipeline, msg.explain);
      // The inputs explained are the model's own, in its pipeline's order.
      const features = pipeline.features.map((f) => f.name);
      const opts = { samples: msg.samples, seed: msg.seed };
      if (msg.type === 'explain') {
        const explanation = await explainRow(predict, msg.row, msg.background, features, opts);
        post({ type: 'explanation', id: msg.id, explanation, durationMs: performance.now() - t0 });
      } else {
        const importance = await globalImportance(predict, msg.rows, msg.background, features, opts);
        post({ type: 'importance', id: msg.id, importance, durationMs: performance.now() - t0 });
      }
    } else {
      const m = tf.memory();
      post({ type: 'stats', id: msg.id, numTensors: m.numTensors, numBytes: m.numBytes });
    }
  } catch (err) {
    post({
      type: 'error',
      id,
      code: isOutpostError(err) ? err.code : 'internal',
      message: isOutpostError(err) ? err.message : `Prediction failed: ${(err as Error).message}. Reload the model and try again.`,
    });
  }
}

scope.onmessage = (ev: MessageEvent) => {
  queue = queue.then(() => handle(ev.data));
};
