// Normal and chi-square distribution functions, computed from the Cephes ports in special.ts and
// igam.ts so that they agree with scipy 1.10.1's scipy.stats.norm and scipy.stats.chi2.
import { igam, igamc } from './igam.js';
import { ndtr } from './special.js';

export { kstwoCdf, kstwoSf } from './kolmogorov.js';

/** The standard normal CDF Phi(z) (scipy.stats.norm.cdf, i.e. scipy.special.ndtr(z), Cephes `ndtr`). */
export function normalCdf(z: number): number {
  return ndtr(z);
}

/**
 * The standard normal survival function 1 - Phi(z), computed as Phi(-z) so the upper tail keeps
 * its relative precision (scipy.stats.norm.sf, i.e. scipy.special.ndtr(-z)); normalSf(40) is
 * about 3.7e-350 rounded to 0, not 1 - 1.
 */
export function normalSf(z: number): number {
  return ndtr(-z);
}

/**
 * The chi-square survival function P(X >= x) for `df` degrees of freedom, the regularised upper
 * incomplete gamma Q(df/2, x/2) (scipy.stats.chi2.sf, i.e. scipy.special.chdtrc, Cephes `igamc`
 * as scipy 1.10.1 ships it, with Temme's expansion for large df). 1 for x <= 0, 0 for x = +Infinity,
 * NaN for df <= 0 or NaN arguments.
 */
export function chi2Sf(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  return igamc(df / 2, x / 2);
}

/** The chi-square CDF P(X <= x), the regularised lower incomplete gamma P(df/2, x/2) (scipy.stats.chi2.cdf, Cephes `igam`). */
export function chi2Cdf(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (x <= 0) return 0;
  return igam(df / 2, x / 2);
}
