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
  private readonly biases: Float32Array[];
  private readonly kernelGrads: Float64Array[];
  private readonly biasGrads: Float64Array[];
  /** Per layer, the activations of a block of rows (layer 0 the input rows), and the loss's gradient with respect to them. */
  private readonly acts: Float64Array[];
  private readonly deltas: Float64Array[];
  private order = new Int32Array(0);
  private batchSize = 1;
  private lossSum = 0;
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
    this.biases = [];
    this.kernelGrads = [];
    this.biasGrads = [];
    for (let l = 0; l < this.layers; l++) {
      this.kernels.push(view(this.params, 2 * l));
      this.biases.push(view(this.params, 2 * l + 1));
      this.kernelGrads.push(view(this.grad, 2 * l));
      this.biasGrads.push(view(this.grad, 2 * l + 1));
    }
    this.acts = this.units.map((u) => new Float64Array(BLOCK * u));
    this.deltas = this.units.map((u) => new Float64Array(BLOCK * u));
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
    if (batchSize > this.acts[0].length / this.units[0]) {
      this.acts.forEach((_, l) => {
        this.acts[l] = new Float64Array(batchSize * this.units[l]);
        this.deltas[l] = new Float64Array(batchSize * this.units[l]);
      });
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
      const w = this.kernels[l];
      const b = this.biases[l];
      const hidden = l < this.layers - 1;
      for (let r = 0; r < size; r++) {
        const ro = r * no;
        for (let j = 0; j < no; j++) o[ro + j] = b[j];
        const ra = r * ni;
        for (let i = 0; i < ni; i++) {
          const ai = a[ra + i];
          if (ai === 0) continue;
          const wi = i * no;
          for (let j = 0; j < no; j++) o[ro + j] += ai * w[wi + j];
        }
        if (hidden) for (let j = 0; j < no; j++) if (!(o[ro + j] > 0)) o[ro + j] = 0;
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
      for (let r = 0; r < size; r++) {
        const yr = this.order[start + r] * k;
        for (let j = 0; j < k; j++) {
          const p = z[r * k + j];
          const t = y[yr + j];
          if (t !== 0) loss -= t * Math.log(p < lo ? lo : p > hi ? hi : p);
          d[r * k + j] = (p - t) / size;
        }
      }
    } else {
      const scale = 2 / (size * k);
      for (let r = 0; r < size; r++) {
        const yr = this.order[start + r] * k;
        for (let j = 0; j < k; j++) {
          const diff = z[r * k + j] - y[yr + j];
          loss += diff * diff;
          d[r * k + j] = diff * scale;
        }
      }
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
      g.fill(0);
      gb.fill(0);
      for (let r = 0; r < size; r++) {
        const ra = r * ni;
        const rd = r * no;
        for (let j = 0; j < no; j++) gb[j] += d[rd + j];
        for (let i = 0; i < ni; i++) {
          const ai = a[ra + i];
          if (ai === 0) continue;
          const gi = i * no;
          for (let j = 0; j < no; j++) g[gi + j] += ai * d[rd + j];
        }
      }
      if (l === 0) break;
      const w = this.kernels[l];
      const dp = this.deltas[l];
      for (let r = 0; r < size; r++) {
        const ra = r * ni;
        const rd = r * no;
        for (let i = 0; i < ni; i++) {
          // a is a ReLU's output: its derivative is 0 where it is 0.
          if (!(a[ra + i] > 0)) {
            dp[ra + i] = 0;
            continue;
          }
          const wi = i * no;
          let s = 0;
          for (let j = 0; j < no; j++) s += d[rd + j] * w[wi + j];
          dp[ra + i] = s;
        }
      }
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
  }
}
