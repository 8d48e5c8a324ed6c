import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { bootstrapCi, cohensKappa, fleissKappa } from './agreement.js';
import { mean } from './moments.js';

// Cohen's kappa against scikit-learn 1.2.1's cohen_kappa_score and Fleiss' kappa against
// statsmodels 0.13.5's fleiss_kappa (which the generating script also checks against the formula in
// numpy): text/fixtures/make-vectors.py wrote text/fixtures/agreement-vectors.json. Both agree to
// 1e-12 relative (1e-15 absolute near 0); "NaN" stands for nan.
const vectors = JSON.parse(readFileSync(new URL('./text/fixtures/agreement-vectors.json', import.meta.url), 'utf8'));
const num = (x: number | string) => (x === 'NaN' ? NaN : Number(x));
const near = (actual: number, expected: number) => {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  return Math.abs(actual - expected) <= 1e-12 * Math.abs(expected) + 1e-15;
};

describe('cohensKappa', () => {
  for (const c of vectors.cohen_kappa) {
    it(`${c.name}: scikit-learn gives ${c.kappa}`, () => {
      expect(near(cohensKappa(c.a, c.b), num(c.kappa))).toBe(true);
    });
  }

  it('(p_o - p_e) / (1 - p_e) by hand', () => {
    // 10 items, labels yes/no. Confusion (rows a, columns b): yes/yes 4, yes/no 1, no/yes 2, no/no 3.
    // p_o = 7/10; a says yes 5 times, b 6 times: p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2 / 0.5 = 0.4.
    const a = ['yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no', 'no', 'no'];
    const b = ['yes', 'yes', 'yes', 'yes', 'no', 'yes', 'yes', 'no', 'no', 'no'];
    expect(cohensKappa(a, b)).toBeCloseTo(0.4, 15);
  });

  it('is symmetric in the raters and does not depend on the names of the labels', () => {
    const labels = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(labels, (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const k = cohensKappa(a, b);
        const kSwapped = cohensKappa(b, a);
        const kRenamed = cohensKappa(
          a.map((x) => `label ${3 - x}`),
          b.map((x) => `label ${3 - x}`),
        );
        if (Number.isNaN(k)) {
          expect(kSwapped).toBeNaN();
        } else {
          expect(kSwapped).toBeCloseTo(k, 12);
          expect(kRenamed).toBeCloseTo(k, 12);
          expect(k).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
    );
  });

  it('rejects lists of different lengths and mixed label types; NaN for no items', () => {
    expect(() => cohensKappa([1, 2], [1])).toThrow(RangeError);
    expect(() => cohensKappa([1, 'a'], [1, 'a'])).toThrow(TypeError);
    expect(cohensKappa([], [])).toBeNaN();
  });
});

describe('fleissKappa', () => {
  for (const c of vectors.fleiss_kappa) {
    it(`${c.name}: statsmodels gives ${c.kappa}`, () => {
      expect(near(fleissKappa(c.table), num(c.kappa))).toBe(true);
    });
  }

  it('rejects rows with different numbers of raters or categories; NaN for no items', () => {
    expect(() =>
      fleissKappa([
        [2, 1],
        [1, 1],
      ]),
    ).toThrow(RangeError);
    expect(() => fleissKappa([[2, 1], [3]])).toThrow(RangeError);
    expect(fleissKappa([])).toBeNaN();
  });

  it('is 1 when every item is unanimous and more than one category is used', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 2, maxLength: 20 }), fc.integer({ min: 2, max: 9 }), (cats, m) => {
        fc.pre(new Set(cats).size > 1);
        const table = cats.map((c) => [0, 1, 2].map((j) => (j === c ? m : 0)));
        expect(fleissKappa(table)).toBeCloseTo(1, 12);
      }),
    );
  });
});

describe('bootstrapCi', () => {
  const values = Array.from({ length: 50 }, (_, i) => ((i * 37) % 50) / 10);

  it('is reproducible by its seed and brackets the estimate', () => {
    const a = bootstrapCi(values, { seed: 7, resamples: 2000 });
    expect(bootstrapCi(values, { seed: 7, resamples: 2000 })).toEqual(a);
    expect(bootstrapCi(values, { seed: 8, resamples: 2000 })).not.toEqual(a);
    expect(a.estimate).toBe(mean(values));
    expect(a.low).toBeLessThan(a.estimate);
    expect(a.high).toBeGreaterThan(a.estimate);
    expect(a.resamples).toBe(2000);
  });

  it('is close to the normal-theory interval for the mean of a large enough sample', () => {
    // Standard error of the mean = s / sqrt(n) with the population sd (the bootstrap's plug-in).
    const m = mean(values);
    const sd = Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
    const se = sd / Math.sqrt(values.length);
    const r = bootstrapCi(values, { seed: 1, resamples: 4000 });
    expect(Math.abs(r.low - (m - 1.959964 * se))).toBeLessThan(0.25 * se);
    expect(Math.abs(r.high - (m + 1.959964 * se))).toBeLessThan(0.25 * se);
  });

  it('narrows with a lower level and collapses for constant data', () => {
    const wide = bootstrapCi(values, { seed: 3, level: 0.99 });
    const narrow = bootstrapCi(values, { seed: 3, level: 0.5 });
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
    expect(bootstrapCi([2, 2, 2], { seed: 1 })).toEqual({ estimate: 2, low: 2, high: 2, resamples: 1000 });
  });

  it('takes any statistic over row indices, paired, and leaves out resamples where it is NaN', () => {
    // A kappa over items: both raters are resampled through the same indices.
    const a = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0];
    const b = [0, 0, 1, 0, 0, 1, 0, 1, 1, 1];
    const r = bootstrapCi(
      {
        n: a.length,
        statistic: (ix) =>
          cohensKappa(
            ix.map((i) => a[i]),
            ix.map((i) => b[i]),
          ),
      },
      { seed: 11, resamples: 500 },
    );
    expect(r.estimate).toBe(cohensKappa(a, b));
    expect(r.low).toBeLessThanOrEqual(r.estimate);
    expect(r.high).toBeLessThanOrEqual(1);
    // With two items, some resamples repeat one item, where kappa is NaN (one label per rater): they are dropped.
    const two = bootstrapCi(
      {
        n: 2,
        statistic: (ix) =>
          cohensKappa(
            ix.map((i) => [0, 1][i]),
            ix.map((i) => [0, 1][i]),
          ),
      },
      { seed: 2, resamples: 200 },
    );
    expect(two.resamples).toBeGreaterThan(0);
    expect(two.resamples).toBeLessThan(200);
    expect([two.low, two.high]).toEqual([1, 1]);
  });

  it('gives a preference rate with its interval from 0/1 outcomes', () => {
    const prefs = [...new Array(30).fill(1), ...new Array(10).fill(0)];
    const r = bootstrapCi(prefs, { seed: 5 });
    expect(r.estimate).toBe(0.75);
    expect(r.low).toBeGreaterThan(0.55);
    expect(r.high).toBeLessThan(0.9);
  });

  it('rejects bad options and gives NaN for no rows', () => {
    expect(() => bootstrapCi(values, { seed: 1, level: 1 })).toThrow(RangeError);
    expect(() => bootstrapCi(values, { seed: 1, resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapCi({ n: 1.5, statistic: () => 0 }, { seed: 1 })).toThrow(RangeError);
    expect(bootstrapCi([], { seed: 1 })).toEqual({ estimate: NaN, low: NaN, high: NaN, resamples: 0 });
  });
});
