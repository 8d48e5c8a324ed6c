import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { histogram } from './histogram.js';
import { psi, psiEdges, psiFromCounts, quantile } from './psi.js';

// Reference vectors computed with numpy 1.24.2 by Outpost's formula (fixtures/make-vectors.py:
// numpy.quantile at numpy.linspace(0, 1, 11), outer edges infinite, numpy.unique, numpy.histogram,
// zero shares 1e-4): PSI to 1e-9 relative (plus 1e-12 absolute, for PSI at 0), edges and counts exactly.
const V = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;

describe("psi matches Outpost's formula computed with numpy", () => {
  for (const c of V.psi as {
    name: string;
    reference: number[];
    current: number[];
    edges: number[];
    refCounts: number[];
    curCounts: number[];
    value: number;
  }[]) {
    it(c.name, () => {
      const edges = psiEdges(c.reference);
      expect(edges).toEqual(c.edges);
      expect(histogram(c.reference, edges)).toEqual(c.refCounts);
      expect(histogram(c.current, edges)).toEqual(c.curCounts);
      expect(near(psi(c.reference, c.current), c.value, 1e-9, 1e-12), `${psi(c.reference, c.current)} vs ${c.value}`).toBe(true);
      expect(psiFromCounts(c.refCounts, c.curCounts)).toBe(psi(c.reference, c.current));
    });
  }

  it('quantiles use numpy linear interpolation', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([3, 1, 2], 0.25)).toBe(1.5);
    expect(quantile([5], 0.9)).toBe(5);
  });

  it('counts added up across devices give the PSI of the pooled values', () => {
    const values = fc.array(
      fc.integer({ min: -50, max: 50 }).map((v) => v / 8),
      { minLength: 1, maxLength: 80 },
    );
    fc.assert(
      fc.property(values, fc.array(values, { minLength: 1, maxLength: 5 }), (reference, devices) => {
        const edges = psiEdges(reference);
        const summed = devices.map((d) => histogram(d, edges)).reduce((s, c) => s.map((v, i) => v + c[i]));
        expect(psiFromCounts(histogram(reference, edges), summed)).toBe(psi(reference, devices.flat()));
      }),
    );
  });

  it('is NaN without counts and refuses bins that differ', () => {
    expect(psiFromCounts([1, 2], [0, 0])).toBeNaN();
    expect(() => psiFromCounts([1, 2], [1, 2, 3])).toThrow(RangeError);
  });
});
