// Confidence intervals for any metric by resampling rows, seeded so that a report can be rebuilt.
import { mulberry32 } from '../data/random.js';
import { mean } from './moments.js';
import { quantileSorted } from './psi.js';

/** How bootstrapMetric resamples. */
export interface BootstrapOptions {
  /** How many resamples to draw (1000 unless told). */
  resamples?: number;
  /** Seed of the mulberry32 stream that draws the resamples. */
  seed: number;
  /** Coverage of the interval, in (0, 1) (0.95 unless told). */
  level?: number;
  /**
   * A resample whose metric is NaN: 'propagate' (the default, as scipy) makes the bounds NaN;
   * 'drop' leaves it out (a kappa of a resample with one label, say) and `kept` says how many remain.
   */
  nan?: 'propagate' | 'drop';
}
/** bootstrapMetric's answer, with the options that make it reproducible. */
export interface BootstrapInterval {
  /** The metric on all n rows. */
  estimate: number;
  /** Lower and upper percentile bounds; NaN when any resample's metric is NaN, or n is 0. */
  low: number;
  high: number;
  level: number;
  resamples: number;
  /** Resamples whose metric was a number (all of them unless `nan: 'drop'` dropped some). */
  kept: number;
  seed: number;
}

/**
 * A percentile bootstrap confidence interval (Efron & Tibshirani 1993, ch. 13; scipy 1.10's
 * `scipy.stats.bootstrap(..., method='percentile')`): draw `resamples` samples of n row indices
 * with replacement (index = floor(u · n), u from mulberry32(seed), resample after resample), apply
 * the metric to each, and report the (1 - level)/2 and (1 + level)/2 quantiles of those values,
 * interpolated linearly as numpy.percentile (and so scipy) does. The same seed gives the same
 * interval on every platform; the random draws differ from scipy's, so the bounds agree with
 * scipy's only in distribution. `metricOfIndices` gets the indices 0..n-1 of the rows to use (a
 * row may appear more than once). If any resample's metric is NaN the bounds are NaN (scipy's
 * np.percentile does the same), as they are for n = 0. Throws a RangeError for a resample count
 * that is not a positive integer, a seed that is not an integer or a level outside (0, 1).
 */
export function bootstrapMetric(
  n: number,
  metricOfIndices: (indices: number[]) => number,
  { resamples = 1000, seed, level = 0.95, nan = 'propagate' }: BootstrapOptions,
): BootstrapInterval {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`A bootstrap needs a whole number of rows, not ${n}.`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`A bootstrap needs a positive whole number of resamples, not ${resamples}.`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`A bootstrap seed is a whole number, not ${seed}.`);
  if (!(level > 0 && level < 1)) throw new RangeError(`A confidence level lies between 0 and 1, not ${level}.`);
  const estimate = metricOfIndices(Array.from({ length: n }, (_, i) => i));
  if (n === 0) return { estimate, low: NaN, high: NaN, level, resamples, kept: 0, seed };
  const rng = mulberry32(seed);
  const drawn: number[] = [];
  let sawNaN = false;
  for (let b = 0; b < resamples; b++) {
    const idx = new Array<number>(n);
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
    const v = metricOfIndices(idx);
    if (Number.isNaN(v)) sawNaN = true;
    else drawn.push(v);
  }
  if ((sawNaN && nan === 'propagate') || drawn.length === 0) return { estimate, low: NaN, high: NaN, level, resamples, kept: drawn.length, seed };
  const values = Float64Array.from(drawn).sort();
  // scipy: np.percentile(theta, alpha * 100), which divides by 100 again.
  const alpha = (1 - level) / 2;
  const low = quantileSorted(values, (alpha * 100) / 100);
  const high = quantileSorted(values, ((1 - alpha) * 100) / 100);
  return { estimate, low, high, level, resamples, kept: drawn.length, seed };
}

/** A statistic of n rows, given the indices of the rows to use (with repeats, in a resample). */
export interface IndexStatistic {
  n: number;
  statistic: (indices: readonly number[]) => number;
}

/** Options of bootstrapCi: the seed is required (runs are reproducible by construction). */
export interface BootstrapCiOptions {
  seed: number;
  /** Number of resamples, default 1000. */
  resamples?: number;
  /** Confidence level, default 0.95. */
  level?: number;
}

/** The statistic on the full sample, the interval's bounds, and how many resamples gave a number (NaN ones are dropped). */
export interface BootstrapCiResult {
  estimate: number;
  low: number;
  high: number;
  resamples: number;
}

/**
 * bootstrapMetric for a sample of values (their mean, e.g. a preference rate of 0/1 outcomes) or
 * any { n, statistic } of rows (pass paired data through the same indices, e.g. both raters for
 * a kappa), with resamples whose statistic is NaN left out: `resamples` reports how many remained.
 * With no rows everything is NaN.
 */
export function bootstrapCi(data: readonly number[] | IndexStatistic, options: BootstrapCiOptions): BootstrapCiResult {
  const { n, statistic } = Array.isArray(data)
    ? { n: data.length, statistic: (idx: readonly number[]) => mean(idx.map((i) => (data as readonly number[])[i])) }
    : (data as IndexStatistic);
  if (n === 0) return { estimate: NaN, low: NaN, high: NaN, resamples: 0 };
  const r = bootstrapMetric(n, statistic, { ...options, nan: 'drop' });
  return { estimate: r.estimate, low: r.low, high: r.high, resamples: r.kept };
}
