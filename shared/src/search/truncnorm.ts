// The truncated normal pieces TPE needs: log of Gaussian mass on an interval, log density, and the
// inverse CDF for sampling, computed in the left tail where they stay accurate (as scipy's
// truncnorm and Optuna's _truncnorm.py do).
import { ndtr } from '../stats/special.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log Phi(a), the log of the standard normal CDF: log1p(-Phi(-a)) above 6, log(ndtr(a)) down to
 * -20, and the asymptotic series -a^2/2 - log(-a) - log(2 pi)/2 + log(1 - 1/a^2 + 3/a^4 - ...)
 * below (Optuna's _log_ndtr_single, after scipy's log_ndtr).
 */
export function logNdtr(a: number): number {
  if (a > 6) return Math.log1p(-ndtr(-a));
  if (a > -20) return Math.log(ndtr(a));
  const logLhs = -0.5 * a * a - Math.log(-a) - LOG_SQRT_2PI;
  let last = 0;
  let rhs = 1;
  let numerator = 1;
  let denomFactor = 1;
  const denomCons = 1 / (a * a);
  let sign = 1;
  for (let i = 1; Math.abs(last - rhs) > Number.EPSILON && i < 100; i++) {
    last = rhs;
    sign = -sign;
    denomFactor *= denomCons;
    numerator *= 2 * i - 1;
    rhs += sign * numerator * denomFactor;
  }
  return logLhs + Math.log(rhs);
}

/**
 * log(Phi(b) - Phi(a)) for a <= b (Optuna's _log_gauss_mass): for b <= 0 as
 * log Phi(b) + log1p(-exp(log Phi(a) - log Phi(b))), for a > 0 by symmetry on (-b, -a), and across
 * 0 as log1p(-Phi(a) - Phi(-b)), which avoids cancellation when the mass is near 1.
 */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) {
    const lb = logNdtr(b);
    return lb + Math.log1p(-Math.exp(logNdtr(a) - lb));
  }
  if (a > 0) return logGaussMass(-b, -a);
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/**
 * log density at x of a normal N(mu, sigma^2) truncated to [low, high]:
 * -z^2/2 - log sqrt(2 pi) - log(Phi(beta) - Phi(alpha)) - log sigma with z = (x - mu)/sigma,
 * alpha, beta the standardised bounds; -Infinity outside the bounds (scipy's truncnorm.logpdf).
 */
export function truncnormLogPdf(x: number, mu: number, sigma: number, low: number, high: number): number {
  if (x < low || x > high) return -Infinity;
  const z = (x - mu) / sigma;
  return -0.5 * z * z - LOG_SQRT_2PI - logGaussMass((low - mu) / sigma, (high - mu) / sigma) - Math.log(sigma);
}

// Acklam's rational approximation of the normal quantile, refined by one Halley step against ndtr
// (relative error near 1e-15), used only on probabilities that are not vanishingly small.
const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** The standard normal quantile Phi^-1(p) for p in (0, 1) (Acklam's approximation plus a Halley refinement). */
export function ndtri(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  }
  const e = ndtr(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * The q-quantile of N(mu, sigma^2) truncated to [low, high]: Phi^-1(Phi(alpha) + q (Phi(beta) -
 * Phi(alpha))) sigma + mu, worked on the side of 0 where the CDF values are small (Optuna's
 * _truncnorm.ppf flips for alpha >= 0 for the same reason), and clipped to the bounds.
 */
export function truncnormPpf(q: number, mu: number, sigma: number, low: number, high: number): number {
  const alpha = (low - mu) / sigma;
  const beta = (high - mu) / sigma;
  let z: number;
  if (alpha < 0) {
    const pa = ndtr(alpha);
    z = ndtri(pa + q * (ndtr(beta) - pa));
  } else {
    const pb = ndtr(-beta);
    z = -ndtri(pb + (1 - q) * (ndtr(-alpha) - pb));
  }
  if (!Number.isFinite(z)) z = q < 0.5 ? alpha : beta;
  return Math.min(Math.max(z * sigma + mu, low), high);
}
