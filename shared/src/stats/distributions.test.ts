import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { chi2Cdf, chi2Sf, normalCdf, normalSf } from './distributions.js';
import { erf, erfc, lgam } from './special.js';

// Reference vectors from scipy 1.10.1 (fixtures/make-vectors.py): probabilities to 1e-7
// relative, down to 1e-300 absolute (subnormal doubles hold only a few digits).
const V = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;

describe('normal distribution matches scipy.stats.norm', () => {
  it('cdf and sf, into the far tails', () => {
    const bad: unknown[] = [];
    for (const [z, cdf, sf] of V.normal as number[][]) {
      if (!near(normalCdf(z), cdf, 1e-7, 1e-300)) bad.push(['cdf', z, cdf, normalCdf(z)]);
      if (!near(normalSf(z), sf, 1e-7, 1e-300)) bad.push(['sf', z, sf, normalSf(z)]);
    }
    expect(bad).toEqual([]);
  });

  it('keeps the relative precision of small upper tails (sf(10) is not 1 - cdf(10))', () => {
    expect(normalSf(10)).toBeGreaterThan(7.6e-24);
    expect(1 - normalCdf(10)).toBe(0);
    expect(normalSf(-Infinity)).toBe(1);
    expect(normalSf(Infinity)).toBe(0);
  });
});

describe('chi-square distribution matches scipy.stats.chi2', () => {
  it('sf and cdf for 1 to 10000 degrees of freedom, including the Temme region where x ~ df', () => {
    const bad: unknown[] = [];
    for (const [x, df, sf, cdf] of V.chi2 as number[][]) {
      if (!near(chi2Sf(x, df), sf, 1e-7, 1e-300)) bad.push(['sf', x, df, sf, chi2Sf(x, df)]);
      if (!near(chi2Cdf(x, df), cdf, 1e-7, 1e-300)) bad.push(['cdf', x, df, cdf, chi2Cdf(x, df)]);
    }
    expect(bad).toEqual([]);
  });

  it('edges of the support and invalid degrees of freedom', () => {
    expect(chi2Sf(0, 3)).toBe(1);
    expect(chi2Sf(-1, 3)).toBe(1);
    expect(chi2Sf(Infinity, 3)).toBe(0);
    expect(chi2Sf(2, 0)).toBeNaN();
    expect(chi2Sf(NaN, 2)).toBeNaN();
    expect(chi2Cdf(0, 3)).toBe(0);
  });
});

describe('Cephes special functions', () => {
  it('erf, erfc and lgam at known values', () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erfc(3)).toBeCloseTo(2.2090496998585445e-5, 18);
    expect(lgam(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
    expect(lgam(1)).toBe(0);
    expect(lgam(171)).toBeCloseTo(706.5730622457875, 10);
  });
});
