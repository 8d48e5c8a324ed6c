// Histograms with numpy's semantics (numpy 1.24 numpy/lib/histograms.py), so that bins computed on
// a device and on the server, and by the Python reference, put every value in the same bin.

/**
 * Bin edges as numpy.histogram_bin_edges(values, bins) computes them: `bins` equal-width bins over
 * [min, max], or for 'sturges' ceil(range / (range / (log2(n) + 1))) bins, i.e.
 * ceil(log2(n)) + 1 up to numpy's own rounding, which this reproduces. When min equals max the
 * range is widened to [min - 0.5, max + 0.5], as numpy does; no values give the range [0, 1]. The
 * edges are numpy.linspace(first, last, bins + 1): first + i * step, the last edge exactly `last`.
 * Throws a RangeError for non-finite values or a bin count that is not a positive integer.
 */
export function histogramEdges(values: readonly number[], bins: 'sturges' | number): number[] {
  let first = 0;
  let last = 1;
  if (values.length > 0) {
    first = Infinity;
    last = -Infinity;
    for (const v of values) {
      if (v < first) first = v;
      if (v > last) last = v;
    }
    if (!Number.isFinite(first) || !Number.isFinite(last)) throw new RangeError(`The range [${first}, ${last}] of the values is not finite.`);
  }
  const ptp = last - first;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  let n: number;
  if (bins === 'sturges') {
    // numpy's _hist_bin_sturges: the data's own range over log2(n) + 1, zero for constant data (one bin).
    const width = values.length === 0 ? 0 : ptp / (Math.log2(values.length) + 1);
    n = width ? Math.ceil((last - first) / width) : 1;
  } else {
    if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`A histogram needs a positive whole number of bins, not ${bins}.`);
    n = bins;
  }
  return linspace(first, last, n + 1);
}

/** numpy.linspace(start, stop, num) with endpoint=True: start + i * ((stop - start) / (num - 1)), the last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/**
 * Counts per bin as numpy.histogram(values, edges)[0]: bin i holds edges[i] <= v < edges[i + 1],
 * except that the last bin is closed on the right (edges[k-1] <= v <= edges[k]). Values outside
 * [edges[0], edges[k]] and NaN are not counted. Edges may be -Infinity/+Infinity (PSI's open bins)
 * and must not decrease.
 */
export function histogram(values: readonly number[], edges: readonly number[]): number[] {
  const k = edges.length - 1;
  const counts = new Array<number>(Math.max(k, 0)).fill(0);
  if (k < 1) return counts;
  for (const v of values) {
    if (!(v >= edges[0] && v <= edges[k])) continue;
    counts[binIndex(edges, v)]++;
  }
  return counts;
}

/** The bin of a value inside [edges[0], edges[k]] by numpy.histogram's rule: the last i with edges[i] <= v, the last bin closed. */
export function binIndex(edges: readonly number[], v: number): number {
  const k = edges.length - 1;
  if (v >= edges[k]) return k - 1;
  let lo = 0;
  let hi = k;
  // edges[lo] <= v < edges[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}
