import * as tf from '@tensorflow/tfjs-core';
import { JsDenseTrainer } from '@shared/models/dense-trainer.js';

/**
 * Mini-batch Adam for a dense network (ReLU hidden layers, softmax or linear output) written on
 * TensorFlow.js's core ops. A small tabular network spends its time dispatching ops, not in
 * arithmetic, so a step is kept to as few ops as the maths allows:
 * - the backward pass is written out (no gradient tape), forward passes use fused matMul with
 *   bias and activation, the same ops the layers model predicts with, so outputs are identical;
 * - every weight lives in one flat vector, so Adam runs once per step over all of them rather
 *   than once per weight, with its bias correction computed in JavaScript;
 * - the training rows are uploaded once, shuffled on the backend once per epoch and sliced per
 *   batch; the loss is summed on the backend and read back once per epoch.
 * Adam's update is TensorFlow.js's own (tf.train.adam with its default betas and epsilon), and
 * its state is exchanged in the layout `optimizer.getWeights()` uses, so checkpoints carry over.
 */

const BETA1 = 0.9;
const BETA2 = 0.999;

export type OutputKind = 'softmax' | 'linear';

/** Adam's state as `optimizer.getWeights()` lists it: the step count, then every first moment, then every second. */
export interface AdamState {
  iterations: number;
  firstMoments: tf.Tensor[];
  secondMoments: tf.Tensor[];
}

export class DenseTrainer {
  private readonly shapes: number[][];
  private readonly sizes: number[];
  private readonly params: tf.Variable;
  private readonly m: tf.Variable;
  private readonly v: tf.Variable;
  private readonly lossSum: tf.Variable;
  private readonly scoreSum: tf.Variable;
  private lastScore = 0;
  private readonly consts: Record<'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'epsilon', tf.Scalar>;
  /** 1 / rows or 2 / (rows × k) for the loss's gradient, by batch size (the last batch may be smaller). */
  private readonly gradScale = new Map<number, tf.Scalar>();
  private readonly epsilon = tf.backend().epsilon();
  private readonly x: tf.Tensor2D;
  private readonly y: tf.Tensor2D;
  /** The epoch's mini-batches as row indices into x and y, by start row. */
  private batches = new Map<number, tf.Tensor1D>();
  private iterations = 0;

  /**
   * @param weights kernel and bias of every layer in order (the layers model's `weights`), copied
   * @param x training rows, n × width; y their targets, n × k (one-hot classes, or values)
   */
  constructor(
    weights: tf.Tensor[],
    private readonly output: OutputKind,
    private readonly learningRate: number,
    x: Float32Array,
    y: Float32Array,
    private readonly n: number,
  ) {
    this.shapes = weights.map((w) => w.shape);
    this.sizes = weights.map((w) => w.size);
    const width = this.shapes[0][0];
    const k = this.shapes.at(-1)![0];
    [this.params, this.m, this.v, this.lossSum, this.scoreSum, this.x, this.y, this.consts] = tf.tidy(() => {
      const flat = tf.concat(weights.map((w) => tf.reshape(w, [-1])));
      return [
        tf.variable(flat, false),
        tf.variable(tf.zerosLike(flat), false),
        tf.variable(tf.zerosLike(flat), false),
        tf.variable(tf.scalar(0), false),
        tf.variable(tf.scalar(0), false),
        tf.tensor2d(x, [n, width]),
        tf.tensor2d(y, [n, k]),
        {
          beta1: tf.scalar(BETA1),
          oneMinusBeta1: tf.scalar(1 - BETA1),
          beta2: tf.scalar(BETA2),
          oneMinusBeta2: tf.scalar(1 - BETA2),
          epsilon: tf.scalar(this.epsilon),
        },
      ] as const;
    });
  }

  /** Carry on from this Adam state (the moments by position, flattened in the weights' order). */
  setAdamState(state: AdamState): void {
    this.iterations = state.iterations;
    tf.tidy(() => {
      this.m.assign(tf.concat(state.firstMoments.map((t) => tf.reshape(t, [-1]))));
      this.v.assign(tf.concat(state.secondMoments.map((t) => tf.reshape(t, [-1]))));
    });
  }

  /** Adam's state as new tensors, the caller disposes them. */
  adamState(): AdamState {
    return tf.tidy(() => {
      return { iterations: this.iterations, firstMoments: this.unflatten(this.m), secondMoments: this.unflatten(this.v) };
    });
  }

  /** The weights (kernel, bias per layer) as new tensors, the caller disposes them. */
  weights(): tf.Tensor[] {
    return tf.tidy(() => this.unflatten(this.params));
  }

  /**
   * Start an epoch: the training rows in this order, cut into batches of `batchSize`. Each batch is
   * gathered from the rows on the backend (the WASM backend's slice copies its whole input in JavaScript).
   */
  beginEpoch(order: ArrayLike<number>, batchSize: number): void {
    this.disposeEpoch();
    const all = Int32Array.from(order);
    for (let start = 0; start < all.length; start += batchSize) this.batches.set(start, tf.tensor1d(all.subarray(start, start + batchSize), 'int32'));
    tf.tidy(() => {
      this.lossSum.assign(tf.zerosLike(this.lossSum));
      this.scoreSum.assign(tf.zerosLike(this.scoreSum));
    });
  }

  /** One Adam step on the epoch's batch that starts at row `start` of its order. */
  step(start: number): void {
    const idx = this.batches.get(start);
    if (!idx) throw new Error(`No batch starts at row ${start} of this epoch`);
    const size = idx.size;
    this.iterations++;
    const t = this.iterations;
    tf.tidy(() => {
      const xb = tf.gather(this.x, idx) as tf.Tensor2D;
      const yb = tf.gather(this.y, idx);
      const w = this.unflatten(this.params);
      const layers = w.length / 2;
      // Forward, keeping each layer's input for the backward pass.
      const inputs: tf.Tensor2D[] = [xb];
      let z = xb;
      for (let l = 0; l < layers; l++) {
        const hidden = l < layers - 1;
        z = tf.fused.matMul({ a: z, b: w[2 * l] as tf.Tensor2D, bias: w[2 * l + 1], activation: hidden ? 'relu' : 'linear' }) as tf.Tensor2D;
        if (hidden) inputs.push(z);
      }
      // Gradient of the mean loss with respect to the output layer's pre-activation, and the batch's summed loss.
      let d: tf.Tensor2D;
      let batchLoss: tf.Scalar;
      let batchScore: tf.Scalar;
      const k = z.shape[1];
      if (this.output === 'softmax') {
        const p = tf.softmax(z);
        d = tf.mul(tf.sub(p, yb), this.scale(size, 1 / size));
        // The clip tfjs-layers' categoricalCrossentropy applies before the log.
        batchLoss = tf.neg(tf.sum(tf.mul(yb, tf.log(tf.clipByValue(p, this.epsilon, 1 - this.epsilon))))) as tf.Scalar;
        batchScore = tf.sum(tf.cast(tf.equal(tf.argMax(p, 1), tf.argMax(yb, 1)), 'float32'));
      } else {
        const diff = tf.sub(z, yb);
        d = tf.mul(diff, this.scale(size, 2 / (size * k)));
        batchLoss = tf.div(tf.sum(tf.square(diff)), tf.scalar(k));
        batchScore = tf.sum(tf.abs(diff));
      }
      this.lossSum.assign(tf.add(this.lossSum, batchLoss));
      this.scoreSum.assign(tf.add(this.scoreSum, batchScore));
      // Backward, output layer first.
      const grads: tf.Tensor[] = new Array(w.length);
      for (let l = layers - 1; l >= 0; l--) {
        const a = inputs[l];
        // Transposing first: the WASM backend's matMul with a transposed operand is several times slower than transpose + matMul.
        grads[2 * l] = tf.reshape(tf.matMul(tf.transpose(a), d), [-1]);
        grads[2 * l + 1] = tf.sum(d, 0);
        if (l > 0) d = tf.mul(tf.matMul(d, tf.transpose(w[2 * l] as tf.Tensor2D)), tf.step(a));
      }
      const g = tf.concat(grads);
      // Adam, as tf.train.adam computes it, with 1 - beta^t worked out here rather than kept in variables.
      const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon } = this.consts;
      const m = tf.add(tf.mul(this.m, beta1), tf.mul(g, oneMinusBeta1));
      const v = tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), oneMinusBeta2));
      const stepSize = tf.scalar(this.learningRate / (1 - BETA1 ** t));
      const secondCorrection = tf.scalar(1 / (1 - BETA2 ** t));
      const update = tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(tf.mul(v, secondCorrection)), epsilon));
      this.m.assign(m);
      this.v.assign(v);
      this.params.assign(tf.sub(this.params, update));
    });
  }

  /** The summed loss of the epoch's steps (read back from the backend once). */
  endEpoch(): number {
    this.disposeEpoch();
    const [loss, score] = tf.tidy(() => tf.stack([this.lossSum, this.scoreSum]).dataSync());
    this.lastScore = score;
    return loss;
  }

  /** What the epoch's steps scored on their own batches (see JsDenseTrainer.epochScore), read with the loss. */
  epochScore(): number {
    return this.lastScore;
  }

  /** The network's outputs (probabilities, or values) for these rows, flat n × k. */
  outputs(x: tf.Tensor2D): Float32Array {
    return tf.tidy(() => {
      const w = this.unflatten(this.params);
      const layers = w.length / 2;
      let z = x;
      for (let l = 0; l < layers; l++) {
        const hidden = l < layers - 1;
        z = tf.fused.matMul({ a: z, b: w[2 * l] as tf.Tensor2D, bias: w[2 * l + 1], activation: hidden ? 'relu' : 'linear' }) as tf.Tensor2D;
      }
      return (this.output === 'softmax' ? tf.softmax(z) : z).dataSync() as Float32Array;
    });
  }

  /** The training rows' outputs, in their original order. */
  trainOutputs(): Float32Array {
    return this.outputs(this.x);
  }

  dispose(): void {
    this.disposeEpoch();
    tf.dispose([this.params, this.m, this.v, this.lossSum, this.scoreSum, this.x, this.y, ...Object.values(this.consts), ...this.gradScale.values()]);
    this.gradScale.clear();
  }

  private disposeEpoch(): void {
    tf.dispose([...this.batches.values()]);
    this.batches.clear();
  }

  private scale(size: number, value: number): tf.Scalar {
    let s = this.gradScale.get(size);
    if (!s) {
      s = tf.keep(tf.scalar(value));
      this.gradScale.set(size, s);
    }
    return s;
  }

  private unflatten(flat: tf.Tensor): tf.Tensor[] {
    return tf.split(flat, this.sizes).map((part, i) => tf.reshape(part, this.shapes[i]));
  }
}

/**
 * Where the dense network trains: 'js' is plain TypeScript loops (shared/src/models/dense-trainer.ts),
 * 'tfjs' the ops above on the run's backend.
 */
export type TrainerEngine = 'js' | 'tfjs';

/**
 * Weights above which the WASM backend's matrix kernels (SIMD) outrun plain loops by more than
 * TensorFlow.js's per-op dispatch costs. CPU per step of 32 rows in Node 20, plain loops against
 * DenseTrainer on WASM: 30-32-16-2 (1.6k weights) 0.10 against 0.33-0.54 ms, 30-64-32-2 (4.1k) 0.26
 * against 0.34 ms, 30-128-64-2 (12k) 0.76 against 0.60-0.73 ms, 30-256-128-2 (41k) 2.5 against
 * 2.1 ms. On the CPU backend the loops were 6-9 times faster at every size up to 0.56M weights.
 */
export const WASM_JS_LIMIT = 8_000;

/**
 * Plain loops on the CPU and WASM backends, where a small network's step is all dispatch; TensorFlow.js
 * on a GPU backend, and on WASM for a network large enough that its kernels' speed tells.
 */
export function engineFor(backend: string, weightCount: number): TrainerEngine {
  if (backend === 'cpu') return 'js';
  if (backend === 'wasm') return weightCount <= WASM_JS_LIMIT ? 'js' : 'tfjs';
  return 'tfjs';
}

/** What train.ts drives, whichever engine steps: weights and Adam's state go in and out as tensors. */
export interface NetworkTrainer {
  readonly engine: TrainerEngine;
  setAdamState(state: AdamState): void;
  adamState(): AdamState;
  weights(): tf.Tensor[];
  beginEpoch(order: ArrayLike<number>, batchSize: number): void;
  step(start: number): void;
  endEpoch(): number;
  /** After endEpoch: the epoch's hits (classes) or summed absolute error (values) on its own batches. */
  epochScore(): number;
  /** Outputs for the training rows, and for the validation rows given at the start (empty without any). */
  trainOutputs(): Float32Array;
  valOutputs(): Float32Array;
  dispose(): void;
}

export interface NetworkTrainerInit {
  engine: TrainerEngine;
  /** Kernel and bias of every layer in order (the layers model's `weights`), copied. */
  weights: tf.Tensor[];
  output: OutputKind;
  learningRate: number;
  /** Training rows (n × width) and targets (n × k); validation rows (nVal × width). */
  x: Float32Array;
  y: Float32Array;
  n: number;
  valX: Float32Array;
  nVal: number;
}

export function newNetworkTrainer(init: NetworkTrainerInit): NetworkTrainer {
  return init.engine === 'js' ? new JsNetworkTrainer(init) : new TfNetworkTrainer(init);
}

class TfNetworkTrainer implements NetworkTrainer {
  readonly engine = 'tfjs';
  private readonly trainer: DenseTrainer;
  private readonly valX: tf.Tensor2D | undefined;

  constructor(init: NetworkTrainerInit) {
    this.trainer = new DenseTrainer(init.weights, init.output, init.learningRate, init.x, init.y, init.n);
    const width = init.weights[0].shape[0];
    this.valX = init.nVal ? tf.tensor2d(init.valX, [init.nVal, width]) : undefined;
  }
  setAdamState(state: AdamState): void {
    this.trainer.setAdamState(state);
  }
  adamState(): AdamState {
    return this.trainer.adamState();
  }
  weights(): tf.Tensor[] {
    return this.trainer.weights();
  }
  beginEpoch(order: ArrayLike<number>, batchSize: number): void {
    this.trainer.beginEpoch(order, batchSize);
  }
  step(start: number): void {
    this.trainer.step(start);
  }
  endEpoch(): number {
    return this.trainer.endEpoch();
  }
  epochScore(): number {
    return this.trainer.epochScore();
  }
  trainOutputs(): Float32Array {
    return this.trainer.trainOutputs();
  }
  valOutputs(): Float32Array {
    return this.valX ? this.trainer.outputs(this.valX) : new Float32Array(0);
  }
  dispose(): void {
    this.trainer.dispose();
    this.valX?.dispose();
  }
}

class JsNetworkTrainer implements NetworkTrainer {
  readonly engine = 'js';
  private readonly trainer: JsDenseTrainer;
  private readonly shapes: number[][];
  private readonly valX: Float32Array;
  private readonly nVal: number;

  constructor(init: NetworkTrainerInit) {
    this.shapes = init.weights.map((w) => w.shape);
    const kernels = this.shapes.filter((_, i) => i % 2 === 0);
    this.trainer = new JsDenseTrainer({
      units: [kernels[0][0], ...kernels.map((s) => s[1])],
      weights: init.weights.map((w) => w.dataSync() as Float32Array),
      output: init.output,
      learningRate: init.learningRate,
      // The backend's, as tf.train.adam and the loss's clip use it.
      epsilon: tf.backend().epsilon(),
      x: init.x,
      y: init.y,
      n: init.n,
    });
    this.valX = init.valX;
    this.nVal = init.nVal;
  }
  setAdamState(state: AdamState): void {
    const read = (ts: tf.Tensor[]) => ts.map((t) => t.dataSync() as Float32Array);
    this.trainer.setAdamState({ iterations: state.iterations, firstMoments: read(state.firstMoments), secondMoments: read(state.secondMoments) });
  }
  adamState(): AdamState {
    const s = this.trainer.adamState();
    return { iterations: s.iterations, firstMoments: this.tensors(s.firstMoments), secondMoments: this.tensors(s.secondMoments) };
  }
  weights(): tf.Tensor[] {
    return this.tensors(this.trainer.weights());
  }
  beginEpoch(order: ArrayLike<number>, batchSize: number): void {
    this.trainer.beginEpoch(order, batchSize);
  }
  step(start: number): void {
    this.trainer.step(start);
  }
  endEpoch(): number {
    return this.trainer.endEpoch();
  }
  epochScore(): number {
    return this.trainer.epochScore();
  }
  trainOutputs(): Float32Array {
    return this.trainer.trainOutputs();
  }
  valOutputs(): Float32Array {
    return this.trainer.outputs(this.valX, this.nVal);
  }
  dispose(): void {}
  private tensors(parts: Float32Array[]): tf.Tensor[] {
    return parts.map((p, i) => tf.tensor(p, this.shapes[i], 'float32'));
  }
}
