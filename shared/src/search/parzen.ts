// The Parzen estimator behind TPE (Optuna's _ParzenEstimator and _MixtureOfProductDistribution): a
// weighted mixture with one kernel per observed trial plus one prior kernel, a product over
// parameters within each kernel. Values here are internal: numbers for numeric parameters, the
// index of the choice for a choice.
import { effectiveHigh, paramStep, type SearchParam } from './space.js';
import { snapToGrid } from './random.js';
import { logGaussMass, truncnormLogPdf, truncnormPpf } from './truncnorm.js';

const EPS = 1e-12;

export interface ParzenOptions {
  priorWeight: number;
  considerMagicClip: boolean;
  considerEndpoints: boolean;
}

/** Per parameter, one kernel per observation then the prior's. Bounds are transformed (log, half-step widened). */
type Kernels =
  | { kind: 'numeric'; param: SearchParam & { kind: 'float' | 'int' }; mus: number[]; sigmas: number[]; low: number; high: number }
  | { kind: 'categorical'; weights: number[][] };

export interface ParzenEstimator {
  /** Mixture weights, observations first, the prior last; they sum to 1. */
  weights: number[];
  kernels: Kernels[];
}

/**
 * Optuna's default_gamma: how many of n finished trials form the "good" density l(x),
 * min(ceil(0.1 n), 25).
 */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * Optuna's default_weights (Bergstra et al. 2013): n trials in trial-number order weigh 1 each
 * when n < 25; otherwise the newest 25 weigh 1 and the older n - 25 ramp linearly from 1/n up to 1
 * (numpy.linspace(1/n, 1, n - 25)).
 */
export function defaultWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const m = n - 25;
  const ramp = Array.from({ length: m }, (_, i) => (m === 1 ? 1 / n : i === m - 1 ? 1 : 1 / n + (i * (1 - 1 / n)) / (m - 1)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

/**
 * Kernel bandwidths for observations `mus` on [low, high] (Optuna's compute_sigmas): each
 * observation's sigma is the larger gap to its sorted neighbours, the bounds counting as
 * neighbours; without considerEndpoints the first and last take only their inner gap (when there
 * are at least two observations). Then clipped to [minsigma, high - low], where the magic clip sets
 * minsigma = (high - low) / min(100, 1 + n_kernels) with n_kernels = observations + 1 (the prior),
 * and 1e-12 without it.
 */
export function bandwidths(mus: readonly number[], low: number, high: number, options: ParzenOptions): number[] {
  const order = mus.map((_, i) => i).sort((i, j) => mus[i] - mus[j]);
  const withEnds = [low, ...order.map((i) => mus[i]), high];
  const sorted = order.map((_, k) => Math.max(withEnds[k + 1] - withEnds[k], withEnds[k + 2] - withEnds[k + 1]));
  if (!options.considerEndpoints && withEnds.length >= 4) {
    sorted[0] = withEnds[2] - withEnds[1];
    sorted[sorted.length - 1] = withEnds[withEnds.length - 2] - withEnds[withEnds.length - 3];
  }
  const maxSigma = high - low;
  const minSigma = options.considerMagicClip ? (high - low) / Math.min(100, 1 + mus.length + 1) : EPS;
  const sigmas = new Array<number>(mus.length);
  order.forEach((i, k) => (sigmas[i] = Math.min(Math.max(sorted[k], minSigma), maxSigma)));
  return sigmas;
}

/** The transformed bounds of a numeric parameter: widened by half a step on each side, then log'd. */
function transformedBounds(p: SearchParam & { kind: 'float' | 'int' }): [number, number] {
  const step = paramStep(p);
  let low = p.low;
  let high = effectiveHigh(p);
  if (step !== undefined) {
    low -= step / 2;
    high += step / 2;
  }
  return p.log ? [Math.log(low), Math.log(high)] : [low, high];
}

/**
 * Fits the estimator to `observations` (one row per trial, one internal value per parameter of
 * `space`, in trial-number order) with mixture weights `trialWeights` (default_weights) plus the
 * prior's, normalised. Numeric parameters get truncated Gaussians at each observation (in log space
 * for log scale) with bandwidths(), and a prior kernel at the centre of the range with sigma equal
 * to the whole range. A choice with k options gets, per observation, weight 1 + w/(n+1) on the
 * observed option and w/(n+1) on the others (w the prior weight, n the observations), normalised;
 * the prior kernel is uniform. With no observations only the prior remains.
 */
export function buildParzenEstimator(
  space: readonly SearchParam[],
  observations: readonly number[][],
  trialWeights: readonly number[],
  options: ParzenOptions,
): ParzenEstimator {
  if (options.priorWeight < 0) throw new RangeError('priorWeight must not be negative.');
  const raw = observations.length === 0 ? [1] : [...trialWeights.slice(0, observations.length), options.priorWeight];
  const total = raw.reduce((s, w) => s + w, 0);
  const weights = raw.map((w) => w / total);
  const kernels = space.map((p, j): Kernels => {
    const column = observations.map((row) => row[j]);
    if (p.kind === 'choice') {
      const k = p.choices.length;
      if (column.length === 0) return { kind: 'categorical', weights: [new Array<number>(k).fill(1 / k)] };
      const nKernels = column.length + 1;
      const rows = Array.from({ length: nKernels }, (_, i) => {
        const row = new Array<number>(k).fill(options.priorWeight / nKernels);
        if (i < column.length) row[column[i]] += 1;
        const sum = row.reduce((s, w) => s + w, 0);
        return row.map((w) => w / (sum === 0 ? 1 : sum));
      });
      return { kind: 'categorical', weights: rows };
    }
    const [low, high] = transformedBounds(p);
    const mus = p.log ? column.map(Math.log) : column;
    const sigmas = bandwidths(mus, low, high, options);
    return { kind: 'numeric', param: p, mus: [...mus, 0.5 * (low + high)], sigmas: [...sigmas, high - low], low, high };
  });
  return { weights, kernels };
}

function pickIndex(weights: readonly number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < weights.length - 1; i++) {
    acc += weights[i];
    if (u < acc) return i;
  }
  return weights.length - 1;
}

/**
 * `size` draws from the mixture: a kernel chosen by the mixture weights, then each parameter from
 * that kernel (a choice by its row of probabilities; a number from its truncated Gaussian, exp'd
 * for log scale and rounded to the grid for a step, as Optuna's sample()).
 */
export function sampleParzen(pe: ParzenEstimator, rand: () => number, size: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < size; s++) {
    const c = pickIndex(pe.weights, rand());
    out.push(
      pe.kernels.map((k) => {
        if (k.kind === 'categorical') return pickIndex(k.weights[Math.min(c, k.weights.length - 1)], rand());
        const x = truncnormPpf(rand(), k.mus[c], k.sigmas[c], k.low, k.high);
        const v = k.param.log ? Math.exp(x) : x;
        return paramStep(k.param) === undefined ? Math.min(Math.max(v, k.param.low), k.param.high) : snapToGrid(k.param, v);
      }),
    );
  }
  return out;
}

/**
 * log of the mixture density at one point (internal values): log sum_c w_c prod_j p_cj(x_j),
 * summed stably. A continuous parameter contributes its truncated Gaussian log density (in log
 * space for log scale); a stepped one the log of the Gaussian mass over [x - step/2, x + step/2]
 * (log'd for log scale) divided by the mass over the widened range; a choice the log of its row's
 * probability (Optuna's log_pdf).
 */
export function parzenLogPdf(pe: ParzenEstimator, x: readonly number[]): number {
  const terms = pe.weights.map((w, c) => {
    let lp = Math.log(w);
    pe.kernels.forEach((k, j) => {
      if (k.kind === 'categorical') {
        lp += Math.log(k.weights[Math.min(c, k.weights.length - 1)][x[j]]);
        return;
      }
      const mu = k.mus[c];
      const sigma = k.sigmas[c];
      const step = paramStep(k.param);
      if (step === undefined) {
        lp += truncnormLogPdf(k.param.log ? Math.log(x[j]) : x[j], mu, sigma, k.low, k.high);
        return;
      }
      const left = k.param.log ? Math.log(x[j] - step / 2) : x[j] - step / 2;
      const right = k.param.log ? Math.log(x[j] + step / 2) : x[j] + step / 2;
      lp += logGaussMass((left - mu) / sigma, (right - mu) / sigma) - logGaussMass((k.low - mu) / sigma, (k.high - mu) / sigma);
    });
    return lp;
  });
  const max = Math.max(...terms);
  if (max === -Infinity) return -Infinity;
  return max + Math.log(terms.reduce((s, t) => s + Math.exp(t - max), 0));
}
