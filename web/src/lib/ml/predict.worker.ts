/// <reference lib="webworker" />
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend.js';
import { wasmPaths } from './wasm-assets.js';
import { TfjsRuntime } from './tfjs-runtime.js';
import { PredictRequest, type PredictMessage } from './protocol.js';
import { isOutpostError } from '@shared/errors.js';
import type { ModelRuntime } from './runtime.js';

// One loaded model per worker; the main thread sends batches of rows and receives outputs with
// per-row latencies. Messages are handled one at a time, in order.
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: PredictMessage) => scope.postMessage(m);
let runtime: ModelRuntime | null = null;
let queue: Promise<void> = Promise.resolve();

async function handle(data: unknown): Promise<void> {
  const parsed = PredictRequest.safeParse(data);
  if (!parsed.success) {
    post({ type: 'error', code: 'bad_request', message: 'The prediction request was not understood. Reload the page and try again.' });
    return;
  }
  const msg = parsed.data;
  const id = msg.type === 'load' ? undefined : msg.id;
  try {
    if (msg.type === 'load') {
      const backend = await selectBackend(msg.backend ?? 'wasm', { wasmPaths });
      runtime?.dispose();
      runtime = null;
      runtime = await TfjsRuntime.load(msg.model);
      post({ type: 'loaded', backend });
    } else if (msg.type === 'predict') {
      if (!runtime) throw new Error('no model is loaded');
      const t0 = performance.now();
      const outputs = await runtime.predict(msg.rows);
      const batchMs = performance.now() - t0;
      const each = batchMs / Math.max(1, msg.rows.length);
      post({ type: 'result', id: msg.id, outputs, latencyMs: msg.rows.map(() => each), batchMs });
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
