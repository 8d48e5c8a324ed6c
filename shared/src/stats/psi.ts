// Outpost's Population Stability Index (the monitoring notes, notes/monitoring.md, and `formulas.psi`
// of the reference-metrics sample): ten bins at the reference's deciles, open at both ends.
import { histogram } from './histogram.js';
import { pairwiseSum } from './numeric.js';

/** The share that stands in for an empty bin, so that ln(current / reference) stays finite. */
export const PSI_ZERO_SHARE = 1e-4;

/**
 * The q-quantile of `sorted` (ascending, finite) as numpy.quantile(values, q) computes it with its
 * default method='linear' (Hyndman & Fan's type 7): h = (n - 1) q, and between the neighbours
 * a = x[floor h], b = x[floor h + 1] numpy's lerp, a + (b - a) t for t = h - floor h < 0.5 and
 * b - (b - a)(1 - t) otherwise.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('A quantile needs at least one value.');
  const h = (n - 1) * q;
  if (h >= n - 1) return sorted[n - 1];
  if (h < 0) return sorted[0];
  const lo = Math.floor(h);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[lo + 1];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** numpy.quantile(values, q) with the default linear method (see quantileSorted); the values need not be sorted. */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(Float64Array.from(values).sort(), q);
}

/**
 * The edges of Outpost's PSI bins for a reference sample: the reference's quantiles at
 * numpy.linspace(0, 1, 11) (0, 0.1, 0.2, 0.30000000000000004, ... as numpy computes them; numpy's
 * default linear interpolation), the first and last replaced by -Infinity and +Infinity, repeated
 * edges merged (numpy.unique). Bins are closed on the left, [edge(i), edge(i + 1)), as
 * numpy.histogram counts them, so `histogram(values, psiEdges(reference))` gives the counts that
 * psiFromCounts takes. Throws a RangeError for an empty reference.
 */
export function psiEdges(reference: readonly number[]): number[] {
  const sorted = Float64Array.from(reference).sort();
  const edges = [-Infinity];
  for (let i = 1; i < 10; i++) {
    const e = quantileSorted(sorted, i * 0.1);
    if (e !== edges[edges.length - 1]) edges.push(e);
  }
  edges.push(Infinity);
  return edges;
}

/**
 * PSI from bin counts (the same bins for both): shares s = count / total per side, an empty bin's
 * share replaced by 0.0001, PSI = sum((s_cur - s_ref) * ln(s_cur / s_ref)) summed in numpy's order.
 * Counts added up across devices give exactly the PSI of the pooled values, because the shares
 * depend only on the totals. NaN when either side has no counts; throws a RangeError when the two
 * lists differ in length.
 */
export function psiFromCounts(refCounts: readonly number[], curCounts: readonly number[]): number {
  if (refCounts.length !== curCounts.length) throw new RangeError(`PSI needs the same bins on both sides (${refCounts.length} and ${curCounts.length}).`);
  const refTotal = refCounts.reduce((s, c) => s + c, 0);
  const curTotal = curCounts.reduce((s, c) => s + c, 0);
  if (!(refTotal > 0) || !(curTotal > 0)) return NaN;
  const terms = refCounts.map((rc, i) => {
    const r = rc / refTotal || PSI_ZERO_SHARE;
    const c = curCounts[i] / curTotal || PSI_ZERO_SHARE;
    return (c - r) * Math.log(c / r);
  });
  return pairwiseSum(terms);
}

/**
 * Outpost's PSI of a numeric column: psiFromCounts over the bins psiEdges(reference) gives,
 * matching `psi_10_quantile_bins` of the reference-metrics sample (numpy.histogram counts divided
 * by the sample sizes). Values should be finite (NaN is not counted in any bin).
 */
export function psi(reference: readonly number[], current: readonly number[]): number {
  const edges = psiEdges(reference);
  return psiFromCounts(histogram(reference, edges), histogram(current, edges));
}
