// Agreement between raters (Cohen's kappa as scikit-learn 1.2.1, Fleiss' kappa as statsmodels
// 0.13.5) and a seeded percentile bootstrap for the confidence interval of any statistic over
// rows, such as a metric, a kappa or a preference rate.
import { mean } from './moments.js';
import { pairwiseSum } from './numeric.js';

/** numpy's sort order for labels: numbers ascending, strings by code point (unique_labels sorts them). */
function compareLabels(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = codePointKey(String(a));
  const y = codePointKey(String(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

// UTF-16 order differs from code point order only above U+D7FF; mapping each code point to a fixed
// width key makes plain string comparison follow code points.
function codePointKey(s: string): string {
  return Array.from(s, (c) => (c.codePointAt(0) ?? 0).toString(16).padStart(6, '0')).join('');
}

/**
 * Cohen's kappa between two raters, scikit-learn 1.2.1's cohen_kappa_score(a, b) (unweighted):
 * with C the confusion matrix over the sorted union of labels, n = sum(C), E = outer(column sums,
 * row sums) / n, and W = 1 off the diagonal and 0 on it, kappa = 1 - sum(W C) / sum(W E), that is
 * (p_o - p_e) / (1 - p_e) (Cohen 1960), summed in numpy's order. NaN when the expected disagreement
 * is 0 (both raters used one and the same label, where scikit-learn warns and returns nan) and for
 * no items. Throws a RangeError when the lists differ in length and a TypeError when labels mix
 * strings and numbers (scikit-learn's "Mix of label input types"). Numeric labels need not be
 * integers here; scikit-learn rejects non-integral floats as continuous targets.
 */
export function cohensKappa(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  if (a.length !== b.length) throw new RangeError(`cohensKappa needs one label from each rater per item (${a.length} and ${b.length}).`);
  if (a.length === 0) return NaN;
  const labels = [...new Set([...a, ...b])];
  if (new Set(labels.map((l) => typeof l)).size > 1) throw new TypeError('cohensKappa: the labels mix strings and numbers.');
  labels.sort(compareLabels);
  const k = labels.length;
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < a.length; i++) confusion[index.get(a[i]) ?? 0][index.get(b[i]) ?? 0]++;
  const colSums = labels.map((_, j) => confusion.reduce((s, row) => s + row[j], 0));
  const rowSums = confusion.map((row) => row.reduce((s, c) => s + c, 0));
  const n = a.length;
  let observed = 0;
  const expected = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      observed += confusion[i][j];
      expected[i * k + j] = (colSums[i] * rowSums[j]) / n;
    }
  }
  return 1 - observed / pairwiseSum(expected);
}

/**
 * Fleiss' kappa for several raters, statsmodels 0.13.5's fleiss_kappa(table, method='fleiss')
 * (Fleiss 1971): `table` has one row per item and one column per category, each cell the number
 * of raters who put the item in that category, every row summing to the same number of raters m.
 * With N items, p_j = (column sum j) / (N m), P_i = (sum_j n_ij^2 - m) / (m (m - 1)),
 * P = mean(P_i) and P_e = sum_j p_j^2, kappa = (P - P_e) / (1 - P_e), in numpy's order. NaN for no
 * items, for one rater per item, and when every rating falls in one category (P_e = 1). Throws a
 * RangeError when rows differ in length or in their total (statsmodels asserts the latter).
 */
export function fleissKappa(table: readonly (readonly number[])[]): number {
  if (table.length === 0) return NaN;
  const categories = table[0].length;
  if (table.some((row) => row.length !== categories)) throw new RangeError('fleissKappa: every row needs one count per category.');
  const raters = table.map((row) => row.reduce((s, c) => s + c, 0));
  const m = raters[0];
  if (raters.some((r) => r !== m)) throw new RangeError('fleissKappa: every item needs the same number of ratings.');
  const total = m * table.length;
  const shares = new Float64Array(categories);
  for (let j = 0; j < categories; j++) {
    const p = table.reduce((s, row) => s + row[j], 0) / total;
    shares[j] = p * p;
  }
  const perItem = table.map((row) => (row.reduce((s, c) => s + c * c, 0) - m) / (m * (m - 1)));
  const pMean = mean(perItem);
  const pExpected = pairwiseSum(shares);
  return (pMean - pExpected) / (1 - pExpected);
}

export { bootstrapCi, type BootstrapCiOptions, type BootstrapCiResult, type IndexStatistic } from './bootstrap.js';
