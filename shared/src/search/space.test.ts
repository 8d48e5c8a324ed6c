import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { containsPoint, effectiveHigh, SearchParam, SearchSpace, spaceProblems, type SearchParam as Param } from './space.js';
import { randomSuggest } from './random.js';

const codes = (space: Param[]) => spaceProblems(space).map((p) => `${p.param}:${p.code}`);

describe('spaceProblems', () => {
  it('finds nothing wrong in well-formed spaces', () => {
    expect(
      codes([
        { name: 'lr', kind: 'float', low: 1e-5, high: 1, log: true },
        { name: 'dropout', kind: 'float', low: 0, high: 0.5, step: 0.1 },
        { name: 'units', kind: 'int', low: 8, high: 512, log: true },
        { name: 'layers', kind: 'int', low: 1, high: 4 },
        { name: 'same', kind: 'float', low: 2, high: 2 },
        { name: 'opt', kind: 'choice', choices: ['adam', 'sgd', 3] },
      ]),
    ).toEqual([]);
  });

  it('names each problem by a code', () => {
    expect(codes([{ name: 'a', kind: 'float', low: 2, high: 1 }])).toEqual(['a:empty_range']);
    expect(codes([{ name: 'a', kind: 'float', low: 0, high: 1, log: true }])).toEqual(['a:log_not_positive']);
    expect(codes([{ name: 'a', kind: 'int', low: 0, high: 9, log: true }])).toEqual(['a:log_not_positive']);
    expect(codes([{ name: 'a', kind: 'choice', choices: [] }])).toEqual(['a:no_choices']);
    expect(
      codes([
        { name: 'a', kind: 'int', low: 0, high: 3 },
        { name: 'a', kind: 'int', low: 0, high: 3 },
      ]),
    ).toEqual(['a:duplicate_name']);
    expect(codes([{ name: 'a', kind: 'int', low: 0, high: 3, step: 4 }])).toEqual(['a:step_too_large']);
    expect(codes([{ name: 'a', kind: 'float', low: 0, high: Infinity }])).toEqual(['a:not_finite']);
    expect(codes([{ name: 'a', kind: 'float', low: NaN, high: 1 }])).toEqual(['a:not_finite']);
    expect(codes([{ name: 'a', kind: 'float', low: 1, high: 2, log: true, step: 0.5 }])).toEqual(['a:log_with_step']);
    expect(codes([{ name: 'a', kind: 'float', low: 1, high: 2, step: 0 }])).toEqual(['a:step_not_positive']);
  });

  it('is backed by a schema that refuses malformed parameters', () => {
    expect(SearchSpace.safeParse([]).success).toBe(false);
    expect(SearchParam.safeParse({ name: 'a', kind: 'int', low: 0.5, high: 3 }).success).toBe(false);
    expect(SearchParam.safeParse({ name: '', kind: 'float', low: 0, high: 1 }).success).toBe(false);
    expect(SearchParam.safeParse({ name: 'a', kind: 'choice', choices: [] }).success).toBe(false);
    expect(SearchParam.safeParse({ name: 'a', kind: 'choice', choices: ['x', 2] }).success).toBe(true);
  });
});

describe('containsPoint', () => {
  const space: Param[] = [
    { name: 'x', kind: 'float', low: 0, high: 1, step: 0.25 },
    { name: 'n', kind: 'int', low: 1, high: 10, step: 3 },
    { name: 'c', kind: 'choice', choices: ['a', 1] },
  ];
  it('accepts grid points and refuses off-grid, out-of-range, missing and extra values', () => {
    expect(effectiveHigh(space[1] as Param & { kind: 'int' })).toBe(10);
    expect(containsPoint(space, { x: 0.75, n: 7, c: 1 })).toBe(true);
    expect(containsPoint(space, { x: 0.7, n: 7, c: 1 })).toBe(false);
    expect(containsPoint(space, { x: 0.75, n: 6, c: 1 })).toBe(false);
    expect(containsPoint(space, { x: 0.75, n: 13, c: 1 })).toBe(false);
    expect(containsPoint(space, { x: 0.75, n: 7, c: '1' })).toBe(false);
    expect(containsPoint(space, { x: 0.75, n: 7 })).toBe(false);
    expect(containsPoint(space, { x: 0.75, n: 7, c: 'a', extra: 1 })).toBe(false);
  });
});

const arbParam: fc.Arbitrary<Param> = fc.oneof(
  fc
    .record({
      low: fc.double({ min: -1e3, max: 1e3, noNaN: true }),
      width: fc.double({ min: 0, max: 1e3, noNaN: true }),
      step: fc.option(fc.constantFrom(0.01, 0.1, 0.5, 2)),
    })
    .map(({ low, width, step }) => ({ name: 'f', kind: 'float' as const, low, high: low + Math.max(width, step ?? 0), ...(step === null ? {} : { step }) })),
  fc
    .record({ low: fc.double({ min: 1e-8, max: 10, noNaN: true }), factor: fc.double({ min: 1, max: 1e6, noNaN: true }) })
    .map(({ low, factor }) => ({ name: 'g', kind: 'float' as const, low, high: low * factor, log: true })),
  fc
    .record({ low: fc.integer({ min: -50, max: 50 }), width: fc.integer({ min: 0, max: 100 }), step: fc.integer({ min: 1, max: 7 }) })
    .map(({ low, width, step }) => ({ name: 'i', kind: 'int' as const, low, high: low + Math.max(width, step), step })),
  fc
    .record({ low: fc.integer({ min: 1, max: 100 }), width: fc.integer({ min: 0, max: 1e5 }) })
    .map(({ low, width }) => ({ name: 'j', kind: 'int' as const, low, high: low + width, log: true })),
  fc
    .array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { minLength: 1, maxLength: 50 })
    .map((choices) => ({ name: 'c', kind: 'choice' as const, choices })),
);
const arbSpace = fc.uniqueArray(arbParam, { minLength: 1, maxLength: 5, selector: (p) => p.name });

describe('randomSuggest', () => {
  it('always gives a point of a valid space', () => {
    fc.assert(
      fc.property(arbSpace, fc.integer(), fc.nat(10_000), (space, seed, trial) => {
        expect(spaceProblems(space)).toEqual([]);
        const params = randomSuggest(space, seed, trial);
        expect(containsPoint(space, params)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reaches both ends of a stepped or integer range with equal odds and spreads log scales by magnitude', () => {
    const space: Param[] = [
      { name: 'k', kind: 'int', low: 0, high: 2 },
      { name: 'lr', kind: 'float', low: 1e-4, high: 1, log: true },
      { name: 'q', kind: 'float', low: 0, high: 1, step: 0.5 },
    ];
    const counts = { k: [0, 0, 0], q: new Map<number, number>(), smallLr: 0 };
    const n = 3000;
    for (let t = 0; t < n; t++) {
      const p = randomSuggest(space, 7, t);
      counts.k[p.k as number]++;
      counts.q.set(p.q as number, (counts.q.get(p.q as number) ?? 0) + 1);
      if ((p.lr as number) < 1e-2) counts.smallLr++;
    }
    for (const c of counts.k) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.04);
    expect([...counts.q.keys()].sort()).toEqual([0, 0.5, 1]);
    for (const c of counts.q.values()) expect(Math.abs(c / n - 1 / 3)).toBeLessThan(0.04);
    // Half the log range lies below 1e-2; a linear draw would put 1% there.
    expect(Math.abs(counts.smallLr / n - 0.5)).toBeLessThan(0.04);
  });
});
