import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { ks2samp } from './ks.js';
import { kstwoCdf, kstwoSf, smirnovSf } from './kolmogorov.js';

// Reference vectors from scipy 1.10.1 (fixtures/make-vectors.py). Agreement: statistics to 1e-9
// relative (plus 1e-12 absolute, for values at 0); p-values to 1e-7 relative, which stays
// meaningful for p-values as small as 1e-155, down to 1e-300 absolute (below that doubles are
// subnormal and hold only a few digits).
const V = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;

type Sample = number[] | { gen: 'frac'; n: number; k: number; m: number; scale: number; offset: number };
const expand = (s: Sample) => (Array.isArray(s) ? s : Array.from({ length: s.n }, (_, i) => (((i * s.k) % s.m) / s.m) * s.scale + s.offset));

describe('ks2samp matches scipy.stats.ks_2samp (method auto)', () => {
  for (const c of V.ks as { name: string; a: Sample; b: Sample; statistic: number; pvalue: number; method: string }[]) {
    it(c.name, () => {
      const r = ks2samp(expand(c.a), expand(c.b));
      expect(r.method).toBe(c.method);
      expect(near(r.statistic, c.statistic, 1e-9, 1e-12), `D ${r.statistic} vs ${c.statistic}`).toBe(true);
      expect(near(r.pvalue, c.pvalue, 1e-7, 1e-300), `p ${r.pvalue} vs ${c.pvalue}`).toBe(true);
    });
  }

  it('throws for an empty sample, as scipy raises, and for NaN', () => {
    expect(() => ks2samp([], [1])).toThrow(RangeError);
    expect(() => ks2samp([1, NaN], [1])).toThrow(RangeError);
  });

  it('handles infinite values', () => {
    // scipy.stats.ks_2samp([-inf, 0, inf], [0, 1]): D = 1/3, p = 1.
    expect(ks2samp([-Infinity, 0, Infinity], [0, 1])).toEqual({ statistic: 1 / 3, pvalue: 1, method: 'exact' });
  });
});

describe('kstwoSf and kstwoCdf match scipy.stats.kstwo across the branches of _kolmogn', () => {
  it('every (d, n) in the vectors', () => {
    const bad: unknown[] = [];
    for (const [d, n, sf, cdf] of V.kstwo as number[][]) {
      if (!near(kstwoSf(d, n), sf, 1e-7, 1e-300)) bad.push(['sf', d, n, sf, kstwoSf(d, n)]);
      // The CDF is tiny where the statistic is small; compare it absolutely there.
      if (!near(kstwoCdf(d, n), cdf, 1e-7, 1e-15)) bad.push(['cdf', d, n, cdf, kstwoCdf(d, n)]);
    }
    expect(bad).toEqual([]);
  });

  it("Smirnov's one-sided tail (scipy.special.smirnov) where the two-sided tail uses it", () => {
    const bad: unknown[] = [];
    for (const [n, d, sf] of V.smirnov as number[][]) if (!near(smirnovSf(n, d), sf, 1e-7, 1e-300)) bad.push([n, d, sf, smirnovSf(n, d)]);
    expect(bad).toEqual([]);
  });

  it('is NaN for a sample size that is not a positive integer', () => {
    expect(kstwoSf(0.3, 0)).toBeNaN();
    expect(kstwoSf(0.3, 2.5)).toBeNaN();
  });
});

describe('ks2samp properties', () => {
  const sample = fc.array(
    fc.integer({ min: -20, max: 20 }).map((v) => v / 4),
    { minLength: 1, maxLength: 60 },
  );
  it('D lies in [0, 1], p in [0, 1], and swapping the samples changes neither', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const ab = ks2samp(a, b);
        const ba = ks2samp(b, a);
        expect(ab.statistic).toBeGreaterThanOrEqual(0);
        expect(ab.statistic).toBeLessThanOrEqual(1);
        expect(ab.pvalue).toBeGreaterThanOrEqual(0);
        expect(ab.pvalue).toBeLessThanOrEqual(1);
        expect(ba.statistic).toBe(ab.statistic);
        expect(ba.pvalue).toBeCloseTo(ab.pvalue, 12);
      }),
    );
  });

  it('a sample against itself gives D = 0 and p = 1', () => {
    fc.assert(
      fc.property(sample, (a) => {
        expect(ks2samp(a, [...a].reverse())).toEqual({ statistic: 0, pvalue: 1, method: 'exact' });
      }),
    );
  });
});
