import { OutpostError } from '../errors.js';

/**
 * Linear models on the rows the feature pipeline made: ridge regression (closed form) and
 * logistic regression (binary, or multinomial softmax for more than two classes) with an L2
 * penalty on the weights, not on the intercepts. Both minimise Σᵢ lossᵢ + (l2 / 2)·‖W‖², where
 * the loss is ½(y − ŷ)² or the log loss, which is scikit-learn's Ridge(alpha = l2) and its
 * LogisticRegression(C = 1 / l2) (lbfgs solver, multinomial for more than two classes).
 *
 * The result is always in the form a one-layer network holds (a kernel of width × outputs and a
 * bias per output, then softmax or nothing), so a linear version is stored, registered, made
 * smaller and served as a TensorFlow.js Dense layer exactly like the network. A binary logistic
 * fit w, b is written as two softmax scores −(w·x + b)/2 and +(w·x + b)/2, whose softmax is the
 * sigmoid of w·x + b. Float64 throughout; pure, no randomness (the optimum is unique).
 */

/** Kernel (row-major, `width` × `outputs`) and bias of a Dense layer, and how the fit ended. */
export interface LinearFit {
  width: number;
  outputs: number;
  kernel: Float64Array;
  bias: Float64Array;
  iterations: number;
  converged: boolean;
}

/** Rows for a linear fit: x row-major (n × width), y class indices (k classes) or values (k = 1). */
export interface LinearData {
  x: ArrayLike<number>;
  width: number;
  y: ArrayLike<number>;
  k: number;
}

/**
 * Solve A·z = b for a symmetric positive definite A (n × n, row-major) by Cholesky, in place of
 * nothing (A and b are copied).
 */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let m = 0; m < j; m++) s -= l[i * n + m] * l[j * n + m];
      if (i === j) {
        if (!(s > 0)) throw new OutpostError('training_failed', 'The linear model could not be fitted (the inputs repeat each other); raise the L2 penalty and train again.');
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  const z = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < i; m++) z[i] -= l[i * n + m] * z[m];
    z[i] /= l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let m = i + 1; m < n; m++) z[i] -= l[m * n + i] * z[m];
    z[i] /= l[i * n + i];
  }
  return z;
}

/**
 * Ridge regression in closed form: with x and y centred (so the intercept goes unpenalised),
 * w = (XᵀX + l2·I)⁻¹ Xᵀy and b = ȳ − x̄·w (scikit-learn `Ridge(alpha=l2)`; l2 = 0 is ordinary
 * least squares, given a tiny ridge of 1e-10 × the mean diagonal so that one-hot columns, which
 * always sum to one, still give an answer).
 */
export function fitRidge({ x, width, y }: LinearData, l2: number): LinearFit {
  const n = y.length;
  const mx = new Float64Array(width);
  let my = 0;
  for (let i = 0; i < n; i++) {
    my += y[i] / n;
    for (let j = 0; j < width; j++) mx[j] += x[i * width + j] / n;
  }
  const a = new Float64Array(width * width);
  const b = new Float64Array(width);
  const row = new Float64Array(width);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < width; j++) row[j] = x[i * width + j] - mx[j];
    const yc = y[i] - my;
    for (let j = 0; j < width; j++) {
      b[j] += row[j] * yc;
      for (let m = 0; m <= j; m++) a[j * width + m] += row[j] * row[m];
    }
  }
  let trace = 0;
  for (let j = 0; j < width; j++) trace += a[j * width + j];
  const jitter = l2 > 0 ? 0 : 1e-10 * (trace / width || 1);
  for (let j = 0; j < width; j++) {
    a[j * width + j] += l2 + jitter;
    for (let m = 0; m < j; m++) a[m * width + j] = a[j * width + m];
  }
  const w = choleskySolve(a, b, width);
  let bias = my;
  for (let j = 0; j < width; j++) bias -= mx[j] * w[j];
  return { width, outputs: 1, kernel: w, bias: Float64Array.of(bias), iterations: 1, converged: true };
}

/** The objective (divided by n) and its gradient at θ; θ holds weights then intercepts. */
type Objective = (theta: Float64Array, grad: Float64Array) => number;

/**
 * The logistic objective (Σ log loss + l2/2·‖W‖²)/n over θ: for two classes one weight vector and
 * an intercept (θ = [w, b]); for k > 2, a width × k weight matrix then k intercepts.
 */
function logisticObjective({ x, width, y, k }: LinearData, l2: number): { size: number; f: Objective } {
  const n = y.length;
  const binary = k === 2;
  const c = binary ? 1 : k;
  const z = new Float64Array(c);
  return {
    size: (width + 1) * c,
    f(theta, grad) {
      grad.fill(0);
      let loss = 0;
      const bOff = width * c;
      for (let i = 0; i < n; i++) {
        for (let o = 0; o < c; o++) {
          let s = theta[bOff + o];
          for (let j = 0; j < width; j++) s += x[i * width + j] * theta[j * c + o];
          z[o] = s;
        }
        if (binary) {
          const t = y[i] === 1 ? 1 : 0;
          // softplus(z) − t·z, computed without overflow.
          loss += Math.max(z[0], 0) + Math.log1p(Math.exp(-Math.abs(z[0]))) - t * z[0];
          z[0] = 1 / (1 + Math.exp(-z[0])) - t;
        } else {
          let max = -Infinity;
          for (let o = 0; o < c; o++) max = Math.max(max, z[o]);
          let sum = 0;
          for (let o = 0; o < c; o++) sum += Math.exp(z[o] - max);
          loss += max + Math.log(sum) - z[y[i]];
          for (let o = 0; o < c; o++) z[o] = Math.exp(z[o] - max) / sum - (o === y[i] ? 1 : 0);
        }
        for (let o = 0; o < c; o++) {
          grad[bOff + o] += z[o];
          for (let j = 0; j < width; j++) grad[j * c + o] += z[o] * x[i * width + j];
        }
      }
      let penalty = 0;
      for (let p = 0; p < bOff; p++) {
        penalty += theta[p] ** 2;
        grad[p] += l2 * theta[p];
      }
      for (let p = 0; p < grad.length; p++) grad[p] /= n;
      return (loss + (l2 / 2) * penalty) / n;
    },
  };
}

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);

/** One step of a minimisation: the iteration, the objective now, and the parameters. */
export interface Step {
  iteration: number;
  objective: number;
  theta: Float64Array;
}

/**
 * L-BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., algorithm 7.4 and 7.5) with ten
 * pairs of memory and a backtracking line search on the Armijo condition (c₁ = 1e-4), yielding
 * after every iteration. Stops when the gradient's largest component is below `tol`, the
 * objective stops falling, or after `maxIter` iterations; returns whether it converged.
 */
export function* lbfgs(f: Objective, theta: Float64Array, opts: { maxIter: number; tol: number }): Generator<Step, boolean> {
  const size = theta.length;
  const g = new Float64Array(size);
  let fx = f(theta, g);
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const next = new Float64Array(size);
  const gNext = new Float64Array(size);
  for (let it = 1; it <= opts.maxIter; it++) {
    if (g.reduce((m, v) => Math.max(m, Math.abs(v)), 0) < opts.tol) return true;
    // Two-loop recursion: d = −H·g.
    const d = Float64Array.from(g, (v) => -v);
    const alphas: number[] = [];
    for (let m = ss.length - 1; m >= 0; m--) {
      const a = dot(ss[m], d) / dot(ys[m], ss[m]);
      alphas[m] = a;
      for (let p = 0; p < size; p++) d[p] -= a * ys[m][p];
    }
    const gamma = ss.length ? dot(ss[ss.length - 1], ys[ys.length - 1]) / dot(ys[ys.length - 1], ys[ys.length - 1]) : 1 / Math.max(1, Math.sqrt(dot(g, g)));
    for (let p = 0; p < size; p++) d[p] *= gamma;
    for (let m = 0; m < ss.length; m++) {
      const b = dot(ys[m], d) / dot(ys[m], ss[m]);
      for (let p = 0; p < size; p++) d[p] += ss[m][p] * (alphas[m] - b);
    }
    const slope = dot(g, d);
    let step = 1;
    let fNext = Infinity;
    for (let tries = 0; tries < 50; tries++, step /= 2) {
      for (let p = 0; p < size; p++) next[p] = theta[p] + step * d[p];
      fNext = f(next, gNext);
      if (fNext <= fx + 1e-4 * step * slope) break;
    }
    if (!(fNext < fx)) return true; // no descent left at machine precision: at the optimum
    const s = Float64Array.from(next, (v, p) => v - theta[p]);
    const yv = Float64Array.from(gNext, (v, p) => v - g[p]);
    if (dot(s, yv) > 1e-12) {
      ss.push(s);
      ys.push(yv);
      if (ss.length > 10) {
        ss.shift();
        ys.shift();
      }
    }
    const fell = fx - fNext;
    theta.set(next);
    g.set(gNext);
    fx = fNext;
    yield { iteration: it, objective: fx, theta };
    if (fell <= 1e-15 * Math.max(1, Math.abs(fx))) return true;
  }
  return g.reduce((m, v) => Math.max(m, Math.abs(v)), 0) < opts.tol;
}

/** θ of the logistic objective as a Dense layer's kernel and bias (see the module comment for two classes). */
export function logisticLayer(theta: Float64Array, width: number, k: number, iterations: number, converged: boolean): LinearFit {
  const kernel = new Float64Array(width * k);
  const bias = new Float64Array(k);
  if (k === 2) {
    for (let j = 0; j < width; j++) [kernel[j * 2], kernel[j * 2 + 1]] = [-theta[j] / 2, theta[j] / 2];
    [bias[0], bias[1]] = [-theta[width] / 2, theta[width] / 2];
  } else {
    kernel.set(theta.subarray(0, width * k));
    bias.set(theta.subarray(width * k));
  }
  return { width, outputs: k, kernel, bias, iterations, converged };
}

/**
 * Fit logistic regression step by step: yields the layer after every L-BFGS iteration (for
 * progress curves) and returns the final one. Starts from zero, where the objective is convex
 * and, with l2 > 0, strictly so.
 */
export function* logisticSteps(data: LinearData, l2: number, opts = { maxIter: 1000, tol: 1e-8 }): Generator<LinearFit, LinearFit> {
  if (data.k < 2) throw new OutpostError('training_failed', 'Logistic regression needs at least two classes in the training rows.');
  const { size, f } = logisticObjective(data, l2);
  const theta = new Float64Array(size);
  const steps = lbfgs(f, theta, opts);
  let iterations = 0;
  for (;;) {
    const r = steps.next();
    if (r.done) return logisticLayer(theta, data.width, data.k, iterations, r.value);
    iterations = r.value.iteration;
    yield logisticLayer(theta, data.width, data.k, iterations, false);
  }
}

/**
 * The layer's answers for n rows (n × outputs): x·kernel + bias, then a softmax (computed with
 * the largest score subtracted) when `softmax`.
 */
export function linearOutputs(fit: LinearFit, x: ArrayLike<number>, n: number, softmax: boolean): Float64Array {
  const { width, outputs: k, kernel, bias } = fit;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let o = 0; o < k; o++) {
      let s = bias[o];
      for (let j = 0; j < width; j++) s += x[i * width + j] * kernel[j * k + o];
      out[i * k + o] = s;
      max = Math.max(max, s);
    }
    if (!softmax) continue;
    let sum = 0;
    for (let o = 0; o < k; o++) sum += out[i * k + o] = Math.exp(out[i * k + o] - max);
    for (let o = 0; o < k; o++) out[i * k + o] /= sum;
  }
  return out;
}
