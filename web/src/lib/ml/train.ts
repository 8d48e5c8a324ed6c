import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ColumnInfo, EpochMetrics, EvalMetrics, TfjsArtifacts, TrainParams } from '@shared/schema/records.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import { splitRows } from '@shared/data/split.js';
import { mulberry32, shuffleInPlace } from '@shared/data/random.js';
import { OutpostError, isOutpostError } from '@shared/errors.js';
import { quantizeWeights, type QuantizationDtype } from '@shared/registry/quantize.js';
import type { Row } from '@shared/data/columns.js';
import type { TrainResult } from './protocol.js';
import { prepareData, reportOutputs, scoreOutputs, type Data, type Prepared } from './tabular-data.js';

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
  model.compile({
    optimizer: tf.train.adam(params.learningRate),
    loss: params.task === 'classification' ? 'categoricalCrossentropy' : 'meanSquaredError',
  });
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
 * trip is not clamped to 4 ms the way nested setTimeout calls are.
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}
const YIELD_EVERY_MS = 15;

/**
 * Train a dense network on tabular rows. The split is seeded (stratified for classification);
 * the feature pipeline is fitted on the training rows only. A hand-written loop of `trainOnBatch`
 * over seeded shuffles (model.fit shuffles with Math.random) keeps runs reproducible and lets
 * progress and cancel be checked between batches. Every tensor made here is disposed.
 */
export async function trainModel(rows: Row[], params: TrainParams, columns: ColumnInfo[], opts: TrainOptions = {}): Promise<TrainResult> {
  // The other families load only when asked for (docs/model-families.md).
  if (params.family === 'linear') return (await import('./train-linear.js')).trainLinear(rows, params, columns, opts);
  if (params.family === 'forest') return (await import('./train-forest.js')).trainForest(rows, params, columns, opts);
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const data = prepareData(rows, params, columns);
  const { pipeline } = data;
  const model = buildModel(data.width, data.k, params);
  try {
    const { status, epochs } = await fitEpochs(model, data, params, opts, now);
    const metrics = finalMetrics(model, pipeline, data.valSet.y.length ? data.valSet : data.trainSet, data.width);
    const { artifacts, weights } = await serialise(model);
    const quantized = status === 'completed' && opts.quantization ? smaller(artifacts, weights, opts.quantization) : undefined;
    return {
      status,
      pipeline,
      artifacts,
      weights,
      epochs,
      metrics,
      trainRows: data.trainRows,
      validationRows: data.validationRows,
      durationMs: now() - started,
      backend: opts.backendName ?? tf.getBackend(),
      ...(quantized ? { quantized } : {}),
    };
  } finally {
    // The optimizer was made here, not by the model, so the model does not dispose its slots.
    model.optimizer?.dispose();
    model.dispose();
  }
}

/** The epoch loop: seeded shuffles, one `trainOnBatch` per mini-batch, progress, cancel and divergence checks. */
async function fitEpochs(
  model: tfl.LayersModel,
  { pipeline, trainSet, valSet, width }: Data,
  params: TrainParams,
  opts: TrainOptions,
  now: () => number,
): Promise<{ status: TrainResult['status']; epochs: EpochMetrics[] }> {
  const rng = mulberry32(params.seed ^ 0x5eed);
  const epochs: EpochMetrics[] = [];
  const nTrain = trainSet.y.length;
  const batchesPerEpoch = Math.max(1, Math.ceil(nTrain / params.batchSize));
  const totalSteps = params.epochs * batchesPerEpoch;
  const order = Array.from({ length: nTrain }, (_, i) => i);
  let lastYield = now();
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    shuffleInPlace(order, rng);
    let lossSum = 0;
    for (let b = 0; b < batchesPerEpoch; b++) {
      if (opts.shouldStop?.()) return { status: 'cancelled', epochs };
      const idx = order.slice(b * params.batchSize, (b + 1) * params.batchSize);
      const [xs, ys] = batchTensors(trainSet, idx, width, pipeline);
      try {
        lossSum += ((await model.trainOnBatch(xs, ys)) as number) * idx.length;
      } finally {
        tf.dispose([xs, ys]);
      }
      opts.onBatchProgress?.((epoch * batchesPerEpoch + b + 1) / totalSteps);
      if (now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    if (!Number.isFinite(lossSum)) {
      throw new OutpostError(
        'training_failed',
        `Training diverged in epoch ${epoch + 1} (the loss is no longer a number). Lower the learning rate (for example to ${params.learningRate / 10}) and train again.`,
      );
    }
    const e: EpochMetrics = { epoch, loss: lossSum / nTrain, metric: evaluate(model, pipeline, trainSet, width).metric };
    if (valSet.y.length) {
      const va = evaluate(model, pipeline, valSet, width);
      e.valLoss = va.loss;
      e.valMetric = va.metric;
    }
    epochs.push(e);
    opts.onEpoch?.(e);
    await yieldToEventLoop();
    lastYield = now();
  }
  return { status: 'completed', epochs };
}

function batchTensors(set: Prepared, idx: number[], width: number, p: FeaturePipeline): [tf.Tensor2D, tf.Tensor2D] {
  const x = new Float32Array(idx.length * width);
  idx.forEach((row, i) => x.set(set.x.subarray(row * width, (row + 1) * width), i * width));
  const xs = tf.tensor2d(x, [idx.length, width]);
  if (p.target.kind === 'categorical') {
    const k = p.target.labels.length;
    const y = new Float32Array(idx.length * k);
    idx.forEach((row, i) => (y[i * k + set.y[row]] = 1));
    return [xs, tf.tensor2d(y, [idx.length, k])];
  }
  return [xs, tf.tensor2d(Float32Array.from(idx.map((row) => set.y[row])), [idx.length, 1])];
}

/** Predicted outputs for a prepared set, as a flat array (n x k). */
function predictFlat(model: tfl.LayersModel, set: Prepared, width: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(set.x, [set.y.length, width])) as tf.Tensor).dataSync() as Float32Array);
}

function evaluate(model: tfl.LayersModel, p: FeaturePipeline, set: Prepared, width: number): { loss: number; metric: number } {
  return scoreOutputs(p, set, predictFlat(model, set, width));
}

function finalMetrics(model: tfl.LayersModel, p: FeaturePipeline, set: Prepared, width: number): EvalMetrics {
  return reportOutputs(p, set, predictFlat(model, set, width));
}
