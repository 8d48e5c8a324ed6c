import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { SliceEvaluation } from './evaluation-schema.js';
import { classificationSliceMetric, evaluateSlices, regressionSliceMetric, slices } from './slices.js';

// pandas 1.5.3 qcut codes (fixtures/make-evaluation-vectors.py).
const V = JSON.parse(readFileSync(new URL('./fixtures/evaluation-vectors.json', import.meta.url), 'utf8'), (_k, v) => (v === 'NaN' ? NaN : v));

describe('numeric slices are pandas.qcut(x, bins, duplicates="drop")', () => {
  for (const c of V.qcut as { name: string; x: number[]; q: number; codes: number[] }[]) {
    it(c.name, () => {
      const rows = c.x.map((v) => ({ x: Number.isNaN(v) ? null : v }));
      const got = slices(rows, 'x', 'numeric', { bins: c.q });
      // The same groups of rows (qcut's empty bins have no slice; -1 is missing).
      const codes = [...new Set(c.codes.filter((k) => k >= 0))].sort((a, b) => a - b);
      const want = codes.map((k) => c.codes.flatMap((code, i) => (code === k ? [i] : [])));
      const missing = c.codes.flatMap((code, i) => (code === -1 ? [i] : []));
      if (missing.length) want.push(missing);
      expect(got.map((s) => s.indices)).toEqual(want);
      if (missing.length) expect(got[got.length - 1].name).toBe('(missing)');
    });
  }

  it('names bins "lo–hi" with 3 significant digits, more where needed', () => {
    const rows = [10, 12.5, 20, 30, 40, 1000].map((x) => ({ x }));
    expect(slices(rows, 'x', 'numeric', { bins: 2 }).map((s) => s.name)).toEqual(['10–25', '25–1000']);
    const close = [1.0001, 1.0002, 1.0003, 1.0004, 1.0005].map((x) => ({ x }));
    expect(slices(close, 'x', 'numeric', { bins: 2 }).map((s) => s.name)).toEqual(['1.0001–1.0003', '1.0003–1.0005']);
    const quartiles = [0, 12.5, 30, 60, 100].map((x) => ({ x: String(x) }));
    expect(slices(quartiles, 'x', 'numeric').map((s) => s.name)).toEqual(['0–12.5', '12.5–30', '30–60', '60–100']);
  });

  it('a single value makes one slice; text that is not a number is missing', () => {
    const rows = [{ x: 5 }, { x: '5' }, { x: 'abc' }, { x: '' }, {}];
    expect(slices(rows, 'x', 'numeric')).toEqual([
      { name: '5', indices: [0, 1] },
      { name: '(missing)', indices: [2, 3, 4] },
    ]);
  });
});

describe('categorical slices', () => {
  it('one slice per value, most frequent first, the rest as (other), missing last', () => {
    const values = ['b', 'a', ' b', null, 'c', 'a', 'NA', 'd', 'b', 3, 3];
    const rows = values.map((v) => ({ city: v }));
    expect(slices(rows, 'city', 'categorical')).toEqual([
      { name: 'b', indices: [0, 2, 8] },
      { name: '3', indices: [9, 10] },
      { name: 'a', indices: [1, 5] },
      { name: 'c', indices: [4] },
      { name: 'd', indices: [7] },
      { name: '(missing)', indices: [3, 6] },
    ]);
    expect(slices(rows, 'city', 'categorical', { maxCategories: 2 }).map((s) => [s.name, s.indices.length])).toEqual([
      ['b', 3],
      ['3', 2],
      ['(other)', 4],
      ['(missing)', 2],
    ]);
  });

  it('cuts long names', () => {
    const [s] = slices([{ c: 'x'.repeat(500) }], 'c', 'categorical');
    expect(s.name).toHaveLength(100);
    expect(s.name.endsWith('…')).toBe(true);
  });
});

describe('evaluateSlices', () => {
  const rows = Array.from({ length: 120 }, (_, i) => ({ group: i % 3 === 0 ? 'x' : 'y', age: 20 + (i % 40) }));
  const yTrue = rows.map((_, i) => i % 2);
  const yPred = rows.map((r, i) => (r.group === 'x' ? i % 2 : 0));

  it('per slice n, the metric and a seeded interval, stated with its resamples', () => {
    const e = evaluateSlices(rows, 'group', 'categorical', classificationSliceMetric(yTrue, yPred, 2), { seed: 9, resamples: 300 });
    expect(SliceEvaluation.parse(e)).toEqual(e);
    expect(e).toMatchObject({ column: 'group', kind: 'categorical', metric: 'accuracy', resamples: 300, level: 0.95, seed: 9 });
    const [y, x] = e.slices;
    expect([y.name, y.n, x.name, x.n]).toEqual(['y', 80, 'x', 40]);
    expect(x).toMatchObject({ value: 1, low: 1, high: 1 });
    expect(y.value).toBe(0.5);
    expect(y.low!).toBeLessThan(0.5);
    expect(y.high!).toBeGreaterThan(0.5);
    expect(evaluateSlices(rows, 'group', 'categorical', classificationSliceMetric(yTrue, yPred, 2), { seed: 9, resamples: 300 })).toEqual(e);
  });

  it('numeric slices, and undefined figures as null', () => {
    const e = evaluateSlices(rows, 'age', 'numeric', regressionSliceMetric(yTrue, yPred, 'r2'), { seed: 1, resamples: 50, bins: 4 });
    expect(SliceEvaluation.parse(e)).toEqual(e);
    expect(e.slices.map((s) => s.name)).toEqual(['20–29.8', '29.8–39.5', '39.5–49.3', '49.3–59']);
    expect(e.slices.reduce((a, s) => a + s.n, 0)).toBe(120);
    // A metric undefined wherever row 0 (in slice x) is drawn: x has no figures, y has all three.
    const partial = evaluateSlices(rows, 'group', 'categorical', { name: 'f1', of: (idx) => (idx.includes(0) ? NaN : 1) }, { seed: 2, resamples: 100 });
    expect(SliceEvaluation.parse(partial)).toEqual(partial);
    expect(partial.slices).toEqual([
      { name: 'y', n: 80, value: 1, low: 1, high: 1 },
      { name: 'x', n: 40, value: null, low: null, high: null },
    ]);
    const f1 = classificationSliceMetric([0, 0, 1, 2], [0, 0, 1, 2], 3, 'f1');
    expect(f1.of([0, 1])).toBe(1); // only label 0 present: macro over the present labels
    expect(f1.of([])).toBeNaN();
  });
});
