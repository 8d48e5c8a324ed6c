import { describe, expect, it } from 'vitest';
import type { TrainParams } from '../schema/records.js';
import { paramImportance, type SearchParam } from '../search/index.js';
import { newStudy, studyProblems } from './draft.js';
import { prunerPeers, settingApplies, suggestTrial, trialFamily } from './families.js';
import { trialId, type Study, type Trial } from './study.js';
import { trialParams, trialViews } from './trials.js';

const base: TrainParams = {
  task: 'classification',
  target: 'y',
  features: ['a', 'b'],
  epochs: 20,
  batchSize: 32,
  learningRate: 0.01,
  hiddenLayers: [32, 16],
  validationFraction: 0.2,
  seed: 7,
};

// The space a person sets when the search may choose the kind of model (listed in an order with
// `family` last, to show the sampler asks it first all the same).
const familySpace: SearchParam[] = [
  { name: 'learningRate', kind: 'float', low: 1e-4, high: 0.1, log: true },
  { name: 'layers', kind: 'int', low: 0, high: 3 },
  { name: 'l2', kind: 'float', low: 1e-3, high: 100, log: true },
  { name: 'trees', kind: 'int', low: 10, high: 200, log: true },
  { name: 'maxDepth', kind: 'int', low: 2, high: 16 },
  { name: 'family', kind: 'choice', choices: ['network', 'linear', 'forest'] },
];

const NETWORK = ['learningRate', 'layers'];
const FOREST = ['trees', 'maxDepth'];

function study(seed: number, space = familySpace): Study {
  return newStudy({ id: 's', projectId: 'p', datasetId: 'd', base, space, objective: 'valLoss', trials: 40, seed, pruneEarly: true, backend: 'cpu', now: 0 });
}

// A stand-in objective: the forest does best, deeper trees better; the network's value depends on
// its learning rate only; the linear model's on its penalty.
function valueOf(p: TrainParams): number {
  if (p.family === 'forest') return 0.2 + 1 / (p.maxDepth ?? 8);
  if (p.family === 'linear') return 0.5 + 0.05 * Math.abs(Math.log10(p.l2 ?? 1));
  return 0.4 + 0.1 * (Math.log10(p.learningRate) + 2) ** 2;
}

/** Run a study of `n` trials the way the device does: ask, train (here: valueOf), record. */
function runSearch(s: Study, n: number): Trial[] {
  const trials: Trial[] = [];
  for (let number = 0; number < n; number++) {
    const params = suggestTrial(s, trials, number);
    const value = valueOf(trialParams(s.base, params));
    trials.push({
      id: trialId(s.id, number),
      studyId: s.id,
      projectId: 'p',
      number,
      state: 'complete',
      params,
      value,
      intermediate: [value],
      startedAt: 0,
      finishedAt: 1,
      durationMs: 1,
    });
  }
  return trials;
}

describe('a search that chooses the kind of model', () => {
  it('asks only the settings of the kind each trial trains', () => {
    const trials = runSearch(study(3), 30);
    const families = new Set(trials.map((t) => t.params.family));
    expect(families).toEqual(new Set(['network', 'linear', 'forest']));
    for (const t of trials) {
      const asked = Object.keys(t.params).sort();
      if (t.params.family === 'network') expect(asked).toEqual(['family', ...NETWORK].sort());
      if (t.params.family === 'linear') expect(asked).toEqual(['family', 'l2']);
      if (t.params.family === 'forest') expect(asked).toEqual(['family', ...FOREST].sort());
    }
    // TPE learns the forest is best once its ten random start-up trials are done.
    const later = trials.slice(15).filter((t) => t.params.family === 'forest').length;
    expect(later).toBeGreaterThan(7);
  });

  it('gives the same trials for the same seed, and other trials for another seed', () => {
    const a = runSearch(study(5), 24).map((t) => t.params);
    const b = runSearch(study(5), 24).map((t) => t.params);
    expect(a).toEqual(b);
    expect(runSearch(study(6), 24).map((t) => t.params)).not.toEqual(a);
    // Asked again after a break, trial 17 is what it was.
    const trials = runSearch(study(5), 17);
    expect(suggestTrial(study(5), trials, 17)).toEqual(a[17]);
  });

  it('fits a conditional setting to the trials that asked it only', () => {
    const s = study(9);
    // Twelve forests and one network: the network's settings are fitted to that one trial, and a
    // network trial still gets a learning rate in range (no value borrowed from the forests).
    const trials: Trial[] = Array.from({ length: 12 }, (_, number) => ({
      id: trialId(s.id, number),
      studyId: s.id,
      projectId: 'p',
      number,
      state: 'complete',
      params: { family: 'forest', trees: 20 + number, maxDepth: 2 + (number % 10) },
      value: 0.3 + number / 100,
      intermediate: [0.3],
      startedAt: 0,
      finishedAt: 1,
      durationMs: 1,
    }));
    trials.push({ ...trials[0], id: trialId(s.id, 12), number: 12, params: { family: 'network', learningRate: 0.01, layers: 1 }, value: 0.1 });
    let networks = 0;
    for (let n = 13; n < 40; n++) {
      const p = suggestTrial(s, trials, n);
      if (p.family !== 'network') continue;
      networks++;
      expect(p.learningRate as number).toBeGreaterThanOrEqual(1e-4);
      expect(p.learningRate as number).toBeLessThanOrEqual(0.1);
      expect(p).not.toHaveProperty('trees');
    }
    // The network was the best trial: l(x) favours it.
    expect(networks).toBeGreaterThan(10);
  });

  it('trains a trial with its own kind’s settings only, whatever else its record holds', () => {
    const p = trialParams(base, { family: 'linear', l2: 0.5, learningRate: 0.9, trees: 99 });
    expect(p).toEqual({ ...base, family: 'linear', l2: 0.5 });
    expect(trialParams({ ...base, family: 'forest' }, { trees: 40.2, l2: 3 })).toEqual({ ...base, family: 'forest', trees: 40 });
    expect(trialFamily(base, {})).toBe('network');
    expect(settingApplies(base, 'units', { family: 'forest' })).toBe(false);
    expect(settingApplies({ family: 'linear' }, 'l2', {})).toBe(true);
  });

  it('prunes a trial against trials of its own kind only', () => {
    const views = trialViews(runSearch(study(3), 20));
    const forests = prunerPeers(base, views, 'forest');
    expect(forests.length).toBeGreaterThan(0);
    expect(forests.every((v) => v.params.family === 'forest')).toBe(true);
  });

  it('does not count a setting of one kind as mattering because the kinds differ', () => {
    const trials = trialViews(runSearch(study(3), 40));
    const r = paramImportance(familySpace, trials, 'minimize', 1);
    // Only the kind of model was asked in every trial.
    expect(Object.keys(r)).toEqual(['family']);
    expect(r.family).toBeCloseTo(1, 12);
    // Within the forests, depth is what the value depends on.
    const forests = trials.filter((t) => t.params.family === 'forest');
    const within = paramImportance(familySpace, forests, 'minimize', 1);
    expect(Object.keys(within).sort()).toEqual(['family', ...FOREST].sort());
    expect(within.maxDepth).toBeGreaterThan(within.trees);
    expect(within.family).toBe(0);
  });
});

describe('refusing a search over kinds of model', () => {
  it('says which kind is not one, and which setting no kind tried uses', () => {
    expect(studyProblems({ space: familySpace, trials: 10, base })).toEqual([]);
    expect(studyProblems({ space: [{ name: 'family', kind: 'choice', choices: ['network', 'svm'] }], trials: 10 })).toEqual([
      { param: 'family', code: 'not_a_family' },
    ]);
    expect(studyProblems({ space: [{ name: 'trees', kind: 'int', low: 10, high: 50 }], trials: 10, base })).toEqual([
      { param: 'trees', code: 'not_for_family' },
    ]);
    expect(studyProblems({ space: [{ name: 'trees', kind: 'int', low: 10, high: 50 }], trials: 10, base: { family: 'forest' } })).toEqual([]);
    const onlyLinear: SearchParam[] = [
      { name: 'family', kind: 'choice', choices: ['linear'] },
      { name: 'units', kind: 'int', low: 4, high: 8 },
    ];
    expect(studyProblems({ space: onlyLinear, trials: 10, base })).toEqual([{ param: 'units', code: 'not_for_family' }]);
  });

  it('refuses a range reaching past what a setting allows, saying its limits', () => {
    expect(studyProblems({ space: [{ name: 'trees', kind: 'int', low: 100, high: 900 }], trials: 3, base: { family: 'forest' } })).toEqual([
      { param: 'trees', code: 'out_of_limits', low: 1, high: 500 },
    ]);
    expect(studyProblems({ space: [{ name: 'learningRate', kind: 'float', low: 0, high: 0.1 }], trials: 3 })).toEqual([
      { param: 'learningRate', code: 'out_of_limits', low: 1e-6, high: 10 },
    ]);
    expect(studyProblems({ space: [{ name: 'layers', kind: 'int', low: 0, high: 12 }], trials: 3 })).toEqual([
      { param: 'layers', code: 'out_of_limits', low: 0, high: 8 },
    ]);
  });
});
