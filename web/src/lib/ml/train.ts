import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ColumnInfo, EpochMetrics, EvalMetrics, TfjsArtifacts, TrainParams } from '../../../../shared/src/schema/records.js';
import type { FeaturePipeline } from '../../../../shared/src/schema/pipeline.js';
import { encodeTarget, featureWidth, fitPipeline, transformRows, decodeRegression } from '../../../../shared/src/features/pipeline.js';
import { randomSplit, stratifiedSplit } from '../../../../shared/src/data/split.js';
import { mulberry32, shuffleInPlace } from '../../../../shared/src/data/random.js';
import { classificationReport } from '../../../../shared/src/metrics/classification.js';
import { regressionReport, mae } from '../../../../shared/src/metrics/regression.js';
import { OutpostError } from '../../../../shared/src/errors.js';
import { isMissing, type Row } from '../../../../shared/src/data/columns.js';

export interface TrainHooks {
  onEpoch?: (e: EpochMetrics) => void;
  onProgress?: (fraction: number) => void;
  shouldStop?: () => boolean;
  /** Wall clock for the duration (injected so the core stays testable). */
  now?: () => number;
}

export interface TrainResult {
  status: 'completed' | 'cancelled';
  pipeline: FeaturePipeline;
  artifacts: TfjsArtifacts;
  weights: ArrayBuffer;
  epochs: EpochMetrics[];
  metrics: EvalMetrics;
  trainRows: number;
  validationRows: number;
  durationMs: number;
  backend: string;
}

/** Build the dense network. Initialisers are seeded, so the same seed gives the same model. */
export function buildModel(inputWidth: number, outputWidth: number, params: TrainParams): tfl.LayersModel {
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
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
  if (!saved?.weightSpecs || !saved.weightData) throw new OutpostError('training_failed', 'The trained model could not be saved.');
  const data = saved.weightData;
  const weights = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : (data as ArrayBuffer);
  return { artifacts: { format: 'tfjs-layers', modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs as TfjsArtifacts['weightSpecs'] }, weights };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Train a dense network on tabular rows. The split is seeded (stratified for classification);
 * the feature pipeline is fitted on the training rows only. A hand-written loop of `trainOnBatch`
 * over seeded shuffles (model.fit shuffles with Math.random) keeps runs reproducible and lets
 * progress and cancel be checked between batches. Every tensor made here is disposed.
 */
export async function trainModel(rows: Row[], columns: ColumnInfo[], params: TrainParams, hooks: TrainHooks = {}): Promise<TrainResult> {
  const now = hooks.now ?? (() => performance.now());
  const started = now();
  const usable = rows.filter((r) => !isMissing(r[params.target]));
  if (usable.length < 4) throw new OutpostError('dataset_invalid', `Only ${usable.length} rows have a value for “${params.target}”; add more rows.`);
  const split =
    params.task === 'classification'
      ? stratifiedSplit(usable.map((r) => String(r[params.target]).trim()), params.validationFraction, params.seed)
      : randomSplit(usable.length, params.validationFraction, params.seed);
  const trainRows = split.train.map((i) => usable[i]);
  const valRows = split.validation.map((i) => usable[i]);
  const pipeline = fitPipeline(trainRows, params.features, columns, params.target, params.task);
  const trainSet = prepare(pipeline, trainRows);
  const valSet = prepare(pipeline, valRows);
  const width = featureWidth(pipeline);
  const k = pipeline.target.kind === 'categorical' ? pipeline.target.labels.length : 1;
  const model = buildModel(width, k, params);
  const rng = mulberry32(params.seed ^ 0x5eed);
  const epochs: EpochMetrics[] = [];
  const nTrain = trainSet.y.length;
  const batchesPerEpoch = Math.max(1, Math.ceil(nTrain / params.batchSize));
  const totalSteps = params.epochs * batchesPerEpoch;
  let status: TrainResult['status'] = 'completed';
  try {
    const order = Array.from({ length: nTrain }, (_, i) => i);
    outer: for (let epoch = 0; epoch < params.epochs; epoch++) {
      shuffleInPlace(order, rng);
      let lossSum = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        if (hooks.shouldStop?.()) {
          status = 'cancelled';
          break outer;
        }
        const idx = order.slice(b * params.batchSize, (b + 1) * params.batchSize);
        const [xs, ys] = batchTensors(trainSet, idx, width, pipeline);
        const loss = (await model.trainOnBatch(xs, ys)) as number;
        tf.dispose([xs, ys]);
        lossSum += loss * idx.length;
        hooks.onProgress?.((epoch * batchesPerEpoch + b + 1) / totalSteps);
        if (b % 8 === 7) await tick();
      }
      const e: EpochMetrics = { epoch, loss: lossSum / nTrain };
      const tr = evaluate(model, pipeline, trainSet, width);
      e.metric = tr.metric;
      if (valSet.y.length) {
        const va = evaluate(model, pipeline, valSet, width);
        e.valLoss = va.loss;
        e.valMetric = va.metric;
      }
      epochs.push(e);
      hooks.onEpoch?.(e);
      await tick();
    }
    const evalSet = valSet.y.length ? valSet : trainSet;
    const metrics = finalMetrics(model, pipeline, evalSet, width);
    const { artifacts, weights } = await serialise(model);
    return {
      status,
      pipeline,
      artifacts,
      weights,
      epochs,
      metrics,
      trainRows: trainRows.length,
      validationRows: valRows.length,
      durationMs: now() - started,
      backend: tf.getBackend(),
    };
  } finally {
    // The optimizer was made here, not by the model, so the model does not dispose its slots.
    model.optimizer?.dispose();
    model.dispose();
  }
}

interface Prepared {
  x: Float32Array;
  /** class index, or standardised target */
  y: number[];
}

function prepare(p: FeaturePipeline, rows: Row[]): Prepared {
  const kept = rows.filter((r) => encodeTarget(p, r) !== null);
  return { x: transformRows(p, kept), y: kept.map((r) => encodeTarget(p, r)!) };
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
  const out = predictFlat(model, set, width);
  if (p.target.kind === 'categorical') {
    const k = p.target.labels.length;
    let loss = 0;
    let hit = 0;
    set.y.forEach((t, i) => {
      loss -= Math.log(Math.max(out[i * k + t], 1e-7));
      let best = 0;
      for (let j = 1; j < k; j++) if (out[i * k + j] > out[i * k + best]) best = j;
      if (best === t) hit++;
    });
    return { loss: loss / set.y.length, metric: hit / set.y.length };
  }
  let loss = 0;
  set.y.forEach((t, i) => (loss += (out[i] - t) ** 2));
  const y = set.y.map((t) => decodeRegression(p, t));
  const yHat = Array.from(out, (v) => decodeRegression(p, v));
  return { loss: loss / set.y.length, metric: mae(y, yHat) };
}

function finalMetrics(model: tfl.LayersModel, p: FeaturePipeline, set: Prepared, width: number): EvalMetrics {
  const out = predictFlat(model, set, width);
  if (p.target.kind === 'categorical') {
    const k = p.target.labels.length;
    const pred = set.y.map((_, i) => {
      let best = 0;
      for (let j = 1; j < k; j++) if (out[i * k + j] > out[i * k + best]) best = j;
      return best;
    });
    return classificationReport(set.y, pred, p.target.labels, out);
  }
  return regressionReport(
    set.y.map((t) => decodeRegression(p, t)),
    Array.from(out, (v) => decodeRegression(p, v)),
  );
}
