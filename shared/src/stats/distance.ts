// Distances between two samples or two distributions, as scipy 1.10.1 computes them.
import { pairwiseSum } from './numeric.js';

/**
 * The first Wasserstein (earth mover's) distance between the empirical distributions of two
 * samples, the integral of |U(x) - V(x)| dx between their CDFs: scipy.stats.wasserstein_distance(a, b)
 * without weights (scipy 1.10.1's `_cdf_distance` with p = 1, summed in numpy's pairwise order).
 * Symmetric, and 0 for identical samples. Throws a RangeError when a sample is empty, as scipy does.
 */
export function wasserstein(a: readonly number[], b: readonly number[]): number {
  if (a.length === 0 || b.length === 0) throw new RangeError("A distribution can't be empty.");
  const u = Float64Array.from(a).sort();
  const v = Float64Array.from(b).sort();
  const all = new Float64Array(u.length + v.length);
  all.set(u);
  all.set(v, u.length);
  all.sort();
  const terms = new Float64Array(all.length - 1);
  let iu = 0;
  let iv = 0;
  for (let k = 0; k < all.length - 1; k++) {
    const x = all[k];
    while (iu < u.length && u[iu] <= x) iu++;
    while (iv < v.length && v[iv] <= x) iv++;
    terms[k] = Math.abs(iu / u.length - iv / v.length) * (all[k + 1] - x);
  }
  return pairwiseSum(terms);
}

// scipy.special.rel_entr: x log(x/y), 0 where x = 0 and y >= 0, +inf otherwise.
function relEntr(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * The Jensen-Shannon distance between two distributions given as weights (counts or shares), as
 * scipy.spatial.distance.jensenshannon(p, q, base) computes it: p and q normalised to sum to 1,
 * m = (p + q)/2, JSD = (KL(p || m) + KL(q || m))/2 in nats (divided by ln(base) when a base is
 * given), and the distance sqrt(JSD) returned. Base 2 bounds it by 1. Where rounding makes the
 * divergence of two nearly equal distributions a hair below zero, scipy returns NaN and this
 * returns 0. Throws a RangeError when p and q differ in length.
 */
export function jensenShannon(p: readonly number[], q: readonly number[], base?: number): number {
  if (p.length !== q.length) throw new RangeError(`Jensen-Shannon needs two distributions over the same bins (${p.length} and ${q.length}).`);
  const ps = pairwiseSum(p);
  const qs = pairwiseSum(q);
  const left = new Float64Array(p.length);
  const right = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / ps;
    const qi = q[i] / qs;
    const m = (pi + qi) / 2;
    left[i] = relEntr(pi, m);
    right[i] = relEntr(qi, m);
  }
  let js = pairwiseSum(left) + pairwiseSum(right);
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(Math.max(js / 2, 0));
}
