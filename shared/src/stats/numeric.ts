// Floating-point building blocks that make the ports in this folder add up the way numpy does.

/**
 * The sum of `xs` in numpy's order (`np.sum` / `np.add.reduce` on a contiguous float64 array:
 * pairwise summation with eight accumulators in blocks of at most 128, numpy's
 * `pairwise_sum_DOUBLE`). Summing in the same order as the reference makes cancelling sums, such as
 * the Jensen-Shannon divergence of two nearly equal histograms, come out equal to the last bit.
 */
export function pairwiseSum(xs: ArrayLike<number>, from = 0, to = xs.length): number {
  const n = to - from;
  if (n < 8) {
    let res = 0;
    for (let i = from; i < to; i++) res += xs[i];
    return res;
  }
  if (n <= 128) {
    const r = [xs[from], xs[from + 1], xs[from + 2], xs[from + 3], xs[from + 4], xs[from + 5], xs[from + 6], xs[from + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += xs[from + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += xs[from + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(xs, from, from + n2) + pairwiseSum(xs, from + n2, to);
}

/** x * 2^e without overflowing 2^e on the way (C `ldexp`, up to rounding in the subnormal range). */
export function ldexp(x: number, e: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  let y = x;
  let k = e;
  while (k > 1023) {
    y *= 2 ** 1023;
    k -= 1023;
  }
  while (k < -1022) {
    y *= 2 ** -1022;
    k += 1022;
  }
  return y * 2 ** k;
}

/** [m, e] with x = m * 2^e and 0.5 <= |m| < 1, or [x, 0] for 0, infinities and NaN (C `frexp`). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let a = Math.abs(x);
  let e = 0;
  if (a < 2 ** -1022) {
    a *= 2 ** 64;
    e = -64;
  }
  let k = Math.floor(Math.log2(a)) + 1;
  let m = a * 2 ** -k;
  while (m >= 1) {
    m /= 2;
    k++;
  }
  while (m < 0.5) {
    m *= 2;
    k--;
  }
  return [x < 0 ? -m : m, e + k];
}

/** Rounds half to even, as numpy's `np.round` and C's `rint` do (Math.round rounds half up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/**
 * numpy.searchsorted(sorted, x, side): the index at which x would be inserted to keep the
 * ascending list sorted: before equal values ('left', the count of values below x) or after them
 * ('right', the count of values at or below x). Binary search.
 */
export function searchSorted(sorted: ArrayLike<number>, x: number, side: 'left' | 'right' = 'left'): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (side === 'left' ? sorted[mid] < x : sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
