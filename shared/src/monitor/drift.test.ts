import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { columnDrift, datasetDrift, type DriftResult, type TestedDrift } from './drift.js';
import { ks2samp } from '../stats/index.js';

// Evidently's choice of test transcribed into ../stats/fixtures/make-vectors.py and run with scipy
// 1.10.1: statistics to 1e-9 relative (plus 1e-12 absolute), p-values to 1e-7 relative.
const V = JSON.parse(readFileSync(new URL('../stats/fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  !Number.isFinite(expected) ? Object.is(actual, expected) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;
const tested = (r: DriftResult): TestedDrift => {
  if (r.test === 'none') throw new Error(`not tested: ${r.message}`);
  return r;
};
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe("columnDrift picks Evidently's default test and computes it as Evidently does", () => {
  for (const c of V.drift as {
    name: string;
    kind: 'numeric' | 'categorical';
    method: 'auto' | 'psi' | 'jensen_shannon';
    reference: (number | string)[];
    current: (number | string)[];
    test: string;
    statistic: number;
    pvalue?: number;
  }[]) {
    it(c.name, () => {
      const r = tested(columnDrift(c.reference, c.current, { kind: c.kind, method: c.method }));
      expect(r.test).toBe(c.test);
      expect(near(r.statistic, c.statistic, 1e-9, 1e-12), `${r.statistic} vs ${c.statistic}`).toBe(true);
      if (c.pvalue === undefined) expect(r.pvalue).toBeUndefined();
      else expect(near(r.pvalue!, c.pvalue, 1e-7, 1e-300), `${r.pvalue} vs ${c.pvalue}`).toBe(true);
      expect(r.referenceRows).toBe(c.reference.length);
      expect(r.currentRows).toBe(c.current.length);
      expect(r.distinct).toBe(new Set([...c.reference, ...c.current]).size);
    });
  }

  it('thresholds and verdicts: p-values below 0.05, distances and PSI from 0.1', () => {
    const ref = range(300, (i) => (i % 50) / 10);
    const shifted = range(100, (i) => (i % 50) / 10 + 2);
    const ks = tested(columnDrift(ref, shifted, { kind: 'numeric' }));
    expect([ks.test, ks.threshold, ks.drifted]).toEqual(['ks', 0.05, true]);
    const same = tested(columnDrift(ref, ref.slice(0, 100), { kind: 'numeric' }));
    expect(same.drifted).toBe(false);
    const big = range(1500, (i) => (i % 50) / 10);
    const w = tested(columnDrift(big, shifted, { kind: 'numeric' }));
    expect([w.test, w.threshold, w.drifted, w.pvalue]).toEqual(['wasserstein', 0.1, true, undefined]);
    const p = tested(columnDrift(ref, shifted, { kind: 'numeric', method: 'psi' }));
    expect([p.test, p.threshold, p.drifted]).toEqual(['psi', 0.1, true]);
  });

  it('a reference of exactly 1000 values still gets a test; 1001 gets a distance', () => {
    const cur = range(50, (i) => i / 7);
    expect(
      columnDrift(
        range(1000, (i) => i / 13),
        cur,
        { kind: 'numeric' },
      ).test,
    ).toBe('ks');
    expect(
      columnDrift(
        range(1001, (i) => i / 13),
        cur,
        { kind: 'numeric' },
      ).test,
    ).toBe('wasserstein');
    expect(
      columnDrift(
        range(1000, (i) => i % 3),
        cur.map((x) => Math.round(x) % 3),
        { kind: 'numeric' },
      ).test,
    ).toBe('chi_square');
    expect(
      columnDrift(
        range(1001, (i) => i % 3),
        cur.map((x) => Math.round(x) % 3),
        { kind: 'numeric' },
      ).test,
    ).toBe('jensen_shannon');
  });

  it('counts distinct values over both sides: 5 numbers are categories, 6 are continuous', () => {
    expect(columnDrift([1, 2, 3, 4, 5, 1, 2], [1, 2, 3, 4, 5], { kind: 'numeric' }).test).toBe('chi_square');
    expect(columnDrift([1, 2, 3, 4, 5, 1, 2], [1, 2, 3, 4, 6], { kind: 'numeric' }).test).toBe('ks');
    expect(columnDrift([1, 2, 1, 2], [1, 2, 2, 2, 2], { kind: 'numeric' }).test).toBe('z_test');
    expect(columnDrift(['a', 'b', 'a'], ['a', 'b', 'c', 'a', 'a'], { kind: 'categorical' }).test).toBe('chi_square');
  });
});

describe('columnDrift without enough values says so instead of guessing', () => {
  it('fewer than 5 current values', () => {
    const r = columnDrift(
      range(100, (i) => i),
      [1, 2, 3],
      { kind: 'numeric' },
    );
    expect(r).toMatchObject({ test: 'none', reason: 'too_few_rows', message: 'Not enough predictions yet to compare: 3 of the 5 needed.', currentRows: 3 });
  });

  it('fewer than 2 reference values', () => {
    const r = columnDrift(
      [7],
      range(10, (i) => i),
      { kind: 'numeric' },
    );
    expect(r).toMatchObject({ test: 'none', reason: 'too_few_rows', referenceRows: 1 });
    expect(r.test === 'none' && r.message).toBe('The training data has only 1 value in this column; at least 2 are needed to compare.');
  });

  it('no values at all on one side', () => {
    const blank = columnDrift(['a', 'b'], [null, '', 'NA'], { kind: 'categorical' });
    expect(blank).toMatchObject({ test: 'none', reason: 'no_values', currentMissing: 3, message: 'No values to compare yet: 3 predictions leave this blank.' });
    expect(columnDrift(['a', 'b'], [], { kind: 'categorical' })).toMatchObject({
      test: 'none',
      reason: 'no_values',
      message: 'No predictions yet to compare.',
    });
    expect(columnDrift([null, null], ['a'], { kind: 'categorical' })).toMatchObject({ test: 'none', reason: 'no_values', referenceMissing: 2 });
  });

  it('exactly 5 current and 2 reference values are tested', () => {
    expect(columnDrift([1, 2], [1, 2, 1, 2, 1], { kind: 'numeric' }).test).toBe('z_test');
  });
});

describe('columnDrift on a column without variance', () => {
  it('is no drift with statistic 0 for every test, never NaN', () => {
    const cases: [number[] | string[], number[] | string[], 'numeric' | 'categorical', 'auto' | 'psi' | 'jensen_shannon'][] = [
      [range(50, () => 4), range(20, () => 4), 'numeric', 'auto'],
      [range(1500, () => 4), range(20, () => 4), 'numeric', 'auto'],
      [range(50, () => 4), range(20, () => 4), 'numeric', 'psi'],
      [range(50, () => 4), range(20, () => 4), 'numeric', 'jensen_shannon'],
      [range(50, () => 'x'), range(20, () => 'x'), 'categorical', 'auto'],
      [range(1500, () => 'x'), range(20, () => 'x'), 'categorical', 'auto'],
      [range(50, () => 'x'), range(20, () => 'x'), 'categorical', 'psi'],
    ];
    for (const [ref, cur, kind, method] of cases) {
      const r = tested(columnDrift(ref, cur, { kind, method }));
      expect(r.statistic, `${kind} ${method} ${ref.length}`).toBe(0);
      expect(r.drifted).toBe(false);
      if (r.pvalue !== undefined) expect(r.pvalue).toBe(1);
    }
    expect(ks2samp([4, 4, 4], [4, 4])).toMatchObject({ statistic: 0, pvalue: 1 });
  });
});

describe('columnDrift drops missing values before testing and reports them', () => {
  it('the result is the test of the values that are there', () => {
    const ref = range(200, (i) => Math.sin(i));
    const cur = range(60, (i) => Math.cos(i) * 1.3);
    const withGaps = columnDrift([...ref, null, NaN, '', 'NA'], [null, ...cur, 'n/a', Infinity, 'not a number'], { kind: 'numeric' });
    const plain = columnDrift(ref, cur, { kind: 'numeric' });
    expect(withGaps).toEqual({ ...plain, referenceMissing: 4, currentMissing: 4 });
    expect(plain).toMatchObject({ referenceMissing: 0, currentMissing: 0, referenceRows: 200, currentRows: 60 });
  });

  it('numbers in text are read as numbers in a numeric column, and as labels in a categorical one', () => {
    expect(columnDrift(['1', '2', '3', '4', '5', '6'], [1, 2, 3, 4, 5, 6], { kind: 'numeric' })).toMatchObject({ test: 'ks', statistic: 0, distinct: 6 });
    expect(columnDrift(['1', ' 2', '3'], [1, 2, 3, 3, 3], { kind: 'categorical' })).toMatchObject({ test: 'chi_square', distinct: 3 });
  });
});

describe('datasetDrift', () => {
  const col = (drifted: boolean): DriftResult => ({
    test: 'psi',
    statistic: drifted ? 0.3 : 0.01,
    threshold: 0.1,
    drifted,
    distinct: 9,
    referenceRows: 10,
    currentRows: 10,
    referenceMissing: 0,
    currentMissing: 0,
  });
  const none: DriftResult = { test: 'none', reason: 'too_few_rows', message: '', referenceRows: 10, currentRows: 1, referenceMissing: 0, currentMissing: 0 };

  it('drifts when at least half of the tested columns drift', () => {
    expect(datasetDrift([col(true), col(false)])).toEqual({ drifted: true, driftedColumns: 1, testedColumns: 2, share: 0.5 });
    expect(datasetDrift([col(true), col(false), col(false)])).toMatchObject({ drifted: false, driftedColumns: 1, testedColumns: 3 });
    expect(datasetDrift([col(true), col(true), col(false)])).toMatchObject({ drifted: true });
    expect(datasetDrift([col(true), col(false), col(false)], 1 / 3)).toMatchObject({ drifted: true, share: 1 / 3 });
  });

  it('leaves untested columns out of both counts', () => {
    expect(datasetDrift([col(true), none, none, col(false)])).toMatchObject({ drifted: true, driftedColumns: 1, testedColumns: 2 });
  });

  it('with no tested column, is not drifted and says so', () => {
    const r = datasetDrift([none, none]);
    expect(r).toMatchObject({ drifted: false, driftedColumns: 0, testedColumns: 0 });
    expect(r.message).toMatch(/no verdict/);
    expect(datasetDrift([]).drifted).toBe(false);
  });
});
