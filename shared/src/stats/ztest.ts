// The two-proportion Z-test as Evidently computes it for a two-category column.
import { normalSf } from './distributions.js';

/** A Z statistic with its two-sided p-value. */
export interface ZTestResult {
  statistic: number;
  pvalue: number;
}

/**
 * Two-proportion Z-test with a pooled proportion, Evidently's `proportions_diff_z_stat_ind`:
 * p1 = refSuccess/refN, p2 = curSuccess/curN, P = (p1 refN + p2 curN)/(refN + curN),
 * z = (p1 - p2) / sqrt(P (1 - P) (1/refN + 1/curN)); two-sided p = 2 (1 - Phi(|z|)) computed as
 * 2 normalSf(|z|) (scipy.stats.norm.sf), which keeps small p-values that Evidently's 1 - cdf rounds
 * to 0 (they agree to 1e-16 elsewhere). When the pooled proportion is 0 or 1 both samples agree
 * completely and the variance is 0: Evidently's formula would give 0/0, this returns z = 0, p = 1.
 * A sample of size 0 gives NaN for both.
 */
export function twoProportionZTest(refSuccess: number, refN: number, curSuccess: number, curN: number): ZTestResult {
  if (!(refN > 0) || !(curN > 0)) return { statistic: NaN, pvalue: NaN };
  const p1 = refSuccess / refN;
  const p2 = curSuccess / curN;
  const P = (p1 * refN + p2 * curN) / (refN + curN);
  if (P === 0 || P === 1) return { statistic: 0, pvalue: 1 };
  const statistic = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / refN + 1 / curN));
  return { statistic, pvalue: 2 * normalSf(Math.abs(statistic)) };
}
