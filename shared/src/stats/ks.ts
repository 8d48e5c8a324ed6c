// The two-sample Kolmogorov-Smirnov test as scipy.stats.ks_2samp computes it by default
// (alternative='two-sided', method='auto') in scipy 1.10.1: scipy/stats/_stats_py.py
// (`ks_2samp`, `_attempt_exact_2kssamp`, `_compute_prob_outside_square`) and
// scipy/stats/_stats_pythran.py (`_compute_outer_prob_inside_method`), after Hodges (1958), "The
// Significance Probability of the Smirnov Two-Sample Test", Arkiv för Matematik 3(43), and
// Viehmann (2021), arXiv:2102.08037, for computing 1 - p directly. (scipy's
// `_count_paths_outside_method` serves only the one-sided alternatives, which this does not offer.)
import { kstwoSf } from './kolmogorov.js';
import { roundHalfEven } from './numeric.js';

/** scipy's MAX_AUTO_N: 'auto' tries the exact distribution when both samples have at most this many values. */
export const KS_MAX_AUTO_N = 10000;

/** The result of a two-sample Kolmogorov-Smirnov test; `method` says which p-value scipy's 'auto' settled on. */
export interface KsResult {
  statistic: number;
  pvalue: number;
  method: 'exact' | 'asymp';
}

/**
 * Two-sample Kolmogorov-Smirnov test, scipy.stats.ks_2samp(a, b) with its defaults
 * (alternative='two-sided', method='auto') as in scipy 1.10.1. D = max |F_a(x) - F_b(x)| over the
 * pooled values (right-continuous empirical CDFs, so ties are handled as scipy does). When
 * max(n_a, n_b) <= 10000 the p-value is exact: Hodges' reflection formula for equal sizes,
 * Viehmann's inside-method recursion otherwise, D then reported as h/lcm(n_a, n_b) as scipy 1.10
 * does; if that computation leaves [0, 1] it falls back, as scipy does, to the asymptotic p-value
 * kstwo.sf(D, round(n_a n_b / (n_a + n_b))) (round half to even), which is also used for larger
 * samples. Throws a RangeError for an empty sample (scipy raises ValueError) or a NaN value.
 */
export function ks2samp(a: readonly number[], b: readonly number[]): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ks2samp needs at least one value in each sample.');
  if (a.some(Number.isNaN) || b.some(Number.isNaN)) throw new RangeError('ks2samp needs numbers; NaN is not one.');
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let minS = 0;
  let maxS = -Infinity;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j];
    while (i < n1 && x[i] <= v) i++;
    while (j < n2 && y[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (-diff > minS) minS = -diff;
  }
  let d = minS > maxS ? minS : maxS;
  const g = gcd(n1, n2);
  if (Math.max(n1, n2) <= KS_MAX_AUTO_N) {
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pvalue: 1, method: 'exact' };
    const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
    if (prob >= 0 && prob <= 1) return { statistic: d, pvalue: prob, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  const prob = kstwoSf(d, roundHalfEven(en));
  return { statistic: d, pvalue: Math.min(Math.max(prob, 0), 1), method: 'asymp' };
}

function gcd(a: number, b: number): number {
  let [x, y] = [a, b];
  while (y) [x, y] = [y, x % y];
  return x;
}

/**
 * P(D_{n,n} >= h/n) for two samples of n (scipy's `_compute_prob_outside_square`): Hodges' sum
 * 2 * (C(2n, n-h) - C(2n, n-2h) + ...) / C(2n, n), each term divided through by C(2n, n) and
 * nested Horner-fashion, P = 2 A0 (1 - A1 (1 - A2 (...))), to avoid the cancellation.
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * The share of lattice paths from (0, 0) to (m, n) that leave the band |x/m - y/n| < h/lcm(m, n)
 * (scipy's `_compute_outer_prob_inside_method`, a pythran kernel): one column of the path-count
 * matrix in a sliding window, each entry kept as a probability so that 1 - p comes out directly.
 */
function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1];
}
