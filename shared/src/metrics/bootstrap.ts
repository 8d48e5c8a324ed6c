// Confidence intervals for any metric by resampling rows, seeded so that a report can be rebuilt.
import { mulberry32 } from '../data/random.js';
import { quantileSorted } from '../stats/index.js';

/** How bootstrapMetric resamples. */
export interface BootstrapOptions {
  /** How many resamples to draw (1000 unless told). */
  resamples?: number;
  /** Seed of the mulberry32 stream that draws the resamples. */
  seed: number;
  /** Coverage of the interval, in (0, 1) (0.95 unless told). */
  level?: number;
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
  { resamples = 1000, seed, level = 0.95 }: BootstrapOptions,
): BootstrapInterval {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`A bootstrap needs a whole number of rows, not ${n}.`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`A bootstrap needs a positive whole number of resamples, not ${resamples}.`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`A bootstrap seed is a whole number, not ${seed}.`);
  if (!(level > 0 && level < 1)) throw new RangeError(`A confidence level lies between 0 and 1, not ${level}.`);
  const estimate = metricOfIndices(Array.from({ length: n }, (_, i) => i));
  if (n === 0) return { estimate, low: NaN, high: NaN, level, resamples, seed };
  const rng = mulberry32(seed);
  const values = new Float64Array(resamples);
  let nan = false;
  for (let b = 0; b < resamples; b++) {
    const idx = new Array<number>(n);
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
    values[b] = metricOfIndices(idx);
    if (Number.isNaN(values[b])) nan = true;
  }
  if (nan) return { estimate, low: NaN, high: NaN, level, resamples, seed };
  values.sort();
  // scipy: np.percentile(theta, alpha * 100), which divides by 100 again.
  const alpha = (1 - level) / 2;
  const low = quantileSorted(values, (alpha * 100) / 100);
  const high = quantileSorted(values, ((1 - alpha) * 100) / 100);
  return { estimate, low, high, level, resamples, seed };
}
