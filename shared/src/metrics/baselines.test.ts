import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { majorityBaseline, meanBaseline } from './baselines.js';
import { Baseline } from './evaluation-schema.js';

// DummyClassifier and DummyRegressor of scikit-learn 1.2.1 (fixtures/make-evaluation-vectors.py), to 1e-9.
const V = JSON.parse(readFileSync(new URL('./fixtures/evaluation-vectors.json', import.meta.url), 'utf8'));
const near = (a: number, b: number, what: string) => expect(Math.abs(a - b) <= 1e-9, `${what}: ${a} vs ${b}`).toBe(true);

interface Prf {
  precision: number;
  recall: number;
  f1: number;
}
const prfNear = (a: Prf, b: Prf, what: string) => {
  near(a.precision, b.precision, `${what} precision`);
  near(a.recall, b.recall, `${what} recall`);
  near(a.f1, b.f1, `${what} f1`);
};

describe('majorityBaseline matches DummyClassifier(strategy="most_frequent")', () => {
  type Case = {
    name: string;
    k: number;
    yTrain: number[];
    yTest: number[];
    prediction: number;
    accuracy: number;
    logLoss: number;
    macro: Prf;
    weighted: Prf;
    binary?: Prf;
  };
  for (const c of V.baselines.classification as Case[]) {
    it(c.name, () => {
      const b = majorityBaseline(c.yTrain, c.yTest, c.k);
      expect(Baseline.parse(b)).toEqual(b);
      expect(b.prediction).toBe(c.prediction);
      near(b.accuracy, c.accuracy, 'accuracy');
      near(b.logLoss, c.logLoss, 'log loss (priors)');
      prfNear(b.macro, c.macro, 'macro');
      prfNear(b.weighted, c.weighted, 'weighted');
      if (c.binary) prfNear(b.binary!, c.binary, 'binary');
      else expect(b.binary).toBeNull();
    });
  }

  it('counts the labels it sees when not told, and refuses empty splits', () => {
    expect(majorityBaseline([0, 0, 1], [1, 0]).binary).not.toBeNull();
    expect(majorityBaseline([0, 2, 2], [1]).prediction).toBe(2);
    expect(() => majorityBaseline([], [0])).toThrow(RangeError);
    expect(() => majorityBaseline([0, 3], [0], 3)).toThrow(RangeError);
  });
});

describe('meanBaseline matches DummyRegressor(strategy="mean")', () => {
  type Case = { name: string; yTrain: number[]; yTest: number[]; prediction: number; mae: number; rmse: number; r2: number };
  for (const c of V.baselines.regression as Case[]) {
    it(c.name, () => {
      const b = meanBaseline(c.yTrain, c.yTest);
      expect(Baseline.parse(b)).toEqual(b);
      expect(b.prediction).toBe(c.prediction);
      near(b.mae, c.mae, 'mae');
      near(b.rmse, c.rmse, 'rmse');
      near(b.r2, c.r2, 'r2');
    });
  }

  it('refuses empty splits and non-finite values', () => {
    expect(() => meanBaseline([], [1])).toThrow(RangeError);
    expect(() => meanBaseline([1, Infinity], [1])).toThrow(RangeError);
  });
});
