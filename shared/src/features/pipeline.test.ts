import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { inferColumns } from '../data/columns.js';
import { decodeRegression, encodeTarget, featureWidth, fitPipeline, transformRow, transformRows } from './pipeline.js';

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
