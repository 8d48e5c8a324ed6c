/**
 * Mini-batch Adam for a dense network (ReLU hidden layers, softmax or linear output) in plain
 * TypeScript over typed arrays. A small tabular network costs far less arithmetic per step than
 * a tensor library spends dispatching its ops, so the whole step is a few loops here:
 * - every buffer is made once (activations, gradients, batch rows), so a step allocates nothing;
 * - weights are row-major (a kernel is inputs × outputs, as TensorFlow.js's Dense layer holds it)
 *   and every inner loop walks contiguous memory;
 * - sums are taken in float64 and the weights and Adam moments are kept in float32, the form a
 *   saved model and a checkpoint hold them in, so carrying on from either gives the same numbers.
 * Adam is tf.train.adam's: betas 0.9 and 0.999, the caller's epsilon (the backend's, 1e-7 for
 * float32), bias correction by 1 - beta^t. Loss is categorical cross-entropy with probabilities
 * clipped to [epsilon, 1 - epsilon] (as tfjs-layers computes it) or the squared error averaged
 * over outputs. Pure and deterministic: the same weights, rows and orders give the same bits.
 */

const BETA1 = 0.9;
const BETA2 = 0.999;

export type DenseOutput = 'softmax' | 'linear';

/** Adam's state in `optimizer.getWeights()`'s order: the step count, every first moment, every second. */
export interface DenseAdamState {
  iterations: number;
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

export interface DenseTrainerInit {
  /** Units per layer, input first: [30, 32, 16, 2] is 30 features, two hidden layers, two outputs. */
  units: number[];
  /** Kernel then bias of every layer in order, copied. */
  weights: ArrayLike<number>[];
  output: DenseOutput;
  learningRate: number;
  epsilon: number;
  /** Training rows, n × units[0], and their targets, n × k (one-hot classes, or values). */
  x: Float32Array;
  y: Float32Array;
  n: number;
}

/** Rows in a forward pass's buffers at once; outputs for more rows are made in blocks of this many. */
const BLOCK = 64;

export class JsDenseTrainer {
  private readonly units: number[];
  private readonly layers: number;
  private readonly output: DenseOutput;
  private readonly learningRate: number;
  private readonly epsilon: number;
  private readonly x: Float32Array;
  private readonly y: Float32Array;
  private readonly n: number;
  /** Every weight, layer by layer (kernel, then bias); kernels and biases are views into it. */
  private readonly params: Float32Array;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly grad: Float64Array;
  private readonly offsets: number[];
  private readonly kernels: Float32Array[];
  /**
   * Each kernel in float64 as it is (inputs × outputs) and transposed (outputs × inputs), refreshed
   * after every step, so every product below is one kind of contiguous dot product (see abt).
   */
  private readonly kernels64: Float64Array[];
  private readonly kernelsT: Float64Array[];
  private readonly biases: Float32Array[];
  private readonly kernelGrads: Float64Array[];
  private readonly biasGrads: Float64Array[];
  /** Per layer, the activations of a block of rows (layer 0 the input rows), and the loss's gradient with respect to them. */
  private readonly acts: Float64Array[];
  private readonly deltas: Float64Array[];
  /** A layer's input and its output's delta transposed (units × rows), so each kernel gradient is a contiguous dot product over the batch. */
  private actT: Float64Array;
  private deltaT: Float64Array;
  private order = new Int32Array(0);
  private batchSize = 1;
  private lossSum = 0;
  private scoreSum = 0;
  private iterations = 0;

  constructor(init: DenseTrainerInit) {
    this.units = [...init.units];
    this.layers = this.units.length - 1;
    this.output = init.output;
    this.learningRate = init.learningRate;
    this.epsilon = init.epsilon;
    this.x = init.x;
    this.y = init.y;
    this.n = init.n;
    const sizes = this.sizes();
    if (init.weights.length !== sizes.length || init.weights.some((w, i) => w.length !== sizes[i]))
      throw new Error(`Weights do not fit a ${this.units.join('-')} network`);
    const total = sizes.reduce((a, b) => a + b, 0);
    this.params = new Float32Array(total);
    this.m = new Float32Array(total);
    this.v = new Float32Array(total);
    this.grad = new Float64Array(total);
    this.offsets = [];
    let at = 0;
    sizes.forEach((size, i) => {
      this.offsets.push(at);
      this.params.set(init.weights[i], at);
      at += size;
    });
    const view = <T extends Float32Array | Float64Array>(a: T, i: number): T => a.subarray(this.offsets[i], this.offsets[i] + sizes[i]) as T;
    this.kernels = [];
    this.kernelsT = [];
    this.kernels64 = [];
    this.biases = [];
    this.kernelGrads = [];
    this.biasGrads = [];
    for (let l = 0; l < this.layers; l++) {
      this.kernels.push(view(this.params, 2 * l));
      this.kernelsT.push(new Float64Array(this.units[l] * this.units[l + 1]));
      this.kernels64.push(new Float64Array(this.units[l] * this.units[l + 1]));
      this.biases.push(view(this.params, 2 * l + 1));
      this.kernelGrads.push(view(this.grad, 2 * l));
      this.biasGrads.push(view(this.grad, 2 * l + 1));
    }
    this.acts = this.units.map((u) => new Float64Array(BLOCK * u));
    this.deltas = this.units.map((u) => new Float64Array(BLOCK * u));
    const widest = Math.max(...this.units);
    this.actT = new Float64Array(BLOCK * widest);
    this.deltaT = new Float64Array(BLOCK * widest);
    this.transposeKernels();
  }

  private transposeKernels(): void {
    for (let l = 0; l < this.layers; l++) {
      const ni = this.units[l];
      const no = this.units[l + 1];
      const w = this.kernels[l];
      const wt = this.kernelsT[l];
      this.kernels64[l].set(w);
      for (let i = 0; i < ni; i++) for (let j = 0; j < no; j++) wt[j * ni + i] = w[i * no + j];
    }
  }

  /** Kernel and bias sizes, layer by layer. */
  private sizes(): number[] {
    const out: number[] = [];
    for (let l = 0; l < this.layers; l++) out.push(this.units[l] * this.units[l + 1], this.units[l + 1]);
    return out;
  }

  private split(flat: Float32Array): Float32Array[] {
    return this.sizes().map((size, i) => flat.slice(this.offsets[i], this.offsets[i] + size));
  }

  /** Carry on from this Adam state (moments by weight, in the weights' order). */
  setAdamState(state: DenseAdamState): void {
    const sizes = this.sizes();
    const fits = (ms: ArrayLike<number>[]) => ms.length === sizes.length && ms.every((mo, i) => mo.length === sizes[i]);
    if (!fits(state.firstMoments) || !fits(state.secondMoments)) throw new Error(`Adam's state does not fit a ${this.units.join('-')} network`);
    this.iterations = state.iterations;
    state.firstMoments.forEach((mo, i) => this.m.set(mo, this.offsets[i]));
    state.secondMoments.forEach((mo, i) => this.v.set(mo, this.offsets[i]));
  }

  /** Adam's state, copied. */
  adamState(): DenseAdamState {
    return { iterations: this.iterations, firstMoments: this.split(this.m), secondMoments: this.split(this.v) };
  }

  /** The weights (kernel, bias per layer), copied. */
  weights(): Float32Array[] {
    return this.split(this.params);
  }

  /** Start an epoch: the training rows in this order, cut into batches of `batchSize`. */
  beginEpoch(order: ArrayLike<number>, batchSize: number): void {
    if (this.order.length !== order.length) this.order = new Int32Array(order.length);
    this.order.set(order);
    this.batchSize = batchSize;
    this.lossSum = 0;
    this.scoreSum = 0;
    if (batchSize > this.acts[0].length / this.units[0]) {
      this.acts.forEach((_, l) => {
        this.acts[l] = new Float64Array(batchSize * this.units[l]);
        this.deltas[l] = new Float64Array(batchSize * this.units[l]);
      });
      this.actT = new Float64Array(batchSize * Math.max(...this.units));
      this.deltaT = new Float64Array(batchSize * Math.max(...this.units));
    }
  }

  /** One Adam step on the epoch's batch that starts at row `start` of its order. */
  step(start: number): void {
    if (start < 0 || start >= this.order.length || start % this.batchSize !== 0) throw new Error(`No batch starts at row ${start} of this epoch`);
    const size = Math.min(this.batchSize, this.order.length - start);
    const width = this.units[0];
    const input = this.acts[0];
    for (let r = 0; r < size; r++) {
      const row = this.order[start + r] * width;
      for (let i = 0; i < width; i++) input[r * width + i] = this.x[row + i];
    }
    this.forward(size);
    this.lossSum += this.outputDelta(start, size);
    this.backward(size);
    this.adam();
  }

  /** The summed loss of the epoch's steps. */
  endEpoch(): number {
    return this.lossSum;
  }

  /**
   * What the epoch's steps scored on their own batches, before each step's update (as Keras
   * reports a training metric): rows whose most likely class was the true one, or the summed
   * absolute error of the values. It saves a second pass over the training rows every epoch.
   */
  epochScore(): number {
    return this.scoreSum;
  }

  /** The network's outputs (probabilities, or values) for these rows (n × units[0]), flat n × k. */
  outputs(x: Float32Array, n: number): Float32Array {
    const width = this.units[0];
    const k = this.units[this.layers];
    const out = new Float32Array(n * k);
    const block = this.acts[0].length / width;
    const input = this.acts[0];
    const last = this.acts[this.layers];
    for (let start = 0; start < n; start += block) {
      const size = Math.min(block, n - start);
      for (let i = 0; i < size * width; i++) input[i] = x[start * width + i];
      this.forward(size);
      if (this.output === 'softmax') this.softmax(size);
      for (let i = 0; i < size * k; i++) out[start * k + i] = last[i];
    }
    return out;
  }

  /** The training rows' outputs, in their original order. */
  trainOutputs(): Float32Array {
    return this.outputs(this.x, this.n);
  }

  /** Dense layers over the first `size` rows of acts[0]; the last layer's pre-activation stays in its buffer. */
  private forward(size: number): void {
    for (let l = 0; l < this.layers; l++) {
      const ni = this.units[l];
      const no = this.units[l + 1];
      const a = this.acts[l];
      const o = this.acts[l + 1];
      const wt = this.kernelsT[l];
      const b = this.biases[l];
      const hidden = l < this.layers - 1;
      abt(a, wt, o, size, no, ni);
      for (let r = 0; r < size; r++) {
        const ro = r * no;
        for (let j = 0; j < no; j++) {
          const z = o[ro + j] + b[j];
          o[ro + j] = hidden && !(z > 0) ? 0 : z;
        }
      }
    }
  }

  /** Softmax over the last layer's outputs in place. */
  private softmax(size: number): void {
    const k = this.units[this.layers];
    const z = this.acts[this.layers];
    for (let r = 0; r < size; r++) {
      const at = r * k;
      let max = -Infinity;
      for (let j = 0; j < k; j++) if (z[at + j] > max) max = z[at + j];
      let sum = 0;
      for (let j = 0; j < k; j++) sum += z[at + j] = Math.exp(z[at + j] - max);
      for (let j = 0; j < k; j++) z[at + j] /= sum;
    }
  }

  /** The mean loss's gradient with respect to the last layer's pre-activation, into its delta; returns the batch's summed loss. */
  private outputDelta(start: number, size: number): number {
    const k = this.units[this.layers];
    const z = this.acts[this.layers];
    const d = this.deltas[this.layers];
    const y = this.y;
    let loss = 0;
    if (this.output === 'softmax') {
      this.softmax(size);
      const lo = this.epsilon;
      const hi = 1 - this.epsilon;
      let hits = 0;
      for (let r = 0; r < size; r++) {
        const yr = this.order[start + r] * k;
        let best = 0;
        let truth = 0;
        for (let j = 0; j < k; j++) {
          const p = z[r * k + j];
          const t = y[yr + j];
          if (t !== 0) loss -= t * Math.log(p < lo ? lo : p > hi ? hi : p);
          d[r * k + j] = (p - t) / size;
          if (p > z[r * k + best]) best = j;
          if (t > y[yr + truth]) truth = j;
        }
        if (best === truth) hits++;
      }
      this.scoreSum += hits;
    } else {
      const scale = 2 / (size * k);
      let absError = 0;
      for (let r = 0; r < size; r++) {
        const yr = this.order[start + r] * k;
        for (let j = 0; j < k; j++) {
          const diff = z[r * k + j] - y[yr + j];
          loss += diff * diff;
          absError += Math.abs(diff);
          d[r * k + j] = diff * scale;
        }
      }
      this.scoreSum += absError;
      loss /= k;
    }
    return loss;
  }

  /** Gradients of every weight, output layer first; the deltas of hidden layers pass through ReLU's derivative. */
  private backward(size: number): void {
    for (let l = this.layers - 1; l >= 0; l--) {
      const ni = this.units[l];
      const no = this.units[l + 1];
      const a = this.acts[l];
      const d = this.deltas[l + 1];
      const g = this.kernelGrads[l];
      const gb = this.biasGrads[l];
      const aT = this.actT;
      const dT = this.deltaT;
      for (let r = 0; r < size; r++) {
        for (let i = 0; i < ni; i++) aT[i * size + r] = a[r * ni + i];
        for (let j = 0; j < no; j++) dT[j * size + r] = d[r * no + j];
      }
      for (let j = 0; j < no; j++) {
        let s = 0;
        for (let r = 0; r < size; r++) s += dT[j * size + r];
        gb[j] = s;
      }
      abt(aT, dT, g, ni, no, size);
      if (l === 0) break;
      const dp = this.deltas[l];
      abt(d, this.kernels64[l], dp, size, ni, no);
      // a is a ReLU's output: its derivative is 0 where it is 0.
      for (let i = 0; i < size * ni; i++) if (!(a[i] > 0)) dp[i] = 0;
    }
  }

  private adam(): void {
    this.iterations++;
    const t = this.iterations;
    const stepSize = this.learningRate / (1 - BETA1 ** t);
    const secondCorrection = 1 / (1 - BETA2 ** t);
    const { params, m, v, grad, epsilon } = this;
    for (let i = 0; i < params.length; i++) {
      const g = grad[i];
      m[i] = BETA1 * m[i] + (1 - BETA1) * g;
      v[i] = BETA2 * v[i] + (1 - BETA2) * g * g;
      // The moments as stored (float32), as TensorFlow.js updates the weights from them.
      params[i] -= (m[i] * stepSize) / (Math.sqrt(v[i] * secondCorrection) + epsilon);
    }
    this.transposeKernels();
  }
}

/**
 * C = A·Bᵀ for row-major A (p × t), B (q × t), C (p × q): every entry a dot product over contiguous
 * memory. Two rows of A and four of B at a time give eight independent sums, which keeps the
 * floating-point adder busy (one running sum waits on its own latency) and needs six loads for
 * eight multiply-adds: about 2.5 times as fast as one sum at a time on V8 (Node 20).
 */
function abt(A: Float64Array, B: Float64Array, C: Float64Array, P: number, Q: number, T: number): void {
  let p = 0;
  for (; p + 1 < P; p += 2) {
    const a0 = p * T;
    const a1 = a0 + T;
    const c0 = p * Q;
    const c1 = c0 + Q;
    let q = 0;
    for (; q + 3 < Q; q += 4) {
      const b0 = q * T;
      const b1 = b0 + T;
      const b2 = b1 + T;
      const b3 = b2 + T;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let t = 0; t < T; t++) {
        const x0 = A[a0 + t];
        const x1 = A[a1 + t];
        const w0 = B[b0 + t];
        const w1 = B[b1 + t];
        const w2 = B[b2 + t];
        const w3 = B[b3 + t];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
      }
      C[c0 + q] = s00;
      C[c0 + q + 1] = s01;
      C[c0 + q + 2] = s02;
      C[c0 + q + 3] = s03;
      C[c1 + q] = s10;
      C[c1 + q + 1] = s11;
      C[c1 + q + 2] = s12;
      C[c1 + q + 3] = s13;
    }
    for (; q + 1 < Q; q += 2) {
      const b0 = q * T;
      const b1 = b0 + T;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      for (let t = 0; t < T; t++) {
        const x0 = A[a0 + t];
        const x1 = A[a1 + t];
        const w0 = B[b0 + t];
        const w1 = B[b1 + t];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s10 += x1 * w0;
        s11 += x1 * w1;
      }
      C[c0 + q] = s00;
      C[c0 + q + 1] = s01;
      C[c1 + q] = s10;
      C[c1 + q + 1] = s11;
    }
    if (q < Q) {
      const b0 = q * T;
      let s0 = 0;
      let s1 = 0;
      for (let t = 0; t < T; t++) {
        s0 += A[a0 + t] * B[b0 + t];
        s1 += A[a1 + t] * B[b0 + t];
      }
      C[c0 + q] = s0;
      C[c1 + q] = s1;
    }
  }
  if (p < P) {
    const a0 = p * T;
    for (let q = 0; q < Q; q++) {
      const b0 = q * T;
      let s = 0;
      for (let t = 0; t < T; t++) s += A[a0 + t] * B[b0 + t];
      C[p * Q + q] = s;
    }
  }
}
