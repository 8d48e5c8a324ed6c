import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomSplit, stratifiedSplit } from './split.js';
import { classBalance, inferColumns, toNumber, validateDataset } from './columns.js';
import { sha256Hex } from './hash.js';

describe('seeded splits', () => {
  const labels = fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 2, maxLength: 300 });
  it('are deterministic for a seed, disjoint and cover every row', () => {
    fc.assert(
      fc.property(labels, fc.integer(), fc.double({ min: 0.05, max: 0.5, noNaN: true }), (ls, seed, frac) => {
        const a = stratifiedSplit(ls, frac, seed);
        expect(stratifiedSplit(ls, frac, seed)).toEqual(a);
        const all = [...a.train, ...a.validation].sort((x, y) => x - y);
        expect(all).toEqual(ls.map((_, i) => i));
      }),
    );
  });
  it('keep each class share within one row of the requested fraction', () => {
    fc.assert(
      fc.property(labels, fc.integer(), (ls, seed) => {
        const { validation } = stratifiedSplit(ls, 0.2, seed);
        for (const c of ['a', 'b', 'c']) {
          const n = ls.filter((l) => l === c).length;
          const v = validation.filter((i) => ls[i] === c).length;
          if (n >= 2) {
            expect(v).toBeGreaterThanOrEqual(1);
            expect(v).toBeLessThan(n);
            expect(Math.abs(v - n * 0.2)).toBeLessThanOrEqual(1);
          } else expect(v).toBe(0);
        }
      }),
    );
  });
  it('differ for different seeds', () => {
    const ls = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'x' : 'y'));
    expect(stratifiedSplit(ls, 0.2, 1).validation).not.toEqual(stratifiedSplit(ls, 0.2, 2).validation);
    expect(randomSplit(100, 0.2, 1).validation).toHaveLength(20);
  });
});

describe('column inference and validation', () => {
  const rows = [
    { a: '1', b: 'x', c: '1.5e2', t: 'yes' },
    { a: '2', b: 'y', c: 'NA', t: 'no' },
    { a: '3', b: 'x', c: '7', t: 'yes' },
    { a: 'oops', b: '', c: '8', t: 'no' },
  ];
  it('infers numeric and categorical columns, missing and invalid counts', () => {
    const cols = inferColumns(rows, ['a', 'b', 'c', 't']);
    // 'a' has one non-number in four values: below 95%, so categorical.
    expect(cols.map((c) => c.type)).toEqual(['categorical', 'categorical', 'numeric', 'categorical']);
    expect(cols[1].missing).toBe(1);
    expect(cols[2]).toMatchObject({ missing: 1, invalid: 0, min: 7, max: 150 });
    expect(cols[2].mean).toBeCloseTo(55, 12);
  });
  it('parses numbers one way everywhere', () => {
    expect(toNumber(' 3.5 ')).toBe(3.5);
    expect(toNumber('1e-3')).toBe(0.001);
    expect(toNumber('12abc')).toBeNull();
    expect(toNumber('Infinity')).toBeNull();
    expect(toNumber('?')).toBeNull();
  });
  it('counts classes and blocks datasets that cannot train', () => {
    expect(classBalance(rows, 't')).toEqual([['no', 2], ['yes', 2]]);
    const cols = inferColumns(rows, ['a', 'b', 'c', 't']);
    const summary = validateDataset(rows, cols, 't');
    expect(summary.issues.some((i) => i.severity === 'error' && /at least 10/.test(i.message))).toBe(true);
    const many = Array.from({ length: 20 }, (_, i) => ({ x: String(i), t: i === 0 ? 'rare' : i % 2 ? 'a' : 'b' }));
    const s2 = validateDataset(many, inferColumns(many, ['x', 't']), 't');
    expect(s2.issues.find((i) => i.severity === 'error')?.message).toMatch(/“rare” has only 1 row/);
  });
});

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 test vector for "abc"', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
