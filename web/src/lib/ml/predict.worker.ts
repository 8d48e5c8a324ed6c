/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './backend.js';
import { TfjsRuntime } from './tfjs-runtime.js';
import { PredictRequest, type PredictMessage } from './protocol.js';

// One loaded model per worker; the main thread sends rows and receives outputs with latencies.
let runtime: TfjsRuntime | null = null;
const post = (m: PredictMessage) => (self as DedicatedWorkerGlobalScope).postMessage(m);

self.onmessage = async (ev: MessageEvent) => {
  const parsed = PredictRequest.safeParse(ev.data);
  if (!parsed.success) {
    post({ type: 'error', code: 'bad_request', message: 'The prediction request was not understood.' });
    return;
  }
  const msg = parsed.data;
  try {
    if (msg.type === 'load') {
      const backend = await useBackend(msg.backend ?? 'wasm');
      runtime?.dispose();
      runtime = await TfjsRuntime.load(msg.model);
      post({ type: 'loaded', backend });
    } else if (msg.type === 'predict') {
      if (!runtime) throw new Error('No model is loaded.');
      const t0 = performance.now();
      const outputs = await runtime.predict(msg.rows);
      // One batched call: each row's latency is its share of the batch (the whole call for one row).
      const each = (performance.now() - t0) / Math.max(1, msg.rows.length);
      post({ type: 'result', id: msg.id, outputs, latencyMs: msg.rows.map(() => each) });
    } else {
      const m = tf.memory();
      post({ type: 'stats', id: msg.id, numTensors: m.numTensors, numBytes: m.numBytes });
    }
  } catch (err) {
    post({ type: 'error', id: 'id' in msg ? msg.id : undefined, code: 'internal', message: `Prediction failed: ${(err as Error).message}` });
  }
};
