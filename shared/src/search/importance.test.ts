import { describe, expect, it } from 'vitest';
import { paramImportance } from './importance.js';
import { randomSuggest } from './random.js';
import type { Params, SearchSpace } from './space.js';
import type { TrialView } from './trials.js';

const space: SearchSpace = [
  { name: 'x', kind: 'float', low: -3, high: 3 },
  { name: 'y', kind: 'float', low: -3, high: 3 },
  { name: 'opt', kind: 'choice', choices: ['a', 'b', 'c'] },
];
const trialsOf = (f: (p: Params) => number, n = 60): TrialView[] =>
  Array.from({ length: n }, (_, i) => {
    const params = randomSuggest(space, 11, i);
    return { number: i, state: 'complete', params, value: f(params), intermediate: [] };
  });
const total = (r: Record<string, number>) => Object.values(r).reduce((s, v) => s + v, 0);

describe('paramImportance', () => {
  it('gives most of the importance to the only parameter the value depends on', () => {
    const r = paramImportance(
      space,
      trialsOf((p) => (p.x as number) ** 2),
      'minimize',
      1,
    );
    expect(Object.keys(r).sort()).toEqual(['opt', 'x', 'y']);
    expect(total(r)).toBeCloseTo(1, 12);
    expect(r.x).toBeGreaterThan(0.8);
    expect(Object.values(r).every((v) => v >= 0)).toBe(true);
  });

  it('agrees with the impurity-decrease evaluator on which parameter matters', () => {
    const r = paramImportance(
      space,
      trialsOf((p) => (p.x as number) ** 2),
      'minimize',
      1,
      'mdi',
    );
    expect(total(r)).toBeCloseTo(1, 12);
    expect(r.x).toBeGreaterThan(0.8);
  });

  it('gives a parameter with one possible value no importance', () => {
    const fixed: SearchSpace = [...space, { name: 'z', kind: 'int', low: 4, high: 4 }];
    const ts = trialsOf((p) => p.x as number).map((t) => ({ ...t, params: { ...t.params, z: 4 } }));
    const r = paramImportance(fixed, ts, 'minimize', 1);
    expect(r.z).toBe(0);
    expect(total(r)).toBeCloseTo(1, 12);
  });

  it('sees a choice through its one-hot columns', () => {
    const r = paramImportance(
      space,
      trialsOf((p) => (p.opt === 'b' ? 5 : 0) + 0.01 * (p.y as number)),
      'maximize',
      2,
    );
    expect(r.opt).toBeGreaterThan(0.8);
  });

  it('is the same for the same seed, and splits equally when nothing explains the value', () => {
    const ts = trialsOf((p) => (p.x as number) + (p.y as number));
    expect(paramImportance(space, ts, 'minimize', 5)).toEqual(paramImportance(space, ts, 'minimize', 5));
    const flat = paramImportance(
      space,
      trialsOf(() => 1),
      'minimize',
      5,
    );
    for (const v of Object.values(flat)) expect(v).toBeCloseTo(1 / 3, 15);
  });

  it('needs two complete trials with finite values', () => {
    const ts = trialsOf((p) => p.x as number, 3);
    expect(paramImportance(space, ts.slice(0, 1), 'minimize', 1)).toEqual({});
    expect(paramImportance(space, [ts[0], { ...ts[1], state: 'pruned' }, { ...ts[2], value: Infinity }], 'minimize', 1)).toEqual({});
    expect(Object.keys(paramImportance(space, ts.slice(0, 2), 'minimize', 1))).toHaveLength(3);
  });
});
