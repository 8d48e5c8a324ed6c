import { describe, expect, it } from 'vitest';
import { tpeSuggest, splitTrials } from './tpe.js';
import { randomSuggest } from './random.js';
import { containsPoint, type Params, type SearchSpace } from './space.js';
import { bestTrial, type Direction, type TrialView } from './trials.js';

const space2d: SearchSpace = [
  { name: 'x', kind: 'float', low: -5, high: 5 },
  { name: 'y', kind: 'float', low: -5, high: 5 },
];

function study(space: SearchSpace, f: (p: Params) => number, budget: number, suggest: (trials: TrialView[], n: number) => Params): TrialView[] {
  const trials: TrialView[] = [];
  for (let n = 0; n < budget; n++) {
    const params = suggest(trials, n);
    expect(containsPoint(space, params)).toBe(true);
    trials.push({ number: n, state: 'complete', params, value: f(params), intermediate: [] });
  }
  return trials;
}

const complete = (number: number, x: number, value: number): TrialView => ({ number, state: 'complete', params: { x, y: 0 }, value, intermediate: [] });

describe('tpeSuggest', () => {
  const trials = Array.from({ length: 15 }, (_, i) => complete(i, -5 + (i * 10) / 14, (i - 4) ** 2));

  it('asks the same next trial for the same history and seed, whatever order the trials come in', () => {
    const a = tpeSuggest(space2d, trials, 15, 'minimize', { seed: 3 });
    const b = tpeSuggest(space2d, [...trials].reverse(), 15, 'minimize', { seed: 3 });
    expect(b).toEqual(a);
    expect(tpeSuggest(space2d, trials, 15, 'minimize', { seed: 4 })).not.toEqual(a);
    expect(tpeSuggest(space2d, trials, 16, 'minimize', { seed: 3 })).not.toEqual(a);
  });

  it('ignores running trials, failed ones and the trial being asked for', () => {
    const a = tpeSuggest(space2d, trials, 15, 'minimize', { seed: 3 });
    const noise: TrialView[] = [
      { number: 16, state: 'running', params: { x: 4, y: 4 }, intermediate: [] },
      { number: 17, state: 'failed', params: { x: -4, y: 4 }, intermediate: [] },
      { number: 15, state: 'complete', params: { x: 0, y: 0 }, value: -100, intermediate: [] },
      { number: 18, state: 'complete', params: { x: 1, y: 1 }, value: NaN, intermediate: [] },
    ];
    expect(tpeSuggest(space2d, [...trials, ...noise], 15, 'minimize', { seed: 3 })).toEqual(a);
  });

  it('samples at random until nStartupTrials trials have finished', () => {
    const few = trials.slice(0, 9);
    expect(tpeSuggest(space2d, few, 9, 'minimize', { seed: 5 })).toEqual(randomSuggest(space2d, 5, 9));
    expect(tpeSuggest(space2d, trials.slice(0, 10), 10, 'minimize', { seed: 5 })).not.toEqual(randomSuggest(space2d, 5, 10));
    expect(tpeSuggest(space2d, few, 9, 'minimize', { seed: 5, nStartupTrials: 3 })).not.toEqual(randomSuggest(space2d, 5, 9));
  });

  it('leans towards where the good trials were', () => {
    // The best trials sit near x = -2.1; with maximise the same history points the other way.
    const near = (d: Direction) => {
      let sum = 0;
      for (let s = 0; s < 20; s++) sum += tpeSuggest(space2d, trials, 15, d, { seed: s }).x as number;
      return sum / 20;
    };
    expect(near('minimize')).toBeLessThan(-1);
    expect(near('maximize')).toBeGreaterThan(1);
  });
});

describe('splitTrials', () => {
  it('fills the good group with complete trials first, then pruned ones that got furthest', () => {
    const pruned = (number: number, intermediate: number[]): TrialView => ({ number, state: 'pruned', params: {}, intermediate });
    const finished = [complete(0, 0, 5), pruned(1, [9, 8]), pruned(2, [1]), complete(3, 0, 2), pruned(4, [7, NaN]), pruned(5, []), pruned(6, [9, 3])];
    const names = (ts: TrialView[]) => ts.map((t) => t.number);
    const s = splitTrials(finished, 4, 'minimize');
    // Complete 3 (2) and 0 (5); then pruned at step 1 by last value: 6 (3), 1 (8), then 4 (NaN), 2 (step 0), 5 (no report).
    expect(names(s.below)).toEqual([0, 1, 3, 6]);
    expect(names(s.above)).toEqual([2, 4, 5]);
    expect(names(splitTrials(finished, 1, 'maximize').below)).toEqual([0]);
  });
});

// Seeded benchmarks: TPE with Optuna's defaults against random search, same budget and seeds.
const branin = (p: Params) => {
  const x = p.x as number;
  const y = p.y as number;
  const b = 5.1 / (4 * Math.PI ** 2);
  return (y - b * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
};
const problems: { name: string; space: SearchSpace; f: (p: Params) => number; optimum: number; tolerance: number }[] = [
  { name: 'a shifted sphere', space: space2d, f: (p) => ((p.x as number) - 1.5) ** 2 + ((p.y as number) + 2) ** 2, optimum: 0, tolerance: 0.5 },
  {
    name: 'Branin',
    space: [
      { name: 'x', kind: 'float', low: -5, high: 10 },
      { name: 'y', kind: 'float', low: 0, high: 15 },
    ],
    f: branin,
    optimum: 0.397887,
    tolerance: 1,
  },
  {
    name: 'a choice and a log-scale rate',
    space: [
      { name: 'opt', kind: 'choice', choices: ['sgd', 'adam', 'rmsprop', 'adagrad'] },
      { name: 'lr', kind: 'float', low: 1e-6, high: 1, log: true },
    ],
    f: (p) => (Math.log10(p.lr as number) + 3.3) ** 2 + { sgd: 1, adam: 0, rmsprop: 0.5, adagrad: 2 }[p.opt as string]!,
    optimum: 0,
    tolerance: 0.15,
  },
];

describe('TPE against random search (10 seeds, 40 trials)', () => {
  for (const { name, space, f, optimum, tolerance } of problems) {
    it(`finds better values on ${name}`, () => {
      const seeds = Array.from({ length: 10 }, (_, i) => 1000 + i);
      const run = (kind: 'tpe' | 'random') =>
        seeds.map((seed) => {
          const trials = study(space, f, 40, (ts, n) => (kind === 'tpe' ? tpeSuggest(space, ts, n, 'minimize', { seed }) : randomSuggest(space, seed, n)));
          return bestTrial(trials, 'minimize')!.value!;
        });
      const tpe = run('tpe');
      const random = run('random');
      const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
      const hits = (xs: number[]) => xs.filter((v) => v - optimum <= tolerance).length;
      expect(mean(tpe)).toBeLessThan(mean(random));
      expect(hits(tpe)).toBeGreaterThan(hits(random));
    });
  }
});
