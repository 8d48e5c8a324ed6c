import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mulberry32 } from '../data/random.js';
import { evaluateClassification, evaluateRegression } from './evaluation.js';
import { ClassificationEvaluation, EvaluationReport, MAX_CURVE_POINTS, RegressionEvaluation } from './evaluation-schema.js';
import { calibrationCurve } from './curves.js';

// Reference vectors from scikit-learn 1.2.1 (fixtures/make-evaluation-vectors.py), to 1e-9.
const V = JSON.parse(readFileSync(new URL('./fixtures/evaluation-vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (a: number, b: number, what: string) => expect(Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= 1e-9, `${what}: ${a} vs ${b}`).toBe(true);
const allNear = (actual: number[], expected: number[], what: string) => {
  expect(actual.length, `${what} length`).toBe(expected.length);
  actual.forEach((a, i) => near(a, expected[i], `${what}[${i}]`));
};
const prfNear = (actual: { precision: number; recall: number; f1: number }, expected: typeof actual, what: string) => {
  near(actual.precision, expected.precision, `${what} precision`);
  near(actual.recall, expected.recall, `${what} recall`);
  near(actual.f1, expected.f1, `${what} f1`);
};

interface Prf {
  precision: number;
  recall: number;
  f1: number;
}
interface ClassificationCase {
  name: string;
  k: number;
  yTrue: number[];
  yPred: number[];
  probs: number[][];
  accuracy: number;
  confusion: number[][];
  logLoss: number;
  macro: Prf;
  weighted: Prf;
  binary?: Prf;
}

describe('evaluateClassification matches scikit-learn 1.2.1', () => {
  for (const c of V.classification as ClassificationCase[]) {
    it(c.name, () => {
      const labels = Array.from({ length: c.k }, (_, i) => `label ${i}`);
      const e = evaluateClassification(c.yTrue, c.yPred, c.probs, labels);
      expect(ClassificationEvaluation.parse(e)).toEqual(e);
      near(e.accuracy, c.accuracy, 'accuracy');
      expect(e.confusion).toEqual(c.confusion);
      near(e.logLoss, c.logLoss, 'log loss');
      prfNear(e.macro, c.macro, 'macro');
      prfNear(e.weighted, c.weighted, 'weighted');
      if (c.binary) {
        expect(e.binary?.positive).toBe('label 1');
        prfNear(e.binary!, c.binary, 'binary');
      } else expect(e.binary).toBeNull();
    });
  }

  interface CurveCase {
    name: string;
    yTrue: number[];
    scores: number[];
    roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
    pr: { precision: number[]; recall: number[]; thresholds: number[] };
    auc: number;
    averagePrecision: number;
  }
  const probabilityCases = (V.curves as CurveCase[]).filter((c) => c.scores.every((s) => s >= 0 && s <= 1));
  for (const c of probabilityCases) {
    it(`binary curves: ${c.name}`, () => {
      const probs = c.scores.map((s) => [1 - s, s]);
      const e = evaluateClassification(
        c.yTrue,
        c.scores.map((s) => (s >= 0.5 ? 1 : 0)),
        probs,
        ['no', 'yes'],
      );
      expect(ClassificationEvaluation.parse(e)).toEqual(e);
      const b = e.binary!;
      const oneClass = Number.isNaN(c.auc);
      if (oneClass) expect(b.roc).toBeNull();
      else {
        allNear(b.roc!.fpr, c.roc.fpr, 'fpr');
        allNear(b.roc!.tpr, c.roc.tpr, 'tpr');
        allNear(b.roc!.thresholds, c.roc.thresholds, 'thresholds');
        near(b.auc!, c.auc, 'auc');
      }
      allNear(b.pr.precision, c.pr.precision, 'precision');
      allNear(b.pr.recall, c.pr.recall, 'recall');
      allNear(b.pr.thresholds, c.pr.thresholds, 'pr thresholds');
      near(b.averagePrecision, c.averagePrecision, 'average precision');
      expect(b.calibration).toEqual(calibrationCurve(c.yTrue, c.scores, { bins: 10 }));
    });
  }

  it('a split of 5000 rows stores curves of at most 200 points and figures from every row', () => {
    const rng = mulberry32(11);
    const y = Array.from({ length: 5000 }, () => (rng() < 0.3 ? 1 : 0));
    const s = y.map((v) => Math.min(1, Math.max(0, 0.35 + 0.3 * v + 0.5 * (rng() - 0.5))));
    const e = evaluateClassification(
      y,
      s.map((p) => (p >= 0.5 ? 1 : 0)),
      s.map((p) => [1 - p, p]),
      ['a', 'b'],
      { calibrationStrategy: 'quantile', calibrationBins: 20 },
    );
    const b = e.binary!;
    expect(b.roc!.fpr.length).toBe(MAX_CURVE_POINTS);
    expect(b.pr.precision.length).toBe(MAX_CURVE_POINTS);
    expect(b.calibration.counts.reduce((a, x) => a + x, 0)).toBe(5000);
    expect(b.calibrationBinning).toEqual({ bins: 20, strategy: 'quantile' });
    const report = { version: 1, evaluation: e, baseline: null, slices: [] };
    expect(EvaluationReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(JSON.stringify(report).length).toBeLessThan(30_000);
  });

  it('refuses inputs it cannot report on', () => {
    expect(() => evaluateClassification([], [], [], ['a', 'b'])).toThrow(RangeError);
    expect(() => evaluateClassification([0], [0], [[1, 0]], ['a'])).toThrow(RangeError);
    expect(() =>
      evaluateClassification(
        [0, 2],
        [0, 1],
        [
          [1, 0],
          [0, 1],
        ],
        ['a', 'b'],
      ),
    ).toThrow(RangeError);
    expect(() => evaluateClassification([0, 1], [0, 1], [[1, 0], [0.5]], ['a', 'b'])).toThrow(RangeError);
    expect(() =>
      evaluateClassification(
        [0, 1],
        [0, 1],
        [
          [1, 0],
          [NaN, 1],
        ],
        ['a', 'b'],
      ),
    ).toThrow(RangeError);
  });
});

describe('evaluateRegression', () => {
  for (const c of V.regression as { name: string; y: number[]; yHat: number[]; mae: number; rmse: number; r2: number }[]) {
    it(`matches scikit-learn 1.2.1: ${c.name}`, () => {
      const e = evaluateRegression(c.y, c.yHat);
      expect(RegressionEvaluation.parse(e)).toEqual(e);
      near(e.mae, c.mae, 'mae');
      near(e.rmse, c.rmse, 'rmse');
      near(e.r2, c.r2, 'r2');
      expect(e.residuals).toHaveLength(c.y.length);
    });
  }

  it('samples 500 residuals evenly by prediction, from the lowest to the highest', () => {
    const n = 2345;
    const yHat = Array.from({ length: n }, (_, i) => ((i * 7919) % n) / 10);
    const y = yHat.map((v, i) => v + (i % 3) - 1);
    const e = evaluateRegression(y, yHat);
    expect(e.residuals).toHaveLength(500);
    expect(e.residuals[0].predicted).toBe(0);
    expect(e.residuals[499].predicted).toBe((n - 1) / 10);
    for (let j = 1; j < 500; j++) expect(e.residuals[j].predicted).toBeGreaterThan(e.residuals[j - 1].predicted);
    // Evenly spaced ranks: gaps of (n - 1) / 499 ≈ 4.7 rows, so 0.4 or 0.5 in prediction.
    const gaps = e.residuals.slice(1).map((r, j) => Math.round((r.predicted - e.residuals[j].predicted) * 10));
    expect(new Set(gaps)).toEqual(new Set([4, 5]));
    for (const r of e.residuals) expect([-1, 0, 1]).toContain(Math.round(r.residual));
  });

  it('refuses empty, unequal or non-finite inputs', () => {
    expect(() => evaluateRegression([], [])).toThrow(RangeError);
    expect(() => evaluateRegression([1, 2], [1])).toThrow(RangeError);
    expect(() => evaluateRegression([1, NaN], [1, 2])).toThrow(RangeError);
  });
});
