import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { EpochMetrics, EvalMetrics, TrainParams } from '@shared/schema/records.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import { classificationReport } from '@shared/metrics/classification.js';
import { mulberry32, shuffleInPlace } from '@shared/data/random.js';
import { photoTensorInput } from '@shared/images/photos.js';
import { SaidError } from '../said-error.js';
import { serialise, yieldToEventLoop, type TrainOptions } from './train.js';
import type { TrainResult } from './protocol.js';

/**
 * A small convolutional network trained on photos (docs/images.md), in the training worker. Three
 * blocks of a 3×3 convolution (8, 16, 32 filters, ReLU) and a 2×2 max pool take a 64×64 photo to
 * 8×8×32, averaged over the picture to 32 values; one dense layer (the run's first hidden layer,
 * 32 by default) and a softmax name the class. About 7,200 weights (28 KB), and the same
 * batch loop as the tabular network (seeded shuffles, `trainOnBatch`, progress and cancel between
 * batches). The model reads what the version's tensor input says: [side, side, 3], values 0–255
 * scaled to 0–1, so serving scales a photo exactly as training did.
 */

/** Photos for one part of the split: each photo's RGB pixels (side×side×3) and its class index. */
export interface PhotoSet {
  pixels: Uint8Array[];
  labels: number[];
}

export interface PhotoTrainInput {
  train: PhotoSet;
  validation: PhotoSet;
  /** Held apart: never trained or validated on, measured once at the end. */
  test: PhotoSet;
  classes: string[];
  side: number;
  params: TrainParams;
}

function buildCnn(side: number, classes: number, params: TrainParams): tfl.LayersModel {
  const model = tfl.sequential();
  [8, 16, 32].forEach((filters, i) => {
    model.add(
      tfl.layers.conv2d({
        filters,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        ...(i === 0 ? { inputShape: [side, side, 3] } : {}),
        kernelInitializer: tfl.initializers.heNormal({ seed: params.seed + i }),
      }),
    );
    model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  });
  // The mean of each filter over the picture, not every position: a tenth of the weights (a 2G
  // download of about 30 KB instead of 290 KB), and a leaf is the same leaf wherever it sits.
  model.add(tfl.layers.globalAveragePooling2d({}));
  model.add(
    tfl.layers.dense({ units: params.hiddenLayers[0] ?? 32, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: params.seed + 10 }) }),
  );
  model.add(tfl.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: params.seed + 1000 }) }));
  model.compile({ optimizer: tf.train.adam(params.learningRate), loss: 'categoricalCrossentropy' });
  return model;
}

/** A batch of photos as a [n, side, side, 3] tensor scaled to 0–1 (as the version's input says). */
function images(set: PhotoSet, idx: number[], side: number): tf.Tensor4D {
  const size = side * side * 3;
  const x = new Float32Array(idx.length * size);
  idx.forEach((p, i) => {
    const px = set.pixels[p];
    for (let j = 0; j < size; j++) x[i * size + j] = px[j] / 255;
  });
  return tf.tensor4d(x, [idx.length, side, side, 3]);
}

/** Class probabilities of a whole set (n × k), predicted in batches of 64 so a phone's memory holds. */
async function probabilities(model: tfl.LayersModel, set: PhotoSet, side: number, k: number): Promise<Float32Array> {
  const out = new Float32Array(set.labels.length * k);
  for (let from = 0; from < set.labels.length; from += 64) {
    const idx = Array.from({ length: Math.min(64, set.labels.length - from) }, (_, i) => from + i);
    const y = tf.tidy(() => model.predict(images(set, idx, side)) as tf.Tensor);
    try {
      out.set(await y.data(), from * k);
    } finally {
      y.dispose();
    }
  }
  return out;
}

function argmax(p: Float32Array, i: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (p[i * k + j] > p[i * k + best]) best = j;
  return best;
}

async function measure(model: tfl.LayersModel, set: PhotoSet, side: number, k: number): Promise<{ loss: number; metric: number }> {
  const p = await probabilities(model, set, side, k);
  let loss = 0;
  let hit = 0;
  set.labels.forEach((t, i) => {
    loss -= Math.log(Math.max(p[i * k + t], 1e-7));
    if (argmax(p, i, k) === t) hit++;
  });
  return { loss: loss / set.labels.length, metric: hit / set.labels.length };
}

async function report(model: tfl.LayersModel, set: PhotoSet, side: number, classes: string[]): Promise<EvalMetrics> {
  const k = classes.length;
  const p = await probabilities(model, set, side, k);
  return classificationReport(
    set.labels,
    set.labels.map((_, i) => argmax(p, i, k)),
    classes,
    p,
  );
}

/** Train the photo network. Every tensor made here is disposed; the same seed gives the same weights. */
export async function trainPhotoModel(input: PhotoTrainInput, opts: TrainOptions = {}): Promise<TrainResult> {
  const { train, validation, test, classes, side, params } = input;
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const k = classes.length;
  if (k < 2) throw new SaidError('dataset_invalid', { key: 'error.photoTwoLabels' });
  if (train.labels.length < 2) throw new SaidError('dataset_invalid', { key: 'error.photosTooFew', values: { count: train.labels.length } });
  const model = buildCnn(side, k, params);
  try {
    const rng = mulberry32(params.seed ^ 0x5eed);
    const order = Array.from({ length: train.labels.length }, (_, i) => i);
    const batches = Math.max(1, Math.ceil(order.length / params.batchSize));
    const epochs: EpochMetrics[] = [];
    let status: TrainResult['status'] = 'completed';
    let lastYield = now();
    training: for (let epoch = 0; epoch < params.epochs; epoch++) {
      shuffleInPlace(order, rng);
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        if (opts.shouldStop?.()) {
          status = 'cancelled';
          break training;
        }
        const idx = order.slice(b * params.batchSize, (b + 1) * params.batchSize);
        const xs = images(train, idx, side);
        const ys = tf.tidy(() =>
          tf.oneHot(
            tf.tensor1d(
              Int32Array.from(idx, (i) => train.labels[i]),
              'int32',
            ),
            k,
          ),
        );
        try {
          lossSum += ((await model.trainOnBatch(xs, ys)) as number) * idx.length;
        } finally {
          tf.dispose([xs, ys]);
        }
        opts.onBatchProgress?.((epoch * batches + b + 1) / (params.epochs * batches));
        if (now() - lastYield > 15) {
          await yieldToEventLoop();
          lastYield = now();
        }
      }
      if (!Number.isFinite(lossSum))
        throw new SaidError('training_failed', { key: 'error.trainDiverged', values: { epoch: epoch + 1, rate: String(params.learningRate / 10) } });
      // No pass over the training photos for their accuracy: on a phone's CPU it would cost as much as the epoch.
      const e: EpochMetrics = { epoch, loss: lossSum / order.length };
      if (validation.labels.length) {
        const v = await measure(model, validation, side, k);
        e.valLoss = v.loss;
        e.valMetric = v.metric;
      }
      epochs.push(e);
      opts.onEpoch?.(e);
      await yieldToEventLoop();
      lastYield = now();
    }
    // The figure a person reads: on the held-apart photos when there are any, else on validation.
    const judged = test.labels.length ? test : validation.labels.length ? validation : train;
    const metrics = await report(model, judged, side, classes);
    const saved = await serialise(model);
    const pipeline: FeaturePipeline = { version: 1, features: [], target: { name: params.target, kind: 'categorical', labels: classes } };
    return {
      status,
      pipeline,
      artifacts: { ...saved.artifacts, input: photoTensorInput(side), output: 'probabilities' },
      weights: saved.weights,
      epochs,
      metrics,
      trainRows: train.labels.length,
      validationRows: validation.labels.length,
      durationMs: now() - started,
      backend: opts.backendName ?? tf.getBackend(),
    };
  } finally {
    model.optimizer?.dispose();
    model.dispose();
  }
}
