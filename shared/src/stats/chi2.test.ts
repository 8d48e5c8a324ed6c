import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { chi2Contingency, chiSquare } from './chi2.js';
import { twoProportionZTest } from './ztest.js';

// Reference vectors from scipy 1.10.1 (fixtures/make-vectors.py): statistics to 1e-9 relative
// (plus 1e-12 absolute, for statistics at 0), p-values to 1e-7 relative (down to 1e-300).
const V = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  Number.isNaN(expected) || !Number.isFinite(expected) ? Object.is(actual, expected) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;

describe('chi2Contingency matches scipy.stats.chi2_contingency (Yates when dof is 1)', () => {
  for (const c of V.chi2Contingency as { table: number[][]; statistic?: number; pvalue?: number; dof?: number; error?: string }[]) {
    it(`${c.table.length} x ${c.table[0].length}: ${JSON.stringify(c.table).slice(0, 60)}`, () => {
      if (c.error !== undefined) {
        expect(() => chi2Contingency(c.table)).toThrow(c.error);
        return;
      }
      const r = chi2Contingency(c.table);
      expect(r.dof).toBe(c.dof);
      expect(near(r.statistic, c.statistic!, 1e-9, 1e-12), `${r.statistic} vs ${c.statistic}`).toBe(true);
      expect(near(r.pvalue, c.pvalue!, 1e-7, 1e-300), `${r.pvalue} vs ${c.pvalue}`).toBe(true);
    });
  }

  it('refuses negative counts and ragged tables', () => {
    expect(() =>
      chi2Contingency([
        [1, -1],
        [2, 3],
      ]),
    ).toThrow(RangeError);
    expect(() => chi2Contingency([[1, 2], [3]])).toThrow(RangeError);
    expect(() => chi2Contingency([])).toThrow(RangeError);
  });
});

describe('chiSquare matches scipy.stats.chisquare', () => {
  for (const c of V.chisquare as { observed: number[]; expected: number[] | null; statistic: number; pvalue: number }[]) {
    it(`${JSON.stringify(c.observed)} against ${JSON.stringify(c.expected)}`, () => {
      const r = chiSquare(c.observed, c.expected ?? undefined);
      expect(near(r.statistic, c.statistic, 1e-9, 1e-12), `${r.statistic} vs ${c.statistic}`).toBe(true);
      expect(near(r.pvalue, c.pvalue, 1e-7, 1e-300), `${r.pvalue} vs ${c.pvalue}`).toBe(true);
    });
  }

  it('refuses totals that disagree, as scipy does', () => {
    expect(() => chiSquare([10, 10], [10, 11])).toThrow(RangeError);
  });
});

describe("twoProportionZTest matches Evidently's proportions_diff_z_stat_ind with scipy.stats.norm", () => {
  for (const c of V.ztest as {
    refSuccess: number;
    refN: number;
    curSuccess: number;
    curN: number;
    statistic: number;
    pvalue: number;
    pvalueEvidently?: number;
  }[]) {
    it(`${c.refSuccess}/${c.refN} vs ${c.curSuccess}/${c.curN}`, () => {
      const r = twoProportionZTest(c.refSuccess, c.refN, c.curSuccess, c.curN);
      expect(near(r.statistic, c.statistic, 1e-9, 1e-12), `${r.statistic} vs ${c.statistic}`).toBe(true);
      expect(near(r.pvalue, c.pvalue, 1e-7, 1e-300), `${r.pvalue} vs ${c.pvalue}`).toBe(true);
      // Evidently's 2 * (1 - cdf) agrees in absolute terms; it only loses the tiny p-values.
      if (c.pvalueEvidently !== undefined) expect(Math.abs(r.pvalue - c.pvalueEvidently)).toBeLessThan(1e-15);
    });
  }

  it('a pooled proportion of 0 or 1 means no difference (z = 0, p = 1); an empty sample is NaN', () => {
    expect(twoProportionZTest(0, 10, 0, 12)).toEqual({ statistic: 0, pvalue: 1 });
    expect(twoProportionZTest(10, 10, 12, 12)).toEqual({ statistic: 0, pvalue: 1 });
    expect(twoProportionZTest(0, 0, 1, 2).pvalue).toBeNaN();
  });
});
