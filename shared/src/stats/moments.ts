// Means and standard deviations in numpy's order of operations (numpy/core/_methods.py).
import { pairwiseSum } from './numeric.js';

/** The arithmetic mean, numpy.mean: the pairwise sum divided by n. NaN for no values. */
export function mean(values: ArrayLike<number>): number {
  return pairwiseSum(values) / values.length;
}

/**
 * The standard deviation, numpy.std(values, ddof): sqrt(sum((x - mean)^2) / (n - ddof)), with
 * numpy's pairwise sums; ddof 0 (the default, as numpy and Evidently use) is the population
 * standard deviation. NaN when n <= ddof.
 */
export function std(values: ArrayLike<number>, ddof = 0): number {
  const n = values.length;
  if (n - ddof <= 0) return NaN;
  const m = mean(values);
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) squares[i] = (values[i] - m) * (values[i] - m);
  return Math.sqrt(pairwiseSum(squares) / (n - ddof));
}
