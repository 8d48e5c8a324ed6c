import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ColumnInfo, EpochMetrics, TrainParams } from '@shared/schema/records.js';
import type { Row } from '@shared/data/columns.js';
import { fitRidge, linearOutputs, logisticSteps, type LinearFit } from '@shared/models/linear.js';
import type { TrainResult } from './protocol.js';
import { prepareData, reportOutputs, scoreOutputs, type Data } from './tabular-data.js';
import { serialise, smaller, yieldToEventLoop, type TrainOptions } from './train.js';
import { LINEAR_DEFAULTS } from './defaults.js';

const YIELD_EVERY_MS = 15;

/** The fit as one Dense layer (softmax for classes), so it is kept and served like the network. */
async function asLayers(fit: LinearFit, classes: boolean): Promise<Awaited<ReturnType<typeof serialise>>> {
  const model = tfl.sequential({
    layers: [tfl.layers.dense({ units: fit.outputs, inputShape: [fit.width], activation: classes ? 'softmax' : 'linear' })],
  });
  try {
    const [kernel, bias] = [tf.tensor2d(Float32Array.from(fit.kernel), [fit.width, fit.outputs]), tf.tensor1d(Float32Array.from(fit.bias))];
    model.layers[0].setWeights([kernel, bias]);
    tf.dispose([kernel, bias]);
    return await serialise(model);
  } finally {
    model.dispose();
  }
}

/** An iteration's figures on the training and validation rows, as a network's epoch reports them. */
function stepMetrics(data: Data, fit: LinearFit, step: number, classes: boolean): EpochMetrics {
  const { pipeline, trainSet, valSet } = data;
  const tr = scoreOutputs(pipeline, trainSet, linearOutputs(fit, trainSet.x, trainSet.y.length, classes));
  const e: EpochMetrics = { epoch: step, loss: tr.loss, metric: tr.metric };
  if (valSet.y.length) {
    const va = scoreOutputs(pipeline, valSet, linearOutputs(fit, valSet.x, valSet.y.length, classes));
    e.valLoss = va.loss;
    e.valMetric = va.metric;
  }
  return e;
}

/**
 * Train the linear family (shared/src/models/linear.ts) on the same split and feature pipeline as
 * the network: logistic regression by L-BFGS to convergence, one recorded step per iteration
 * (at most LINEAR_DEFAULTS.maxIter, so the curves draw like a network's epochs), or ridge
 * regression in closed form (one step). The fit is plain JavaScript on the CPU ('cpu' is the
 * run's backend); it is then written into a one-layer TensorFlow.js model.
 */
export async function trainLinear(rows: Row[], params: TrainParams, columns: ColumnInfo[], opts: TrainOptions = {}): Promise<TrainResult> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const data = prepareData(rows, params, columns);
  const classes = data.pipeline.target.kind === 'categorical';
  const l2 = params.l2 ?? LINEAR_DEFAULTS.l2;
  const lin = { x: data.trainSet.x, width: data.width, y: data.trainSet.y, k: data.k };
  const epochs: EpochMetrics[] = [];
  let status: TrainResult['status'] = 'completed';
  let fit: LinearFit;
  if (!classes) {
    fit = fitRidge(lin, l2);
    opts.onBatchProgress?.(1);
  } else {
    const steps = logisticSteps(lin, l2, { maxIter: LINEAR_DEFAULTS.maxIter, tol: 1e-8 });
    let latest: LinearFit | undefined;
    let lastYield = now();
    for (;;) {
      const r = steps.next();
      if (r.done) {
        fit = r.value;
        break;
      }
      latest = r.value;
      const e = stepMetrics(data, latest, epochs.length, classes);
      epochs.push(e);
      opts.onEpoch?.(e);
      opts.onBatchProgress?.(epochs.length / LINEAR_DEFAULTS.maxIter);
      if (opts.shouldStop?.()) {
        status = 'cancelled';
        fit = latest;
        break;
      }
      if (now() - lastYield > YIELD_EVERY_MS) {
        await yieldToEventLoop();
        lastYield = now();
      }
    }
  }
  // Ridge has one step; a logistic fit already optimal at zero has none: record where it ended.
  if (epochs.length === 0) {
    const e = stepMetrics(data, fit, 0, classes);
    epochs.push(e);
    opts.onEpoch?.(e);
  }
  const scored = data.valSet.y.length ? data.valSet : data.trainSet;
  const { artifacts, weights } = await asLayers(fit, classes);
  const linear = { ...artifacts, family: 'linear' as const };
  const quantized = status === 'completed' && opts.quantization ? smaller(linear, weights, opts.quantization) : undefined;
  return {
    status,
    pipeline: data.pipeline,
    artifacts: linear,
    weights,
    epochs,
    metrics: reportOutputs(data.pipeline, scored, linearOutputs(fit, scored.x, scored.y.length, classes)),
    trainRows: data.trainRows,
    validationRows: data.validationRows,
    durationMs: now() - started,
    backend: 'cpu',
    ...(quantized ? { quantized } : {}),
  };
}
