/// <reference lib="webworker" />
import { useBackend } from './backend.js';
import { trainModel } from './train.js';
import { TrainRequest, type TrainMessage } from './protocol.js';
import { isOutpostError } from '../../../../shared/src/errors.js';

// Training runs here, off the main thread, so the page stays responsive on a slow phone.
let stop = false;
const post = (m: TrainMessage, transfer: Transferable[] = []) => (self as DedicatedWorkerGlobalScope).postMessage(m, transfer);

self.onmessage = async (ev: MessageEvent) => {
  const parsed = TrainRequest.safeParse(ev.data);
  if (!parsed.success) {
    post({ type: 'error', code: 'bad_request', message: 'The training request was not understood.' });
    return;
  }
  const msg = parsed.data;
  if (msg.type === 'cancel') {
    stop = true;
    return;
  }
  stop = false;
  try {
    await useBackend(msg.backend ?? 'wasm');
    const result = await trainModel(msg.rows, msg.columns, msg.params, {
      onEpoch: (epoch) => post({ type: 'epoch', epoch }),
      onProgress: (fraction) => post({ type: 'progress', fraction }),
      shouldStop: () => stop,
    });
    post({ type: 'done', result }, [result.weights]);
  } catch (err) {
    post({
      type: 'error',
      code: isOutpostError(err) ? err.code : 'training_failed',
      message: isOutpostError(err) ? err.message : `Training failed: ${(err as Error).message}. Try fewer hidden units or a smaller learning rate.`,
    });
  }
};
