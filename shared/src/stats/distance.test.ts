import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { jensenShannon, wasserstein } from './distance.js';

// Reference vectors from scipy 1.10.1 (fixtures/make-vectors.py): distances to 1e-9 relative
// (plus 1e-12 absolute, for distances at 0).
const V = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;

describe('wasserstein matches scipy.stats.wasserstein_distance', () => {
  for (const c of V.wasserstein as { a: number[]; b: number[]; value: number }[]) {
    it(`${c.a.length} vs ${c.b.length} values`, () => {
      const w = wasserstein(c.a, c.b);
      expect(near(w, c.value, 1e-9, 1e-12), `${w} vs ${c.value}`).toBe(true);
    });
  }

  const sample = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 50 });
  it('is symmetric, non-negative, and zero on identical samples', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const ab = wasserstein(a, b);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(Math.abs(ab - wasserstein(b, a))).toBeLessThanOrEqual(1e-9 * Math.max(1, ab));
        expect(wasserstein(a, [...a].reverse())).toBe(0);
      }),
    );
  });

  it('throws for an empty sample, as scipy raises', () => {
    expect(() => wasserstein([], [1])).toThrow(RangeError);
  });
});

describe('jensenShannon matches scipy.spatial.distance.jensenshannon', () => {
  for (const c of V.jensenshannon as { p: number[]; q: number[]; base: number | null; value: number }[]) {
    it(`${c.p.length} bins, base ${c.base ?? 'e'}`, () => {
      const d = jensenShannon(c.p, c.q, c.base ?? undefined);
      expect(near(d, c.value, 1e-9, 1e-12), `${d} vs ${c.value}`).toBe(true);
    });
  }

  it('is 0 for equal distributions, 1 in base 2 for disjoint ones, and never NaN from rounding', () => {
    expect(jensenShannon([1, 2, 3], [2, 4, 6], 2)).toBe(0);
    expect(jensenShannon([1, 0], [0, 1], 2)).toBe(1);
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (p) => {
        const d = jensenShannon(
          p,
          p.map((x) => x * (1 + 1e-15)),
          2,
        );
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(1e-6);
      }),
    );
  });
});
