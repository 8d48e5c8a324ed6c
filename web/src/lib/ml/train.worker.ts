/// <reference lib="webworker" />
import { selectBackend } from './backend.js';
import { wasmPaths } from './wasm-assets.js';
import { trainModel } from './train.js';
import { TrainRequest, type TrainCheckpoint, type TrainMessage } from './protocol.js';
import { isOutpostError, type OutpostError } from '@shared/errors.js';
import { SaidError, saidOf } from '../said-error.js';
import type { EpochMetrics } from '@shared/schema/records.js';

// Training runs here, off the main thread, so the page stays responsive on a slow phone. The
// training core yields between batches, which is when a 'cancel' message gets through.
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: TrainMessage, transfer: Transferable[] = []) => scope.postMessage(m, transfer);
let stop = false;
/** An error as the page receives it: its code, its English words and, when it has one, its message for the catalogues. */
const fail = (err: OutpostError) => post({ type: 'error', code: err.code, message: err.message, ...(saidOf(err) ? { said: saidOf(err) } : {}) });
let busy = false;

/** At most about 200 progress messages per run, however many batches it has. */
function throttled(send: (f: number) => void): (f: number) => void {
  let last = -1;
  return (f) => {
    if (f >= 1 || f - last >= 0.005) {
      last = f;
      send(Math.min(1, f));
    }
  };
}

scope.onmessage = async (ev: MessageEvent) => {
  const parsed = TrainRequest.safeParse(ev.data);
  if (!parsed.success) {
    fail(new SaidError('bad_request', { key: 'error.trainRequestOdd', values: { reason: parsed.error.issues[0]?.message ?? 'invalid' } }));
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'cancel') {
    stop = true;
    return;
  }
  if (busy) {
    fail(new SaidError('conflict', { key: 'error.trainBusy' }));
    return;
  }
  busy = true;
  stop = false;
  try {
    // TensorFlow.js's WASM backend has no gradients for convolutions (Conv2DBackpropFilter): the
    // photo network trains on WebGL when asked for, else on the CPU backend.
    const wanted = msg.type === 'train-photos' && msg.backend !== 'webgl' ? 'cpu' : (msg.backend ?? 'wasm');
    // A forest grows in plain JavaScript and needs no TensorFlow.js backend (docs/model-families.md).
    const backend = msg.type === 'train' && msg.params.family === 'forest' ? 'cpu' : await selectBackend(wanted, { wasmPaths });
    post({ type: 'started', backend });
    const opts = {
      onEpoch: (epoch: EpochMetrics) => post({ type: 'epoch', epoch }),
      onBatchProgress: throttled((fraction) => post({ type: 'progress', fraction })),
      shouldStop: () => stop,
      backendName: backend,
    };
    // The photo network and its PNG reader load only when photos are trained on.
    const result =
      msg.type === 'train-photos'
        ? await (await import('./photo-worker.js')).trainPhotos(msg, opts)
        : await trainModel(msg.rows, msg.params, msg.columns, {
            ...opts,
            quantization: msg.quantization,
            init: msg.init,
            pipeline: msg.pipeline,
            checkpointEveryMs: msg.checkpointEveryMs,
            // Posted only when asked for (a run the session can carry on); its buffers are transferred.
            ...(msg.checkpointEveryMs !== undefined
              ? { onCheckpoint: (checkpoint: TrainCheckpoint) => post({ type: 'checkpoint', checkpoint }, [checkpoint.weights, checkpoint.optimizer.weights]) }
              : {}),
          });
    post({ type: 'done', result }, result.quantized ? [result.weights, result.quantized.weights] : [result.weights]);
  } catch (err) {
    fail(isOutpostError(err) ? err : new SaidError('training_failed', { key: 'error.trainFailed', values: { reason: (err as Error).message } }));
  } finally {
    busy = false;
  }
};
