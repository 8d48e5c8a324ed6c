// Pearson's chi-square tests as scipy 1.10.1 computes them (scipy.stats.chisquare and
// scipy.stats.chi2_contingency, both through power_divergence with lambda_='pearson').
import { chi2Sf } from './distributions.js';
import { pairwiseSum } from './numeric.js';

/** A chi-square statistic with its p-value. */
export interface ChiSquareResult {
  statistic: number;
  pvalue: number;
}

/** A test of independence: the statistic, its p-value and the degrees of freedom (r - 1)(c - 1). */
export interface Chi2ContingencyResult extends ChiSquareResult {
  dof: number;
}

/**
 * Pearson's chi-square goodness-of-fit test, scipy.stats.chisquare(observed, expected) (scipy
 * 1.10.1, ddof = 0): statistic = sum((o - e)^2 / e) over the k categories, p = chi2.sf(statistic,
 * k - 1). Without `expected`, every category expects the mean count. As scipy does, throws a
 * RangeError when the observed and expected totals differ by more than 1e-8 relative or the lists
 * differ in length. An expected count of 0 beside a positive observed one gives statistic Infinity
 * and p = 0; with one category the p-value is NaN (no degrees of freedom).
 */
export function chiSquare(observed: readonly number[], expected?: readonly number[]): ChiSquareResult {
  const k = observed.length;
  let exp: readonly number[];
  if (expected === undefined) {
    const mean = pairwiseSum(observed) / k;
    exp = observed.map(() => mean);
  } else {
    if (expected.length !== k) throw new RangeError(`chiSquare needs as many expected counts as observed ones (${expected.length} and ${k}).`);
    const obsSum = pairwiseSum(observed);
    const expSum = pairwiseSum(expected);
    const relativeDiff = Math.abs(obsSum - expSum) / Math.min(obsSum, expSum);
    if (relativeDiff > 1e-8)
      throw new RangeError(`The observed total (${obsSum}) and the expected total (${expSum}) must agree to a relative tolerance of 1e-8.`);
    exp = expected;
  }
  const terms = observed.map((o, i) => (o - exp[i]) ** 2 / exp[i]);
  const statistic = pairwiseSum(terms);
  return { statistic, pvalue: chi2Sf(statistic, k - 1) };
}

/**
 * Pearson's chi-square test of independence on an r x c table of counts,
 * scipy.stats.chi2_contingency(table) with its defaults (scipy 1.10.1, correction=True): expected
 * counts E_ij = row_i col_j / total, dof = (r - 1)(c - 1); when dof is 1 (a 2 x 2 table) Yates'
 * continuity correction moves each observed count towards its expected one by min(0.5, |E - O|);
 * statistic = sum((O - E)^2 / E), p = chi2.sf(statistic, dof); dof 0 (one row or one column) gives
 * statistic 0 and p = 1. As scipy does, throws a RangeError for negative counts, an empty or ragged
 * table, or a row or column that sums to zero (an expected count of zero): drop such a category first.
 */
export function chi2Contingency(table: readonly (readonly number[])[]): Chi2ContingencyResult {
  const r = table.length;
  const c = r ? table[0].length : 0;
  if (r === 0 || c === 0) throw new RangeError('No data: the table is empty.');
  if (table.some((row) => row.length !== c)) throw new RangeError('Every row of the table needs the same number of columns.');
  if (table.some((row) => row.some((v) => v < 0))) throw new RangeError('All counts in the table must be nonnegative.');
  const rowSums = table.map((row) => pairwiseSum(row));
  const colSums = table[0].map((_, j) => table.reduce((s, row) => s + row[j], 0));
  const total = pairwiseSum(table.flat());
  const expected = rowSums.map((rs) => colSums.map((cs) => (rs * cs) / total));
  const zero = expected.flatMap((row, i) => row.map((e, j) => (e === 0 ? [i, j] : null))).find((x) => x !== null);
  if (zero) throw new RangeError(`The internally computed table of expected frequencies has a zero element at (${zero[0]}, ${zero[1]}).`);
  const dof = r * c - r - c + 1;
  if (dof === 0) return { statistic: 0, pvalue: 1, dof };
  const terms: number[] = [];
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      let o = table[i][j];
      const e = expected[i][j];
      if (dof === 1) {
        const diff = e - o;
        o += Math.min(0.5, Math.abs(diff)) * Math.sign(diff);
      }
      terms.push((o - e) ** 2 / e);
    }
  }
  const statistic = pairwiseSum(terms);
  return { statistic, pvalue: chi2Sf(statistic, dof), dof };
}
