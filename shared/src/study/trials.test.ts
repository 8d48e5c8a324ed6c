import { describe, expect, it } from 'vitest';
import type { TrainParams } from '../schema/records.js';
import { newStudy, studyProblems } from './draft.js';
import type { Trial } from './study.js';
import { budgetSpent, defaultSpace, directionFor, history, nextTrialNumber, objectiveAt, trialParams, trialViews } from './trials.js';

const base: TrainParams = {
  task: 'classification',
  target: 'y',
  features: ['a', 'b'],
  epochs: 30,
  batchSize: 32,
  learningRate: 0.01,
  hiddenLayers: [32, 16],
  validationFraction: 0.2,
  seed: 7,
};
const trial = (number: number, extra: Partial<Trial> = {}): Trial => ({
  id: `s.${number}`,
  studyId: 's',
  projectId: 'p',
  number,
  state: 'complete',
  params: {},
  value: 1,
  intermediate: [1],
  startedAt: 0,
  finishedAt: 1,
  durationMs: 60_000,
  ...extra,
});

describe('a trial’s training settings', () => {
  it('lays the searched values over the base, hidden layers from layers × units', () => {
    const p = trialParams(base, { learningRate: 0.003, batchSize: 17.4, layers: 3, units: 8 });
    expect(p).toEqual({ ...base, learningRate: 0.003, batchSize: 17, hiddenLayers: [8, 8, 8] });
    expect(trialParams(base, { layers: 0 }).hiddenLayers).toEqual([]);
    // Only the width searched: the base's number of layers stays.
    expect(trialParams(base, { units: 64 }).hiddenLayers).toEqual([64, 64]);
    expect(trialParams(base, {})).toEqual(base);
    expect(base.hiddenLayers).toEqual([32, 16]);
  });

  it('judges by the validation loss (minimised) or metric (accuracy maximised, error minimised)', () => {
    expect(directionFor('valLoss', 'classification')).toBe('minimize');
    expect(directionFor('valMetric', 'classification')).toBe('maximize');
    expect(directionFor('valMetric', 'regression')).toBe('minimize');
    expect(objectiveAt({ epoch: 0, loss: 1, valLoss: 0.5, valMetric: 0.8 }, 'valMetric')).toBe(0.8);
    expect(objectiveAt({ epoch: 0, loss: 1 }, 'valLoss')).toBeNaN();
  });
});

describe('a study’s trials', () => {
  it('numbers the next trial past the greatest recorded, so a cut-off trial is asked again', () => {
    expect(nextTrialNumber([])).toBe(0);
    expect(nextTrialNumber([trial(0), trial(2), trial(1)])).toBe(3);
  });

  it('spends the budget by trials recorded or minutes spent in them', () => {
    expect(budgetSpent({ budget: { trials: 3 } }, [trial(0), trial(1)])).toBe(false);
    expect(budgetSpent({ budget: { trials: 3 } }, [trial(0), trial(1), trial(2)])).toBe(true);
    expect(budgetSpent({ budget: { minutes: 3 } }, [trial(0), trial(1)])).toBe(false);
    expect(budgetSpent({ budget: { minutes: 3 } }, [trial(0), trial(1)], 60_000)).toBe(true);
    expect(budgetSpent({ budget: { trials: 10, minutes: 2 } }, [trial(0), trial(1)])).toBe(true);
  });

  it('draws the history of complete trials with the best so far', () => {
    const trials = [trial(2, { value: 0.5 }), trial(0, { value: 0.9 }), trial(1, { state: 'pruned', value: undefined }), trial(3, { value: 0.7 })];
    expect(history(trials, 'minimize')).toEqual([
      { number: 0, value: 0.9, best: 0.9 },
      { number: 2, value: 0.5, best: 0.5 },
      { number: 3, value: 0.7, best: 0.5 },
    ]);
    expect(history(trials, 'maximize').map((h) => h.best)).toEqual([0.9, 0.9, 0.9]);
  });

  it('reads stored nulls as NaN for the pruner and sorts by number', () => {
    const views = trialViews([trial(1, { intermediate: [0.4, null] }), trial(0)]);
    expect(views.map((v) => v.number)).toEqual([0, 1]);
    expect(views[1].intermediate[1]).toBeNaN();
  });
});

describe('starting a search', () => {
  it('refuses a budget of zero, an unknown setting and a range with no point, by code', () => {
    const space = defaultSpace();
    expect(studyProblems({ space, trials: 20 })).toEqual([]);
    expect(studyProblems({ space, minutes: 5 })).toEqual([]);
    expect(studyProblems({ space, trials: 0 })).toEqual([{ param: '', code: 'no_budget' }]);
    expect(studyProblems({ space })).toEqual([{ param: '', code: 'no_budget' }]);
    expect(studyProblems({ space: [{ name: 'dropout', kind: 'float', low: 0, high: 0.5 }], trials: 5 })).toEqual([
      { param: 'dropout', code: 'unknown_setting' },
    ]);
    expect(studyProblems({ space: [{ name: 'layers', kind: 'int', low: 3, high: 1 }], trials: 5 })).toEqual([{ param: 'layers', code: 'empty_range' }]);
  });

  it('makes a study with Optuna’s defaults', () => {
    const s = newStudy({
      id: 's',
      projectId: 'p',
      datasetId: 'd',
      base,
      space: defaultSpace(),
      objective: 'valMetric',
      trials: 20,
      seed: 3,
      pruneEarly: true,
      backend: 'wasm',
      now: 5,
    });
    expect(s.sampler).toEqual({ kind: 'tpe', nStartupTrials: 10, nEiCandidates: 24 });
    expect(s.pruner).toEqual({ kind: 'median', nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1 });
    expect(s.direction).toBe('maximize');
    expect(s.budget).toEqual({ trials: 20 });
    expect(s.status).toBe('running');
  });
});
