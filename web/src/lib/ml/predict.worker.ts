/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend.js';
import { wasmPaths } from './wasm-assets.js';
import { PredictRequest, type ExplainTarget, type LoadableModel, type PredictMessage } from './protocol.js';
import { isOutpostError } from '@shared/errors.js';
import { SaidError, saidOf } from '../said-error.js';
import { explainRow, globalImportance, type BatchPredict } from '@shared/explain/shapley.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import { featureRow } from '@shared/features/pipeline.js';
import { Predictor } from '@shared/runtime/predictor.js';
import { describeTfjs, loadTfjs } from '@shared/runtime/tfjs.js';
import { loadTrees } from '@shared/runtime/trees.js';

// One loaded model per worker; the main thread sends batches of rows and receives outputs with
// per-row latencies, or asks for explanations of them. Messages are handled one at a time, in
// order, so a long explanation delays the predictions sent after it.
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: PredictMessage) => scope.postMessage(m);
let runtime: Predictor | null = null;
let pipeline: FeaturePipeline | null = null;
let queue: Promise<void> = Promise.resolve();

/** The loaded model as one scalar per row: the probability of `label`, or the predicted value. */
function scalarModel(rt: Predictor, p: FeaturePipeline, target: ExplainTarget): BatchPredict {
  const t = p.target;
  if (target.kind === 'value') {
    if (t.kind !== 'numeric') throw new SaidError('bad_request', { key: 'error.explainClasses' });
    return async (rows) => (await rt.predictRows(rows)).map((o) => o.value ?? NaN);
  }
  if (t.kind !== 'categorical') throw new SaidError('bad_request', { key: 'error.explainValue' });
  const label = target.label;
  if (!t.labels.includes(label)) throw new SaidError('bad_request', { key: 'error.explainNoClass', values: { label, labels: t.labels.join(', ') } });
  return async (rows) => (await rt.predictRows(rows)).map((o) => o.probabilities?.[label] ?? NaN);
}

/** Load a version on its runtime: ONNX Runtime (fetched on first use), the trees, or TensorFlow.js on `backend`. */
async function load(m: LoadableModel, backend: 'wasm' | 'webgl' | 'cpu'): Promise<{ predictor: Predictor; backend: string }> {
  if (m.artifacts.format === 'onnx') {
    const { loadOnnxForward } = await import('./onnx-runtime.js');
    return { predictor: new Predictor(m, await loadOnnxForward(m.artifacts, m.weights)), backend: 'onnx-wasm' };
  }
  // A forest is plain JavaScript: no TensorFlow.js backend to start.
  if (m.artifacts.format === 'outpost-trees') return { predictor: new Predictor(m, loadTrees(m.artifacts, m.weights)), backend: 'cpu' };
  const used = await selectBackend(backend, { wasmPaths });
  return { predictor: new Predictor(m, await loadTfjs(m.artifacts, m.weights, m.weightSpecs)), backend: used };
}

/** The request's id when it has a usable one, so even a request that fails the schema gets its answer. */
function idOf(data: unknown): number | undefined {
  const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
  return Number.isInteger(id) ? (id as number) : undefined;
}

async function handle(data: unknown): Promise<void> {
  const parsed = PredictRequest.safeParse(data);
  if (!parsed.success) {
    const said = { key: 'error.predictRequestOdd' } as const;
    post({ type: 'error', id: idOf(data), code: 'bad_request', message: new SaidError('bad_request', said).message, said });
    return;
  }
  const msg = parsed.data;
  const id = msg.type === 'load' ? undefined : msg.id;
  try {
    if (msg.type === 'load') {
      runtime?.dispose();
      runtime = null;
      pipeline = null;
      const loaded = await load(msg.model, msg.backend ?? 'wasm');
      runtime = loaded.predictor;
      pipeline = msg.model.pipeline;
      post({ type: 'loaded', backend: loaded.backend });
    } else if (msg.type === 'predict' || msg.type === 'predict-tensors') {
      if (!runtime) throw new Error('no model is loaded');
      const t0 = performance.now();
      const outputs = msg.type === 'predict' ? await runtime.predictRows(msg.rows) : await runtime.predictTensors(msg.items);
      const batchMs = performance.now() - t0;
      const each = batchMs / Math.max(1, outputs.length);
      post({ type: 'result', id: msg.id, outputs, latencyMs: outputs.map(() => each), batchMs });
    } else if (msg.type === 'describe') {
      const f = msg.file;
      let description;
      if (f.format === 'onnx') {
        const { describeOnnxFile } = await import('./onnx-runtime.js');
        description = await describeOnnxFile(f.bytes);
      } else {
        await selectBackend('wasm', { wasmPaths });
        description = await describeTfjs({ modelTopology: f.modelTopology, weightSpecs: f.weightSpecs }, f.weights);
      }
      post({ type: 'described', id: msg.id, description });
    } else if (msg.type === 'explain' || msg.type === 'importance') {
      if (!runtime || !pipeline) throw new Error('no model is loaded');
      const t0 = performance.now();
      const predict = scalarModel(runtime, pipeline, msg.explain);
      // The inputs explained are the model's own, in its pipeline's order.
      const features = pipeline.features.map((f) => f.name);
      // Rows as the features see them (a date as its parts), so swapping a feature swaps what the model reads.
      const p = pipeline;
      const seen = (r: (typeof msg.background)[number]) => featureRow(p, r);
      const opts = { samples: msg.samples, seed: msg.seed };
      if (msg.type === 'explain') {
        const explanation = await explainRow(predict, seen(msg.row), msg.background.map(seen), features, opts);
        post({ type: 'explanation', id: msg.id, explanation, durationMs: performance.now() - t0 });
      } else {
        const importance = await globalImportance(predict, msg.rows.map(seen), msg.background.map(seen), features, opts);
        post({ type: 'importance', id: msg.id, importance, durationMs: performance.now() - t0 });
      }
    } else if (msg.type === 'stats') {
      const m = tf.memory();
      post({ type: 'stats', id: msg.id, numTensors: m.numTensors, numBytes: m.numBytes });
    }
  } catch (err) {
    const e = isOutpostError(err) ? err : new SaidError('internal', { key: 'error.predictFailed', values: { reason: (err as Error).message } });
    post({ type: 'error', id, code: e.code, message: e.message, ...(saidOf(e) ? { said: saidOf(e) } : {}) });
  }
}

scope.onmessage = (ev: MessageEvent) => {
  queue = queue.then(() => handle(ev.data));
};
