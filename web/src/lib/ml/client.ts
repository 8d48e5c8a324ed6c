import type { ColumnInfo, EpochMetrics, ModelVersion, PredictionOutput, TrainParams } from '../../../../shared/src/schema/records.js';
import { OutpostError, type ErrorCode } from '../../../../shared/src/errors.js';
type Row = Record<string, string | number | null>;
import { PredictMessage, TrainMessage, type PredictRequest, type TrainRequest } from './protocol.js';
import type { TrainResult } from './train.js';

export interface TrainJob {
  result: Promise<TrainResult>;
  cancel(): void;
}

/** Train in a fresh module worker; the worker ends when training does. */
export function startTraining(
  input: { rows: Row[]; columns: ColumnInfo[]; params: TrainParams; backend?: 'wasm' | 'webgl' | 'cpu' },
  callbacks: { onEpoch?: (e: EpochMetrics) => void; onProgress?: (f: number) => void } = {},
): TrainJob {
  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' });
  const send = (m: TrainRequest) => worker.postMessage(m);
  const result = new Promise<TrainResult>((resolve, reject) => {
    worker.onmessage = (ev) => {
      const parsed = TrainMessage.safeParse(ev.data);
      if (!parsed.success) return reject(new OutpostError('training_failed', 'The training worker sent something unexpected.'));
      const m = parsed.data;
      if (m.type === 'epoch') callbacks.onEpoch?.(m.epoch);
      else if (m.type === 'progress') callbacks.onProgress?.(m.fraction);
      else if (m.type === 'done') resolve(m.result as TrainResult);
      else reject(new OutpostError(m.code as ErrorCode, m.message));
    };
    worker.onerror = (ev) => reject(new OutpostError('training_failed', `The training worker stopped: ${ev.message || 'unknown error'}.`));
  }).finally(() => worker.terminate());
  send({ type: 'train', rows: input.rows, columns: input.columns, params: input.params, backend: input.backend });
  return { result, cancel: () => send({ type: 'cancel' }) };
}

export interface Predictor {
  predict(rows: Row[]): Promise<{ outputs: PredictionOutput[]; latencyMs: number[] }>;
  /** Live tensor count and bytes inside the worker (to check that nothing leaks). */
  stats(): Promise<{ numTensors: number; numBytes: number }>;
  backend: string;
  dispose(): void;
}

/** Load a model version into its own prediction worker. */
export async function createPredictor(mv: ModelVersion, weights: ArrayBuffer): Promise<Predictor> {
  const worker = new Worker(new URL('./predict.worker.ts', import.meta.url), { type: 'module' });
  let nextId = 1;
  const pending = new Map<number, { resolve: (m: PredictMessage) => void; reject: (e: Error) => void }>();
  let onLoaded: ((m: PredictMessage) => void) | null = null;
  worker.onmessage = (ev) => {
    const parsed = PredictMessage.safeParse(ev.data);
    if (!parsed.success) return;
    const m = parsed.data;
    if (m.type === 'loaded' || (m.type === 'error' && m.id === undefined)) return onLoaded?.(m);
    const p = pending.get(m.id!);
    if (!p) return;
    pending.delete(m.id!);
    if (m.type === 'error') p.reject(new OutpostError('internal', m.message));
    else p.resolve(m);
  };
  const send = (m: PredictRequest) => worker.postMessage(m);
  const call = (m: PredictRequest & { id: number }) =>
    new Promise<PredictMessage>((resolve, reject) => {
      pending.set(m.id, { resolve, reject });
      send(m);
    });
  const loaded = await new Promise<PredictMessage>((resolve) => {
    onLoaded = resolve;
    // A copy of the weights goes to the worker; the stored bytes stay intact.
    send({ type: 'load', model: { task: mv.task, pipeline: mv.pipeline, artifacts: mv.artifacts, weights: weights.slice(0) } });
  });
  if (loaded.type === 'error') {
    worker.terminate();
    throw new OutpostError('internal', loaded.message);
  }
  return {
    backend: loaded.type === 'loaded' ? loaded.backend : 'unknown',
    async predict(rows) {
      const m = await call({ type: 'predict', id: nextId++, rows });
      if (m.type !== 'result') throw new OutpostError('internal', 'Unexpected answer from the prediction worker.');
      return { outputs: m.outputs, latencyMs: m.latencyMs };
    },
    async stats() {
      const m = await call({ type: 'stats', id: nextId++ });
      if (m.type !== 'stats') throw new OutpostError('internal', 'Unexpected answer from the prediction worker.');
      return { numTensors: m.numTensors, numBytes: m.numBytes };
    },
    dispose() {
      worker.terminate();
      for (const p of pending.values()) p.reject(new Error('The model was unloaded.'));
      pending.clear();
    },
  };
}
