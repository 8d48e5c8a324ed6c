import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { inferColumns } from '../data/columns.js';
import fc from 'fast-check';
import { FeaturePipeline } from '../schema/pipeline.js';
import { civilFromDays, toIsoDate } from '../data/dates.js';
import { buildReference } from '../monitor/reference.js';
import { decodeRegression, derive, encodeTarget, featureRow, featureWidth, fitPipeline, inputColumns, transformRow, transformRows } from './pipeline.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/diabetes-scaled.json', import.meta.url), 'utf8'));

describe('feature pipeline', () => {
  const names = [...fx.numeric, 'sex'];
  const rows = fx.rows.map((r: Record<string, string>) => ({ ...r, y: r.age }));
  const cols = inferColumns(rows, [...names, 'y']);
  const p = fitPipeline(rows, names, cols, 'y', 'regression');

  it('standardises and one-hot encodes exactly as scikit-learn does', () => {
    expect(featureWidth(p)).toBe(fx.numeric.length + fx.categories.length);
    const x = transformRows(p, rows);
    const w = featureWidth(p);
    fx.transformed.forEach((ref: number[], i: number) => {
      ref.forEach((v, j) => expect(Math.abs(x[i * w + j] - v)).toBeLessThan(1e-5)); // float32 output
    });
    p.features.forEach((f, j) => {
      if (f.kind === 'numeric') {
        expect(Math.abs(f.mean - fx.mean[j])).toBeLessThan(1e-9);
        expect(Math.abs(f.std - fx.scale[j])).toBeLessThan(1e-9);
      } else expect(f.categories).toEqual(fx.categories);
    });
  });

  it('imputes missing values with the training mean or mode; unseen categories encode as zeros', () => {
    const x = transformRow(p, { age: null, bmi: 'NA', bp: '', s5: undefined, sex: 'unknown' } as never);
    expect(Array.from(x)).toEqual(new Array(featureWidth(p)).fill(0));
    const y = transformRow(p, { age: null, sex: null } as never);
    expect(y[4] + y[5]).toBe(1);
  });

  it('round-trips a regression target through its standardisation', () => {
    const t = encodeTarget(p, { y: '50' })!;
    expect(decodeRegression(p, t)).toBeCloseTo(50, 10);
  });

  it('labels classification targets in sorted order and drops unknown ones', () => {
    const data = [
      { a: '1', t: 'b' },
      { a: '2', t: 'a' },
      { a: '3', t: 'b' },
    ];
    const pc = fitPipeline(data, ['a'], inferColumns(data, ['a', 't']), 't', 'classification');
    expect(pc.target).toEqual({ name: 't', kind: 'categorical', labels: ['a', 'b'] });
    expect(encodeTarget(pc, { t: 'b' })).toBe(1);
    expect(encodeTarget(pc, { t: 'zzz' })).toBeNull();
  });
});

describe('dates and free text in the pipeline', () => {
  // 1 March 2024 (Friday, day 61) and 31 December 2023 (Sunday, day 365), and one missing.
  const rows = [
    { visit: '01/03/2024', note: 'fever', y: 'a' },
    { visit: '31/12/2023', note: 'cough and fever', y: 'b' },
    { visit: null, note: 'fever', y: 'a' },
  ];
  const cols = inferColumns(rows, ['visit', 'note', 'y']);

  it('splits a date into year, month, day, weekday and day of the year, standardised', () => {
    expect(cols[0]).toMatchObject({ type: 'date', dateOrder: 'dmy' });
    const p = fitPipeline(rows, ['visit'], cols, 'y', 'classification');
    expect(p.version).toBe(2);
    expect(p.features.map((f) => f.name)).toEqual(['visit (year)', 'visit (month)', 'visit (day)', 'visit (weekday)', 'visit (yearday)']);
    const means = p.features.map((f) => (f.kind === 'numeric' ? f.mean : NaN));
    expect(means).toEqual([(2024 + 2023) / 2, (3 + 12) / 2, (1 + 31) / 2, (5 + 7) / 2, (61 + 365) / 2]);
    // The first row sits one deviation above the mean year and below the other means; a missing date imputes the means (zeros).
    expect(Array.from(transformRow(p, rows[0]))).toEqual([1, -1, -1, -1, -1]);
    expect(Array.from(transformRow(p, rows[2]))).toEqual([0, 0, 0, 0, 0]);
    // Serving reads the same order: ISO text (as stored) and day-first text give the same row.
    expect(transformRow(p, { visit: '2024-03-01' })).toEqual(transformRow(p, rows[0]));
    // What monitors and logs see: the parts before scaling; a row of those transforms alike.
    expect(inputColumns(p)).toEqual(['visit']);
    const seen = featureRow(p, rows[0]);
    expect(seen).toEqual({ 'visit (year)': 2024, 'visit (month)': 3, 'visit (day)': 1, 'visit (weekday)': 5, 'visit (yearday)': 61 });
    expect(transformRow(p, seen)).toEqual(transformRow(p, rows[0]));
    // It survives storage with the model.
    expect(FeaturePipeline.parse(JSON.parse(JSON.stringify(p)))).toEqual(p);
  });

  it('monitors profile the date parts the model reads, from the training rows', () => {
    const p = fitPipeline(rows, ['visit', 'note'], cols, 'y', 'classification');
    const ref = buildReference(rows, p, [{ label: 'a' }, { label: 'b' }, { label: 'a' }], 3);
    expect(ref.rows.columns['visit (month)']).toEqual([3, 12, null]);
    expect(ref.rows.columns['visit (weekday)']).toEqual([5, 7, null]);
    expect(ref.rows.columns.note).toEqual(['fever', 'cough and fever', 'fever']);
  });

  it('keeps a text column with few values as a category, and uses lengths when it has many', () => {
    const p = fitPipeline(rows, ['note'], cols, 'y', 'classification');
    expect(p.version).toBe(1);
    expect(p.features).toEqual([{ name: 'note', kind: 'categorical', categories: ['cough and fever', 'fever'], impute: 'fever' }]);
    const many = Array.from({ length: 30 }, (_, i) => ({ note: `visit ${i} ${'word '.repeat(i % 5)}`.trim(), y: i % 2 ? 'a' : 'b' }));
    const manyCols = inferColumns(many, ['note', 'y']);
    expect(manyCols[0].type).toBe('text');
    const q = fitPipeline(many, ['note'], manyCols, 'y', 'classification');
    expect(q.features.map((f) => f.name)).toEqual(['note (length)', 'note (words)']);
    expect(derive({ column: 'note', part: 'words' }, '  three  short words ')).toBe(3);
    expect(derive({ column: 'note', part: 'length' }, ' é à ')).toBe(3);
  });

  it('a pipeline stored before dates existed transforms as it did', () => {
    const old = {
      version: 1,
      features: [{ name: 'x', kind: 'numeric', mean: 2, std: 4, impute: 2 }],
      target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] },
    };
    const p = FeaturePipeline.parse(old);
    expect(Array.from(transformRow(p, { x: 10 }))).toEqual([2]);
    expect(Array.from(transformRow(p, { x: null }))).toEqual([0]);
  });

  it('date parts read back from any date written day first or ISO (property)', () => {
    const p = fitPipeline(rows, ['visit'], cols, 'y', 'classification');
    fc.assert(
      fc.property(fc.integer({ min: -10000, max: 50000 }), (n) => {
        const d = civilFromDays(n);
        const iso = toIsoDate(d);
        const dmy = `${String(d.day).padStart(2, '0')}/${String(d.month).padStart(2, '0')}/${d.year}`;
        expect(transformRow(p, { visit: dmy })).toEqual(transformRow(p, { visit: iso }));
        expect(derive({ column: 'visit', part: 'month', order: 'dmy' }, dmy)).toBe(d.month);
        expect(derive({ column: 'visit', part: 'year', order: 'dmy' }, iso)).toBe(d.year);
      }),
    );
  });
});
