// The two-sided one-sample Kolmogorov-Smirnov distribution D_n, ported from scipy 1.10.1's
// scipy/stats/_ksstats.py (`_kolmogn`, after Simard & L'Ecuyer 2011, "Computing the Two-Sided
// Kolmogorov-Smirnov Distribution", J. Stat. Softw. 39(11)): the Ruben-Gambino closed forms, the
// Durbin matrix in Marsaglia-Tsang-Wang's form, Pomeranz's recursion, the Pelz-Good expansion, and
// Smirnov's one-sided tail (cephes/kolmogorov.c) where the two-sided tail is twice it.
import { MINLOG } from './special.js';
import { ldexp, pairwiseSum } from './numeric.js';

const E128 = 128;
const EP128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const STIRLING = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417, -0.0005952380952380953, 0.0007936507936507937,
  -0.002777777777777778, 0.08333333333333333,
];

const clip = (p: number) => (p < 0 ? 0 : p > 1 ? 1 : p);
const pick = (cdfProb: number, sfProb: number, cdf: boolean) => clip(cdf ? cdfProb : sfProb);

/**
 * The survival function P(D_n >= d) of the two-sided one-sample Kolmogorov-Smirnov statistic for a
 * sample of n, as scipy.stats.kstwo.sf(d, n) computes it in scipy 1.10.1 (support [1/(2n), 1]).
 * ks_2samp's asymptotic p-value is this at n = round(n1 n2 / (n1 + n2)). NaN unless n is a
 * positive integer.
 */
export function kstwoSf(d: number, n: number): number {
  if (Number.isNaN(d) || !Number.isInteger(n) || n < 1) return NaN;
  if (d <= 0.5 / n) return 1;
  if (d >= 1) return 0;
  return kolmogn(n, d, false);
}

/** The CDF P(D_n <= d) of the same distribution (scipy.stats.kstwo.cdf, scipy 1.10.1). */
export function kstwoCdf(d: number, n: number): number {
  if (Number.isNaN(d) || !Number.isInteger(n) || n < 1) return NaN;
  if (d <= 0.5 / n) return 0;
  if (d >= 1) return 1;
  return kolmogn(n, d, true);
}

function kolmogn(n: number, x: number, cdf: boolean): number {
  if (x >= 1) return pick(1, 0, cdf);
  if (x <= 0) return pick(0, 1, cdf);
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return pick(0, 1, cdf);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logNFactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return pick(prob, 1 - prob, cdf);
  }
  if (t >= n - 1) {
    const prob = 2 * (1 - x) ** n;
    return pick(1 - prob, prob, cdf);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob, cdf);
  }
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) {
      const prob = durbinMtw(n, x);
      return pick(prob, 1 - prob, cdf);
    }
    if (nxsquared <= 4) {
      const prob = pomeranz(n, x);
      return pick(prob, 1 - prob, cdf);
    }
    const prob = 2 * smirnovSf(n, x);
    return pick(1 - prob, prob, cdf);
  }
  if (!cdf) {
    if (nxsquared >= 370) return 0;
    if (nxsquared >= 2.2) return clip(2 * smirnovSf(n, x));
  }
  let cdfProb: number;
  if (nxsquared >= 18) cdfProb = 1;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfProb = durbinMtw(n, x);
  else cdfProb = pelzGood(n, x);
  return pick(cdfProb, 1 - cdfProb, cdf);
}

// log(n! / n^n) by Stirling's series with n log n taken out up front.
function logNFactorialDivNPowN(n: number): number {
  const rn = 1 / n;
  let poly = STIRLING[0];
  for (let i = 1; i < STIRLING.length; i++) poly = poly * (rn / n) + STIRLING[i];
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

// P(D_n <= d) by Durbin's matrix, Marsaglia, Tsang & Wang (2003): the k-th diagonal element of
// (n!/n^n) H^n, with H^n by repeated squaring and exponents carried separately.
function durbinMtw(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Array<number>(m);
  const w = new Array<number>(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  let H: Float64Array[] = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) H[r][i] = w[r - i + 1];
  for (let r = 0; r < m; r++) H[r][0] = v[r];
  for (let c = 0; c < m; c++) H[m - 1][c] = v[m - 1 - c];
  let power: Float64Array[] = Array.from({ length: m }, (_, i) => {
    const row = new Float64Array(m);
    row[i] = 1;
    return row;
  });
  let nn = n;
  let expnt = 0;
  let hExpnt = 0;
  while (nn > 0) {
    if (nn % 2) {
      power = matmul(power, H);
      expnt += hExpnt;
    }
    H = matmul(H, H);
    hExpnt *= 2;
    if (Math.abs(H[k - 1][k - 1]) > EP128) {
      for (const row of H) for (let c = 0; c < m; c++) row[c] /= EP128;
      hExpnt += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = power[k - 1][k - 1];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clip(p);
}

function matmul(a: Float64Array[], b: Float64Array[]): Float64Array[] {
  const m = a.length;
  const out = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 0; i < m; i++) {
    const ai = a[i];
    const oi = out[i];
    for (let k = 0; k < m; k++) {
      const aik = ai[k];
      if (aik === 0) continue;
      const bk = b[k];
      for (let j = 0; j < m; j++) oi[j] += aik * bk[j];
    }
  }
  return out;
}

function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

// P(D_n <= x) by Pomeranz's recursion (1974): rows convolved with Poisson-like weights, two rows kept.
function pomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = twogpower[0] = onem2gpower[0] = 1;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] * gOverN) / m;
    twogpower[m] = (twogpower[m - 1] * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1] * oneMinusTwoGOverN) / m;
  }
  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let expnt = 0;
  let j1 = pomeranzJ1J2(0, n, ll, ceilf, roundf)[0];
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0);
    const [nextJ1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    j1 = nextJ1;
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const start = k1 - V0s;
      const a = V0.subarray(start, Math.min(start + ln2, npwrs));
      const b = pwrs.subarray(0, Math.min(ln2, npwrs));
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let max = 0;
      for (let c = 0; c < convLen; c++) {
        const idx = convStart + c;
        let s = 0;
        const lo = Math.max(0, idx - b.length + 1);
        const hi = Math.min(idx, a.length - 1);
        for (let q = lo; q <= hi; q++) s += a[q] * b[idx - q];
        V1[c] = s;
        if (s > max) max = s;
      }
      if (max > 0 && max < EM128) {
        for (let c = 0; c < npwrs; c++) V1[c] *= EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }
  let ans = V1[n - V1s];
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clip(ans);
}

// P(D_n <= x) by the Pelz-Good (1976) expansion of the Li-Chien/Korolyuk series, for small x.
function pelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = q ** (8 * k);
    const coeffs = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) K[i] = K[i] * qpower + coeffs[i];
  }
  const div = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / div[i];
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  const t2: number[] = [];
  const t3: number[] = [];
  for (let k = maxk; k > 0; k--) {
    const ksq = k ** 2;
    const kspi = Math.PI * k;
    const qp = q ** ksq;
    t2.push(ksq * qp);
    t3.push((sqrt3z + kspi) * (sqrt3z - kspi) * ksq * qp);
  }
  K[2] += pairwiseSum(t2) * ((PI2 * SQRT2PI) / (-36 * z3));
  K[3] += pairwiseSum(t3) * ((PI2 * SQRT2PI) / (216 * z6));
  for (let i = 0; i < 4; i++) K[i] /= n ** (i / 2);
  return K[0] + K[1] + K[2] + K[3];
}

// n * x split exactly into floor and fraction (Dekker's product), as cephes' modNX does in double-double.
function modNX(n: number, x: number): [number, number] {
  const p = n * x;
  const split = (a: number) => {
    const c = 134217729 * a;
    const hi = c - (c - a);
    return [hi, a - hi];
  };
  const [nh, nl] = split(n);
  const [xh, xl] = split(x);
  const e = nh * xh - p + nh * xl + nl * xh + nl * xl;
  let fl = Math.floor(p);
  let alpha: number;
  if (fl === p) {
    if (e < 0) {
      fl -= 1;
      alpha = 1 + e;
    } else {
      alpha = e;
    }
  } else {
    alpha = p - fl + e;
  }
  if (alpha >= 1) {
    fl += 1;
    alpha = 0;
  }
  return [fl, alpha];
}

/**
 * Smirnov's one-sided tail P(D_n^+ >= x) (scipy.special.smirnov, cephes/kolmogorov.c) by the
 * Birnbaum-Tingey lower sum. Cephes switches to the upper sum only for x <= 0.5/sqrt(n), which the
 * two-sided tail never asks for (it calls this for x >= 0.5 or n x^2 >= 2.2), and sums in
 * double-double where this sums logarithms of the terms in double (log1p for the powers near 1):
 * agreement is to about 1e-12 relative for n up to 10^6, in milliseconds rather than seconds.
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const [nxfl, alpha] = modNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  if (alpha === 0) n1mxfl -= 1;
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) return 1 - x * (1 + x) ** (n - 1);
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return (1 - x) ** n;
  if (n > 1000000) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
  }
  // Terms A_v = C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v), v = 0..n(1-x), summed in log space
  // relative to a running scale: with n up to 10^6 the powers under- and overflow doubles.
  const nTerms = n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  let scale = n * Math.log1p(-x) - Math.log(x);
  let sum = 1;
  // log C(n, v) grows to about n log 2 over up to n steps: a compensated (Neumaier) sum keeps its
  // rounding from accumulating (plain addition drifts by ~1e-8 relative at n = 10^6).
  let logC = Math.log(n);
  let logCLo = 0;
  for (let j = 1; j < nTerms; j++) {
    const t1 = (nxfl + j + alpha) / n;
    const logA = logC + ((j - 1) * Math.log(t1) + (n - j) * Math.log1p(-t1)) + logCLo;
    if (logA > -Infinity) {
      if (logA > scale) {
        sum = sum * Math.exp(scale - logA) + 1;
        scale = logA;
      } else {
        const aj = Math.exp(logA - scale);
        sum += aj;
        if (4 * (nTerms - j) * aj < Number.EPSILON * sum && j !== nTerms - 1) break;
      }
    } else if (j > vmid) {
      break;
    }
    const step = Math.log((n - j) / (j + 1));
    const next = logC + step;
    logCLo += Math.abs(logC) >= Math.abs(step) ? logC - next + step : step - next + logC;
    logC = next;
  }
  return clip(x * sum * Math.exp(scale));
}
