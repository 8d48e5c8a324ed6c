import { describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../metrics/evaluation-schema.js';
import type { Run } from '../schema/records.js';
import { compareRerun, figureAgreement, runFigures } from './reproduce.js';
import { testRun } from './run.testing.js';

const device = {
  userAgent: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  platform: 'Android',
  cores: 8,
  memoryGb: 4,
};
const split = { method: 'outpost-split-1' as const, train: 8, validation: 2, test: 2, indexHash: 'a'.repeat(64) };
const evaluation = (accuracy: number): EvaluationReport => ({
  version: 1,
  evaluation: {
    task: 'classification',
    n: 20,
    labels: ['x', 'y'],
    accuracy,
    macro: { precision: 0.9, recall: 0.9, f1: 0.9 },
    weighted: { precision: 0.9, recall: 0.9, f1: 0.9 },
    confusion: [
      [9, 1],
      [1, 9],
    ],
    logLoss: 0.3,
    binary: null,
  },
  baseline: null,
  slices: [],
});
const original = (over: Partial<Run> = {}) =>
  testRun('0190a000-0000-7000-8000-000000000001', {
    datasetVersionId: '0190a000-0000-7000-8000-0000000000d1',
    split,
    device,
    evaluation: evaluation(0.9),
    testRows: 20,
    ...over,
  });
const rerunOf = (run: Run, over: Partial<Run> = {}, params: Partial<Run['params']> = {}): Run => ({
  ...structuredClone(run),
  id: '0190a000-0000-7000-8000-000000000002',
  rerunOf: run.id,
  ...over,
  params: { ...run.params, ...params },
});
const withAccuracy = (run: Run, accuracy: number): Run => ({
  ...run,
  metrics: { ...(run.metrics as Extract<Run['metrics'], { task: 'classification' }>), accuracy },
});

describe('a run compared with its re-run', () => {
  it('is the same when every figure and condition repeats, even after a trip through JSON (a synced run)', () => {
    const a = original();
    const r = compareRerun(a, JSON.parse(JSON.stringify(rerunOf(a))) as Run);
    expect(r.verdict).toBe('same');
    expect(r.differing).toEqual([]);
    expect(r.conditions).toEqual([]);
    // Four validation figures (this run measured no log loss), five of the test report (no AUC or Brier for a macro report), four of the last round.
    expect(r.figures.map((f) => `${f.set}.${f.name}`)).toEqual([
      'validation.accuracy',
      'validation.f1',
      'validation.precision',
      'validation.recall',
      'test.accuracy',
      'test.f1',
      'test.precision',
      'test.recall',
      'test.logLoss',
      'lastRound.loss',
      'lastRound.valLoss',
      'lastRound.metric',
      'lastRound.valMetric',
    ]);
    expect(r.figures.every((f) => f.difference === 0 && f.agreement === 'same')).toBe(true);
  });

  it('is close when figures move only by rounding, and says the backend and browser changed', () => {
    const a = original();
    const b = rerunOf(withAccuracy(a, 0.803), {
      backend: 'webgl',
      device: { ...device, userAgent: device.userAgent.replace('126.0.0.0', '127.0.0.0') },
      epochs: [a.epochs[0], { ...a.epochs[1], loss: 0.5 * (1 + 4e-4) }],
    });
    const r = compareRerun(a, b);
    expect(r.verdict).toBe('close');
    expect(r.differing.map((f) => [`${f.set}.${f.name}`, f.agreement])).toEqual([
      ['validation.accuracy', 'close'],
      ['lastRound.loss', 'close'],
    ]);
    expect(r.differing[0].difference).toBeCloseTo(0.003, 12);
    expect(r.conditions.map((c) => [c.key, c.original, c.rerun])).toEqual([
      ['backend', 'wasm', 'webgl'],
      ['browser', device.userAgent, b.device!.userAgent],
    ]);
  });

  it('differs when a figure moves beyond rounding, listing which and by how much', () => {
    const a = withAccuracy(original(), 0.93);
    const r = compareRerun(a, rerunOf(withAccuracy(a, 0.91), { evaluation: evaluation(0.88) }));
    expect(r.verdict).toBe('differs');
    expect(r.differing).toHaveLength(2);
    expect(r.differing[0]).toMatchObject({ set: 'validation', name: 'accuracy', original: 0.93, rerun: 0.91, agreement: 'differs' });
    expect(r.differing[0].difference).toBeCloseTo(-0.02, 12);
    expect(r.differing[1]).toMatchObject({ set: 'test', name: 'accuracy', original: 0.9, rerun: 0.88 });
  });

  it('counts a figure only one run has as differing (the re-run kept no test rows)', () => {
    const a = original();
    const r = compareRerun(a, rerunOf(a, { evaluation: undefined, testRows: undefined }, { testFraction: 0 }));
    expect(r.verdict).toBe('differs');
    expect(r.differing.map((f) => f.set)).toEqual(['test', 'test', 'test', 'test', 'test']);
    expect(r.differing[0].rerun).toBeUndefined();
    expect(r.differing[0].difference).toBeNaN();
    expect(r.conditions).toEqual([{ key: 'setting', setting: 'testFraction', original: undefined, rerun: '0' }]);
  });

  it('names every condition that changed: version, data, split, seed, a setting, device and app version', () => {
    const a = original();
    const b = rerunOf(
      a,
      {
        datasetVersionId: '0190a000-0000-7000-8000-0000000000d2',
        datasetHash: 'other',
        split: { ...split, indexHash: 'b'.repeat(64) },
        device: { ...device, cores: 4 },
        appVersion: '2',
      },
      { seed: 2, hiddenLayers: [16, 8] },
    );
    expect(compareRerun(a, b).conditions).toEqual([
      { key: 'datasetVersion', original: a.datasetVersionId, rerun: b.datasetVersionId },
      { key: 'data', original: 'h', rerun: 'other' },
      { key: 'split', original: 'a'.repeat(64), rerun: 'b'.repeat(64) },
      { key: 'seed', original: '1', rerun: '2' },
      { key: 'setting', setting: 'hiddenLayers', original: '[16]', rerun: '[16,8]' },
      { key: 'device', original: 'Android|8|4', rerun: 'Android|4|4' },
      { key: 'appVersion', original: '1', rerun: '2' },
    ]);
  });

  it('lists where it trained as not shown to be the same when the original is older than that record', () => {
    const a = original({ device: undefined });
    const keys = compareRerun(a, rerunOf(a, { device })).conditions.map((c) => [c.key, c.original === undefined]);
    expect(keys).toEqual([
      ['browser', true],
      ['device', true],
    ]);
  });
});

describe('how two values of one figure agree', () => {
  it('holds large figures to the same relative precision and small ones to half a percentage point', () => {
    expect(figureAgreement(30_000, 30_000 + 1e-5)).toBe('same');
    expect(figureAgreement(30_000, 30_010)).toBe('close');
    expect(figureAgreement(30_000, 30_100)).toBe('differs');
    expect(figureAgreement(0.9, 0.9 + 1e-12)).toBe('same');
    expect(figureAgreement(0.9, 0.9049)).toBe('close');
    expect(figureAgreement(0.9, 0.906)).toBe('differs');
  });
  it('takes two diverged trainings as the same, and a missing or infinite figure as differing', () => {
    expect(figureAgreement(NaN, NaN)).toBe('same');
    expect(figureAgreement(NaN, 1)).toBe('differs');
    expect(figureAgreement(1, undefined)).toBe('differs');
    expect(figureAgreement(Infinity, 1)).toBe('differs');
    expect(figureAgreement(Infinity, Infinity)).toBe('same');
  });
  it('reads a yes/no report’s positive-label figures with its AUC and Brier score, and a regression run’s errors', () => {
    const e = evaluation(0.9);
    const binary = {
      positive: 'y',
      precision: 0.8,
      recall: 0.7,
      f1: 0.75,
      roc: null,
      auc: null,
      pr: { precision: [1, 0.5], recall: [0, 1], thresholds: [0.5] },
      averagePrecision: 0.7,
      calibration: { probTrue: [], probPred: [], counts: [] },
      calibrationBinning: { bins: 10, strategy: 'uniform' as const },
      brier: 0.1,
    };
    const run = original({ evaluation: { ...e, evaluation: { ...e.evaluation, binary } as EvaluationReport['evaluation'] } });
    const test = runFigures(run).filter((f) => f.set === 'test');
    expect(test.map((f) => [f.name, f.value])).toEqual([
      ['accuracy', 0.9],
      ['f1', 0.75],
      ['precision', 0.8],
      ['recall', 0.7],
      ['logLoss', 0.3],
      ['brier', 0.1],
    ]);
    const reg = testRun('r', { metrics: { task: 'regression', mae: 3, rmse: 4, r2: 0.5 }, epochs: [{ epoch: 0, loss: 9 }] }, { task: 'regression' });
    expect(runFigures(reg).map((f) => `${f.set}.${f.name}`)).toEqual(['validation.mae', 'validation.rmse', 'validation.r2', 'lastRound.loss']);
  });
});
