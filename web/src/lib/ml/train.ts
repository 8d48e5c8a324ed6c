import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ColumnInfo, EpochMetrics, TfjsArtifacts, TrainParams } from '@shared/schema/records.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import { splitRows } from '@shared/data/split.js';
import { mulberry32, shuffleInPlace } from '@shared/data/random.js';
import { OutpostError, isOutpostError } from '@shared/errors.js';
import { quantizeWeights, type QuantizationDtype } from '@shared/registry/quantize.js';
import type { Row } from '@shared/data/columns.js';
import type { TrainCheckpoint, TrainInit, TrainResult } from './protocol.js';
import { engineFor, newNetworkTrainer, type AdamState, type NetworkTrainer } from './train-step.js';
import { SaidError } from '../said-error.js';
import { prepareData, reportOutputs, scoreOutputs, type Data } from './tabular-data.js';

export { splitRows };

export interface TrainOptions {
  onEpoch?: (e: EpochMetrics) => void;
  /** Fraction of all mini-batches done, after every batch (the worker throttles what it posts). */
  onBatchProgress?: (fraction: number) => void;
  /** Checked between batches; returning true ends training with status 'cancelled'. */
  shouldStop?: () => boolean;
  /** Recorded as the result's backend; defaults to `tf.getBackend()`. */
  backendName?: string;
  /** Wall clock for the duration (injected so the core stays testable). */
  now?: () => number;
  /** Also make the weights smaller in this form (the project asks for smaller downloads); see `smaller`. */
  quantization?: QuantizationDtype;
  /** Start from these weights (and, carrying on, this Adam state after these epochs); see TrainInit. */
  init?: TrainInit;
  /** Apply this fitted pipeline instead of fitting one (a fine-tune keeps its parent's). */
  pipeline?: FeaturePipeline;
  /** After an epoch, at most every `checkpointEveryMs` and always after the last: what carrying on needs. */
  onCheckpoint?: (c: TrainCheckpoint) => void;
  checkpointEveryMs?: number;
}

/** Build the dense network. Initialisers are seeded, so the same seed gives the same model. */
function buildModel(inputWidth: number, outputWidth: number, params: TrainParams): tfl.LayersModel {
  const model = tfl.sequential();
  params.hiddenLayers.forEach((units, i) => {
    model.add(
      tfl.layers.dense({
        units,
        activation: 'relu',
        inputShape: i === 0 ? [inputWidth] : undefined,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: params.seed + i }),
      }),
    );
  });
  model.add(
    tfl.layers.dense({
      units: outputWidth,
      activation: params.task === 'classification' ? 'softmax' : 'linear',
      inputShape: params.hiddenLayers.length === 0 ? [inputWidth] : undefined,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: params.seed + 1000 }),
    }),
  );
  // Not compiled: DenseTrainer optimises its weights (categorical cross-entropy or squared error, Adam).
  return model;
}

/** Serialise a model into its topology, weight specs and one weight buffer. */
export async function serialise(model: tfl.LayersModel): Promise<{ artifacts: TfjsArtifacts; weights: ArrayBuffer }> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.weightSpecs || !saved.weightData) throw new OutpostError('training_failed', 'The trained model could not be saved.');
  const data = saved.weightData;
  const weights = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data as ArrayBuffer);
  return { artifacts: { format: 'tfjs-layers', modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs as TfjsArtifacts['weightSpecs'] }, weights };
}

/**
 * The trained weights made smaller, or undefined when these weights cannot be (a weight too large
 * for a half float): the version then keeps only its full weights, and every device downloads those.
 */
export function smaller(artifacts: TfjsArtifacts, weights: ArrayBuffer, dtype: QuantizationDtype): TrainResult['quantized'] {
  try {
    return { dtype, ...quantizeWeights(artifacts.weightSpecs, weights, dtype) };
  } catch (err) {
    if (isOutpostError(err)) return undefined;
    throw err;
  }
}

/**
 * Give the event loop a turn so a worker can receive a cancel message. A MessageChannel round
 * trip is not clamped to 4 ms the way nested setTimeout calls are; one channel serves every
 * turn, as making a channel costs more than a message through it. Node has setImmediate, and
 * there a port left listening would keep the process alive.
 */
let turns: { port: MessagePort; waiting: (() => void)[] } | undefined;
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (g.setImmediate) {
    const immediate = g.setImmediate;
    return new Promise((resolve) => void immediate(resolve));
  }
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  if (!turns) {
    const ch = new MessageChannel();
    const waiting: (() => void)[] = [];
    ch.port1.onmessage = () => waiting.shift()?.();
    turns = { port: ch.port2, waiting };
  }
  const t = turns;
  return new Promise((resolve) => {
    t.waiting.push(resolve);
    t.port.postMessage(null);
  });
}
const YIELD_EVERY_MS = 15;

/**
 * Train a dense network on tabular rows. The split is seeded (stratified for classification);
 * the feature pipeline is fitted on the training rows only. A hand-written loop of Adam steps
 * (train-step.ts: plain loops on the CPU and WASM backends, TensorFlow.js ops on a GPU) over seeded shuffles (model.fit shuffles with Math.random) keeps runs
 * reproducible and lets progress and cancel be checked between batches; the layers model holds
 * the initial and the trained weights and saves them. Every tensor made here is disposed.
 */
export async function trainModel(rows: Row[], params: TrainParams, columns: ColumnInfo[], opts: TrainOptions = {}): Promise<TrainResult> {
  // The other families load only when asked for (docs/model-families.md).
  if (opts.init && (params.family ?? 'network') !== 'network') throw new SaidError('bad_request', { key: 'fineTune.networkOnly' });
  if (params.family === 'linear') return (await import('./train-linear.js')).trainLinear(rows, params, columns, opts);
  if (params.family === 'forest') return (await import('./train-forest.js')).trainForest(rows, params, columns, opts);
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const data = prepareData(rows, params, columns, opts.pipeline);
  const { pipeline } = data;
  const model = buildModel(data.width, data.k, params);
  let trainer: NetworkTrainer | undefined;
  try {
    if (opts.init) startFrom(model, opts.init);
    trainer = newTrainer(model, data, params);
    if (opts.init?.optimizer) {
      const state = adamStateOf(opts.init.optimizer, model.weights.length);
      try {
        trainer.setAdamState(state);
      } finally {
        tf.dispose([...state.firstMoments, ...state.secondMoments]);
      }
    }
    const { status, epochs } = await fitEpochs(trainer, model, data, params, opts, now);
    const weights = trainer.weights();
    try {
      model.setWeights(weights);
    } finally {
      tf.dispose(weights);
    }
    const hasVal = data.valSet.y.length > 0;
    const metrics = reportOutputs(pipeline, hasVal ? data.valSet : data.trainSet, hasVal ? trainer.valOutputs() : trainer.trainOutputs());
    const serialised = await serialise(model);
    const quantized = status === 'completed' && opts.quantization ? smaller(serialised.artifacts, serialised.weights, opts.quantization) : undefined;
    return {
      status,
      pipeline,
      artifacts: serialised.artifacts,
      weights: serialised.weights,
      epochs,
      metrics,
      trainRows: data.trainRows,
      validationRows: data.validationRows,
      durationMs: (opts.init?.elapsedMs ?? 0) + now() - started,
      backend: opts.backendName ?? tf.getBackend(),
      ...(quantized ? { quantized } : {}),
    };
  } finally {
    trainer?.dispose();
    model.dispose();
  }
}

/**
 * The optimiser over the model's starting weights and the training rows (targets one-hot for
 * classes): plain loops on the CPU and WASM backends, TensorFlow.js ops elsewhere (engineFor).
 */
function newTrainer(model: tfl.LayersModel, { trainSet, valSet, k, pipeline }: Data, params: TrainParams): NetworkTrainer {
  const n = trainSet.y.length;
  const y = new Float32Array(n * k);
  if (pipeline.target.kind === 'categorical') trainSet.y.forEach((t, i) => (y[i * k + t] = 1));
  else y.set(trainSet.y);
  const weights = model.weights.map((w) => w.read());
  return newNetworkTrainer({
    engine: engineFor(
      tf.getBackend(),
      weights.reduce((sum, w) => sum + w.size, 0),
    ),
    weights,
    output: params.task === 'classification' ? 'softmax' : 'linear',
    learningRate: params.learningRate,
    x: trainSet.x,
    y,
    n,
    valX: valSet.x,
    nVal: valSet.y.length,
  });
}

/** Weights as decoded tensors, in the order they were encoded. */
function decoded(specs: TrainInit['weightSpecs'], bytes: ArrayBuffer): { name: string; tensor: tf.Tensor }[] {
  const map = tf.io.decodeWeights(bytes, specs as tf.io.WeightsManifestEntry[]);
  return specs.map((s) => ({ name: s.name, tensor: map[s.name] }));
}

/** Set starting weights by position (layer names differ between builds), refusing weights of another shape. */
function startFrom(model: tfl.LayersModel, init: TrainInit): void {
  const weights = decoded(init.weightSpecs, init.weights);
  try {
    const shapes = model.weights.map((w) => w.shape.join('x'));
    if (weights.length !== shapes.length || weights.some((w, i) => w.tensor.shape.join('x') !== shapes[i]))
      throw new SaidError('bad_request', { key: 'fineTune.otherShape' });
    // setWeights copies the tensors it is given into its own variables.
    model.setWeights(weights.map((w) => w.tensor));
  } finally {
    tf.dispose(weights.map((w) => w.tensor));
  }
}

/** Carrying on: Adam's state as a checkpoint encoded it (`optimizer.getWeights()`'s layout: step count, first moments, second moments). */
function adamStateOf(encoded: NonNullable<TrainInit['optimizer']>, count: number): AdamState {
  const state = decoded(encoded.weightSpecs, encoded.weights).map((w) => w.tensor);
  if (state.length !== 1 + 2 * count) {
    tf.dispose(state);
    throw new SaidError('bad_request', { key: 'fineTune.otherShape' });
  }
  const iterations = state[0].dataSync()[0];
  state[0].dispose();
  return { iterations, firstMoments: state.slice(1, 1 + count), secondMoments: state.slice(1 + count) };
}

/** The weights and Adam state after an epoch, encoded as a version's weights and `optimizer.getWeights()` are. */
async function checkpointOf(
  trainer: NetworkTrainer,
  model: tfl.LayersModel,
  pipeline: FeaturePipeline,
  epochs: EpochMetrics[],
  elapsedMs: number,
): Promise<TrainCheckpoint> {
  const names = model.weights.map((w) => w.name);
  const values = trainer.weights();
  const adam = trainer.adamState();
  const iter = tf.scalar(adam.iterations, 'int32');
  try {
    const weights = await tf.io.encodeWeights(values.map((tensor, i) => ({ name: `w${i}`, tensor })));
    const optimizer = await tf.io.encodeWeights([
      { name: 'iter', tensor: iter },
      ...adam.firstMoments.map((tensor, i) => ({ name: `${names[i]}/m`, tensor })),
      ...adam.secondMoments.map((tensor, i) => ({ name: `${names[i]}/v`, tensor })),
    ]);
    return {
      weightSpecs: weights.specs as TrainCheckpoint['weightSpecs'],
      weights: asBuffer(weights.data),
      optimizer: { weightSpecs: optimizer.specs as TrainCheckpoint['weightSpecs'], weights: asBuffer(optimizer.data) },
      epochs: [...epochs],
      pipeline,
      elapsedMs,
    };
  } finally {
    tf.dispose([...values, ...adam.firstMoments, ...adam.secondMoments, iter]);
  }
}
const asBuffer = (d: tf.io.WeightData): ArrayBuffer => (Array.isArray(d) ? tf.io.concatenateArrayBuffers(d) : (d as ArrayBuffer));

/** Accuracy from the epoch's hits, or the mean absolute error in the target's own units (the targets are standardised for training). */
function trainMetric(p: FeaturePipeline, score: number, n: number): number {
  return p.target.kind === 'categorical' ? score / n : (score / n) * p.target.std;
}

/** The epoch loop: seeded shuffles, one Adam step per mini-batch, progress, cancel and divergence checks. */
async function fitEpochs(
  trainer: NetworkTrainer,
  model: tfl.LayersModel,
  { pipeline, trainSet, valSet }: Data,
  params: TrainParams,
  opts: TrainOptions,
  now: () => number,
): Promise<{ status: TrainResult['status']; epochs: EpochMetrics[] }> {
  const rng = mulberry32(params.seed ^ 0x5eed);
  const epochs: EpochMetrics[] = [...(opts.init?.optimizer ? (opts.init.epochs ?? []) : [])];
  const nTrain = trainSet.y.length;
  const batchesPerEpoch = Math.max(1, Math.ceil(nTrain / params.batchSize));
  const totalSteps = params.epochs * batchesPerEpoch;
  const order = Array.from({ length: nTrain }, (_, i) => i);
  // Carrying on: the epochs done are skipped, their shuffles replayed so the next sees the order it would have.
  for (let epoch = 0; epoch < epochs.length; epoch++) shuffleInPlace(order, rng);
  const started = now();
  let lastCheckpoint = started;
  let lastYield = now();
  for (let epoch = epochs.length; epoch < params.epochs; epoch++) {
    shuffleInPlace(order, rng);
    trainer.beginEpoch(order, params.batchSize);
    for (let b = 0; b < batchesPerEpoch; b++) {
      if (opts.shouldStop?.()) return { status: 'cancelled', epochs };
      if (b * params.batchSize < nTrain) trainer.step(b * params.batchSize);
      opts.onBatchProgress?.((epoch * batchesPerEpoch + b + 1) / totalSteps);
      if (now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    const lossSum = trainer.endEpoch();
    if (!Number.isFinite(lossSum)) {
      throw new OutpostError(
        'training_failed',
        `Training diverged in epoch ${epoch + 1} (the loss is no longer a number). Lower the learning rate (for example to ${params.learningRate / 10}) and train again.`,
      );
    }
    // The training figure is what the epoch's own batches scored (as Keras reports it), not a second pass over the rows.
    const e: EpochMetrics = { epoch, loss: lossSum / nTrain, metric: trainMetric(pipeline, trainer.epochScore(), nTrain) };
    if (valSet.y.length) {
      const va = scoreOutputs(pipeline, valSet, trainer.valOutputs());
      e.valLoss = va.loss;
      e.valMetric = va.metric;
    }
    epochs.push(e);
    opts.onEpoch?.(e);
    const last = epoch === params.epochs - 1;
    if (opts.onCheckpoint && (last || now() - lastCheckpoint >= (opts.checkpointEveryMs ?? 3000))) {
      opts.onCheckpoint(await checkpointOf(trainer, model, pipeline, epochs, (opts.init?.elapsedMs ?? 0) + now() - started));
      lastCheckpoint = now();
    }
    await yieldToEventLoop();
    lastYield = now();
  }
  return { status: 'completed', epochs };
}
