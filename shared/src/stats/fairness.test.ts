import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fairness, fairnessCounts, fairnessFromCounts, type GroupCounts } from './fairness.js';

// Reference vectors computed with numpy by AIF360's formulas (fixtures/make-vectors.py), to 1e-9
// relative (plus 1e-12 absolute, for figures at 0); NaN where a rate has nothing to count.
const V = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  Number.isNaN(expected) || !Number.isFinite(expected) ? Object.is(actual, expected) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;
const FIGURES = ['disparateImpact', 'statisticalParityDifference', 'equalOpportunityDifference', 'averageOddsDifference'] as const;

describe('fairness matches the AIF360 formulas', () => {
  for (const c of V.fairness as ({
    name: string;
    yTrue: (string | number)[];
    yPred: (string | number)[];
    group: (string | number)[];
    privileged: string | number;
    favourable: string | number;
  } & Record<string, number>)[]) {
    it(c.name, () => {
      const f = fairness(c.yTrue, c.yPred, c.group, { privileged: c.privileged, favourable: c.favourable });
      for (const k of FIGURES) expect(near(f[k], c[k], 1e-9, 1e-12), `${k}: ${f[k]} vs ${c[k]}`).toBe(true);
    });
  }

  it('undefined rates come back as NaN without throwing', () => {
    const f = fairness([1, 0], [1, 0], ['a', 'a'], { privileged: 'b', favourable: 1 });
    for (const k of FIGURES) expect(f[k]).toBeNaN();
  });

  it('counts merged across devices give the figures of all rows together', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.constantFrom('x', 'y', 'z'));
    const device = fc.array(row, { minLength: 0, maxLength: 40 });
    fc.assert(
      fc.property(fc.array(device, { minLength: 1, maxLength: 6 }), (devices) => {
        const opts = { privileged: 'x', favourable: 1 };
        const add = (a: GroupCounts, b: GroupCounts): GroupCounts => ({
          n: a.n + b.n,
          predFav: a.predFav + b.predFav,
          trueFav: a.trueFav + b.trueFav,
          tp: a.tp + b.tp,
          fp: a.fp + b.fp,
        });
        const counts = devices.map((rows) =>
          fairnessCounts(
            rows.map((r) => r[0]),
            rows.map((r) => r[1]),
            rows.map((r) => r[2]),
            opts,
          ),
        );
        const merged = counts.reduce((s, c) => ({ privileged: add(s.privileged, c.privileged), unprivileged: add(s.unprivileged, c.unprivileged) }));
        const rows = devices.flat();
        expect(fairnessFromCounts(merged)).toEqual(
          fairness(
            rows.map((r) => r[0]),
            rows.map((r) => r[1]),
            rows.map((r) => r[2]),
            opts,
          ),
        );
      }),
    );
  });

  it('refuses lists of different lengths', () => {
    expect(() => fairness([1], [1, 0], [1], { privileged: 1, favourable: 1 })).toThrow(RangeError);
  });
});
