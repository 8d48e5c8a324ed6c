import type { ColumnInfo, EpochMetrics, ModelVersion, PredictionOutput, TrainParams } from '@shared/schema/records.js';
import { OutpostError, type ErrorCode } from '@shared/errors.js';
import type { Explanation, Importance } from '@shared/explain/shapley.js';
import type { ModelDescription } from '@shared/registry/import.js';
import {
  PredictMessage,
  TrainMessage,
  type BackendName,
  type ExplainTarget,
  type LoadableModel,
  type PredictRequest,
  type TrainCheckpoint,
  type TrainInit,
  type TrainRequest,
  type TrainResult,
} from './protocol.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import { SaidError, saidOf } from '../said-error.js';

/** A worker's error on this side: said in the person's language when the worker sent its message, else in its words. */
function workerError(m: { code: ErrorCode; message: string; said?: { key: string } }): OutpostError {
  const said = saidOf(m);
  return said ? new SaidError(m.code, said) : new OutpostError(m.code, m.message);
}

type Row = Record<string, string | number | null>;
/** Makes the worker; tests pass an in-process stand-in because Node has no Web Workers. */
export type WorkerFactory = () => Worker;

const trainWorker: WorkerFactory = () => new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' });
const predictWorker: WorkerFactory = () => new Worker(new URL('./predict.worker.ts', import.meta.url), { type: 'module' });

export interface TrainInput {
  rows: Row[];
  columns: ColumnInfo[];
  params: TrainParams;
  backend?: BackendName;
  /** Also make the trained weights smaller (the project asks for smaller downloads). */
  quantization?: Extract<TrainRequest, { type: 'train' }>['quantization'];
  /** Start from these weights (a fine-tune, or a run carried on) instead of fresh ones. */
  init?: TrainInit;
  /** Apply this fitted pipeline instead of fitting one. */
  pipeline?: FeaturePipeline;
  /** Ask for a checkpoint after an epoch at most this often (see TrainCallbacks.onCheckpoint). */
  checkpointEveryMs?: number;
}

/** Photos to train the photo network on (docs/images.md); their PNG buffers are transferred, not copied. */
export type PhotoTrainRequest = Extract<TrainRequest, { type: 'train-photos' }>;

export interface TrainCallbacks {
  /** The backend the worker settled on, before the first batch. */
  onStarted?: (backend: string) => void;
  onEpoch?: (e: EpochMetrics) => void;
  onProgress?: (fraction: number) => void;
  /** What carrying on after this epoch needs (weights, Adam state, epochs so far). */
  onCheckpoint?: (c: TrainCheckpoint) => void;
}

export interface TrainJob {
  promise: Promise<TrainResult>;
  /** Ask the worker to stop after the current batch; the promise resolves with status 'cancelled'. */
  cancel(): void;
}

/** If a cancelled worker has not answered by then, it is ended and the promise rejects. */
const CANCEL_GRACE_MS = 10_000;

/**
 * Train in a fresh module worker; the worker ends when training does. Every message from the
 * worker is parsed with the protocol schema before it is believed.
 */
export function train(input: TrainInput | PhotoTrainRequest, callbacks: TrainCallbacks = {}, createWorker: WorkerFactory = trainWorker): TrainJob {
  const worker = createWorker();
  let settled = false;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  let fail: (e: Error) => void = () => {};
  const promise = new Promise<TrainResult>((resolve, reject) => {
    fail = reject;
    worker.onmessage = (ev: MessageEvent) => {
      const parsed = TrainMessage.safeParse(ev.data);
      if (!parsed.success) return reject(new SaidError('training_failed', { key: 'error.trainWorkerOdd' }));
      const m = parsed.data;
      if (m.type === 'started') callbacks.onStarted?.(m.backend);
      else if (m.type === 'epoch') callbacks.onEpoch?.(m.epoch);
      else if (m.type === 'progress') callbacks.onProgress?.(m.fraction);
      else if (m.type === 'checkpoint') callbacks.onCheckpoint?.(m.checkpoint);
      else if (m.type === 'done') resolve(m.result);
      else reject(workerError(m));
    };
    worker.onerror = (ev: ErrorEvent) =>
      reject(new SaidError('training_failed', { key: 'error.trainWorkerStopped', values: { reason: ev.message || 'unknown error' } }));
    worker.onmessageerror = () => reject(new SaidError('training_failed', { key: 'error.trainWorkerUnread' }));
  }).finally(() => {
    settled = true;
    clearTimeout(graceTimer);
    worker.terminate();
  });
  const request: TrainRequest =
    'type' in input
      ? input
      : {
          type: 'train',
          rows: input.rows,
          columns: input.columns,
          params: input.params,
          backend: input.backend,
          ...(input.quantization ? { quantization: input.quantization } : {}),
          ...(input.init ? { init: input.init } : {}),
          ...(input.pipeline ? { pipeline: input.pipeline } : {}),
          ...(input.checkpointEveryMs !== undefined ? { checkpointEveryMs: input.checkpointEveryMs } : {}),
        };
  // Starting weights are copied, not transferred: the caller's (a stored checkpoint, a version's blob) stay readable.
  worker.postMessage(request, request.type === 'train-photos' ? request.photos.map((p) => p.png) : []);
  return {
    promise,
    cancel() {
      if (settled) return;
      worker.postMessage({ type: 'cancel' } satisfies TrainRequest);
      graceTimer ??= setTimeout(() => fail(new SaidError('training_failed', { key: 'error.trainEnded' })), CANCEL_GRACE_MS);
    },
  };
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/**
 * How to explain: `samples` permutations per row (each costs one predicted row per input), a seed
 * for reproducibility, and the scalar explained (for a classifier, usually the predicted class).
 */
export interface ExplainOptions {
  samples: number;
  seed: number;
  explain: ExplainTarget;
}

/** A batch's answers in order, with each row's latency and the whole batch's time. */
export interface PredictAnswer {
  outputs: PredictionOutput[];
  latencyMs: number[];
  batchMs: number;
}

/** What a predictor needs of a model version: its metadata (the weights come separately). */
export type PredictableModel = Pick<ModelVersion, 'task' | 'pipeline' | 'artifacts'> & Partial<Pick<ModelVersion, 'decision'>>;

/**
 * One model version loaded in its own prediction worker. Keeps the latest per-row latencies so
 * the screen (and the monitor) can show p50/p95 without re-reading the log.
 */
export class Predictor {
  static readonly LATENCY_WINDOW = 1000;
  #worker: Worker;
  #nextId = 1;
  #pending = new Map<number, { resolve: (m: PredictMessage) => void; reject: (e: Error) => void }>();
  #onLoad: ((m: PredictMessage) => void) | null = null;
  #latencies: number[] = [];
  #disposed = false;
  backend = 'unknown';

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.onmessage = (ev: MessageEvent) => this.#receive(ev.data);
    worker.onerror = (ev: ErrorEvent) =>
      this.#failAll(new SaidError('internal', { key: 'error.predictWorkerStopped', values: { reason: ev.message || 'unknown error' } }));
  }

  /** Load a model version into a fresh worker. The weights are copied; the caller's stay intact. */
  static async load(
    model: PredictableModel,
    weights: ArrayBuffer,
    opts: { backend?: BackendName; createWorker?: WorkerFactory; weightSpecs?: LoadableModel['weightSpecs'] } = {},
  ): Promise<Predictor> {
    const p = new Predictor((opts.createWorker ?? predictWorker)());
    const copy = weights.slice(0);
    const loaded = await new Promise<PredictMessage>((resolve) => {
      p.#onLoad = resolve;
      const req: PredictRequest = {
        type: 'load',
        model: {
          task: model.task,
          pipeline: model.pipeline,
          artifacts: model.artifacts,
          weights: copy,
          threshold: model.decision?.threshold,
          ...(opts.weightSpecs ? { weightSpecs: opts.weightSpecs } : {}),
        },
        backend: opts.backend,
      };
      p.#worker.postMessage(req, [copy]);
    });
    if (loaded.type !== 'loaded') {
      p.dispose();
      throw loaded.type === 'error' ? workerError(loaded) : new SaidError('internal', { key: 'error.modelNotLoaded' });
    }
    p.backend = loaded.backend;
    return p;
  }

  /** Predict rows (original units in, original units out) and record each row's latency. */
  async predict(rows: Row[]): Promise<PredictAnswer> {
    return this.#result(await this.#call({ type: 'predict', id: this.#nextId++, rows }));
  }

  /** Predict items of a model that reads a tensor (each a nested array of its input shape). */
  async predictTensors(items: unknown[]): Promise<PredictAnswer> {
    return this.#result(await this.#call({ type: 'predict-tensors', id: this.#nextId++, items }));
  }

  /** A batch's answer, its latencies kept for latency(). */
  #result(m: PredictMessage): PredictAnswer {
    if (m.type !== 'result') throw new SaidError('internal', { key: 'error.predictWorkerOdd' });
    this.#latencies.push(...m.latencyMs);
    if (this.#latencies.length > Predictor.LATENCY_WINDOW) this.#latencies.splice(0, this.#latencies.length - Predictor.LATENCY_WINDOW);
    return { outputs: m.outputs, latencyMs: m.latencyMs, batchMs: m.batchMs };
  }

  /** Per-row latency over the last LATENCY_WINDOW rows (nearest-rank percentiles). */
  latency(): LatencySummary {
    const s = [...this.#latencies].sort((a, b) => a - b);
    const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : 0);
    return {
      count: s.length,
      meanMs: s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      maxMs: s.length ? s[s.length - 1] : 0,
    };
  }

  /**
   * Why the model gave this row its output: sampling Shapley values of each input against
   * `background` (training rows), computed in the worker (shared/src/explain/shapley.ts). Costs
   * 1 + samples·inputs predicted rows; predictions sent meanwhile wait their turn.
   */
  async explain(row: Row, background: Row[], opts: ExplainOptions): Promise<{ explanation: Explanation; durationMs: number }> {
    const m = await this.#call({ type: 'explain', id: this.#nextId++, row, background, ...opts });
    if (m.type !== 'explanation') throw new SaidError('internal', { key: 'error.predictWorkerOdd' });
    return { explanation: m.explanation, durationMs: m.durationMs };
  }

  /** Which inputs matter most over `rows`: mean |Shapley value| per input (rows·(1 + samples·inputs) predicted rows). */
  async importance(rows: Row[], background: Row[], opts: ExplainOptions): Promise<{ importance: Importance; durationMs: number }> {
    const m = await this.#call({ type: 'importance', id: this.#nextId++, rows, background, ...opts });
    if (m.type !== 'importance') throw new SaidError('internal', { key: 'error.predictWorkerOdd' });
    return { importance: m.importance, durationMs: m.durationMs };
  }

  /** Live tensor count and bytes inside the worker (to check that nothing leaks). */
  async stats(): Promise<{ numTensors: number; numBytes: number }> {
    const m = await this.#call({ type: 'stats', id: this.#nextId++ });
    if (m.type !== 'stats') throw new SaidError('internal', { key: 'error.predictWorkerOdd' });
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }

  dispose(): void {
    this.#disposed = true;
    this.#worker.terminate();
    this.#failAll(new SaidError('internal', { key: 'error.modelUnloaded' }));
  }

  #call(m: Extract<PredictRequest, { id: number }>): Promise<PredictMessage> {
    if (this.#disposed) return Promise.reject(new SaidError('internal', { key: 'error.modelUnloadedLoad' }));
    return new Promise((resolve, reject) => {
      this.#pending.set(m.id, { resolve, reject });
      this.#worker.postMessage(m);
    });
  }

  #receive(data: unknown): void {
    const parsed = PredictMessage.safeParse(data);
    if (!parsed.success) return this.#failAll(new SaidError('internal', { key: 'error.predictWorkerOddLoad' }));
    const m = parsed.data;
    const id = 'id' in m ? m.id : undefined;
    if (id === undefined) return this.#onLoad?.(m);
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    if (m.type === 'error') p.reject(workerError(m));
    else p.resolve(m);
  }

  #failAll(e: Error): void {
    this.#onLoad?.({ type: 'error', code: 'internal', message: e.message, ...(saidOf(e) ? { said: saidOf(e) } : {}) });
    this.#onLoad = null;
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }
}

/** Load a model version into its own prediction worker (same as `Predictor.load`). */
export function createPredictor(
  mv: PredictableModel,
  weights: ArrayBuffer,
  opts?: { backend?: BackendName; createWorker?: WorkerFactory },
): Promise<Predictor> {
  return Predictor.load(mv, weights, opts);
}

/** A model file being imported, as the prediction worker opens it. */
export type ModelFile = Extract<PredictRequest, { type: 'describe' }>['file'];

/**
 * Open a model file in a worker of its own (nothing is kept loaded) and say what its inputs and
 * outputs are; a file the runtime cannot open is refused with its sentence. The bytes are copied.
 */
export async function describeModelFile(file: ModelFile, createWorker: WorkerFactory = predictWorker): Promise<ModelDescription> {
  const worker = createWorker();
  try {
    return await new Promise<ModelDescription>((resolve, reject) => {
      worker.onmessage = (ev: MessageEvent) => {
        const parsed = PredictMessage.safeParse(ev.data);
        if (!parsed.success) return reject(new SaidError('internal', { key: 'error.predictWorkerOddReload' }));
        const m = parsed.data;
        if (m.type === 'described') resolve(m.description);
        else if (m.type === 'error') reject(workerError(m));
      };
      worker.onerror = (ev: ErrorEvent) =>
        reject(new SaidError('internal', { key: 'error.modelFileUnopened', values: { reason: ev.message || 'the worker stopped' } }));
      const copy = file.format === 'onnx' ? { ...file, bytes: file.bytes.slice(0) } : { ...file, weights: file.weights.slice(0) };
      worker.postMessage({ type: 'describe', id: 1, file: copy } satisfies PredictRequest);
    });
  } finally {
    worker.terminate();
  }
}
