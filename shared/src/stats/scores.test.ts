import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { averagePrecision, brierScore } from './scores.js';

// Reference vectors from scikit-learn 1.2.1 (fixtures/make-vectors.py), to 1e-9 relative (plus
// 1e-12 absolute, for scores at 0).
const V = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;

describe('averagePrecision and brierScore match scikit-learn', () => {
  for (const c of V.scores as { name: string; yTrue: number[]; scores: number[]; averagePrecision: number; brier: number }[]) {
    it(c.name, () => {
      const ap = averagePrecision(c.yTrue, c.scores);
      const b = brierScore(c.yTrue, c.scores);
      expect(near(ap, c.averagePrecision, 1e-9, 1e-12), `AP ${ap} vs ${c.averagePrecision}`).toBe(true);
      expect(near(b, c.brier, 1e-9, 1e-12), `Brier ${b} vs ${c.brier}`).toBe(true);
    });
  }

  it('refuses probabilities outside [0, 1] for the Brier score, and is NaN without rows', () => {
    expect(() => brierScore([1, 0], [0.5, 1.2])).toThrow(RangeError);
    expect(() => brierScore([1, 0], [0.5, -0.1])).toThrow(RangeError);
    expect(brierScore([], [])).toBeNaN();
    expect(averagePrecision([], [])).toBeNaN();
  });
});
