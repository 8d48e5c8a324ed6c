import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { calibrationCurve, downsampleIndices, downsamplePrecisionRecall, downsampleRoc, precisionRecallCurve, rocCurve } from './curves.js';

// Reference vectors from scikit-learn 1.2.1 / numpy 1.24.2 (fixtures/make-evaluation-vectors.py), to 1e-9.
const V = JSON.parse(readFileSync(new URL('./fixtures/evaluation-vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (a: number, b: number) => (Number.isNaN(b) ? Number.isNaN(a) : Math.abs(a - b) <= 1e-9);
const allNear = (actual: number[], expected: number[], what: string) => {
  expect(actual.length, `${what} length`).toBe(expected.length);
  actual.forEach((a, i) => expect(near(a, expected[i]), `${what}[${i}]: ${a} vs ${expected[i]}`).toBe(true));
};

interface CurveCase {
  name: string;
  yTrue: number[];
  scores: number[];
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
}
interface CalibrationCase {
  name: string;
  yTrue: number[];
  probs: number[];
  bins: number;
  strategy: 'uniform' | 'quantile';
  probTrue: number[];
  probPred: number[];
  counts: number[];
}

describe('rocCurve and precisionRecallCurve match scikit-learn 1.2.1', () => {
  for (const c of V.curves as CurveCase[]) {
    it(c.name, () => {
      const roc = rocCurve(c.yTrue, c.scores);
      allNear(roc.fpr, c.roc.fpr, 'fpr');
      allNear(roc.tpr, c.roc.tpr, 'tpr');
      allNear(roc.thresholds, c.roc.thresholds, 'thresholds');
      const pr = precisionRecallCurve(c.yTrue, c.scores);
      allNear(pr.precision, c.pr.precision, 'precision');
      allNear(pr.recall, c.pr.recall, 'recall');
      allNear(pr.thresholds, c.pr.thresholds, 'pr thresholds');
    });
  }

  it('puts max + 1 in front, as 1.2 does (1.3 and later put +Infinity)', () => {
    expect(rocCurve([0, 1], [0.25, 0.75]).thresholds).toEqual([1.75, 0.75, 0.25]);
  });

  it('refuses what scikit-learn refuses', () => {
    expect(() => rocCurve([], [])).toThrow(RangeError);
    expect(() => rocCurve([0, 2], [0.1, 0.2])).toThrow(RangeError);
    expect(() => rocCurve([0, 1], [0.1, NaN])).toThrow(RangeError);
    expect(() => precisionRecallCurve([0, 1], [0.1])).toThrow(RangeError);
  });
});

describe('calibrationCurve matches scikit-learn 1.2.1', () => {
  for (const c of V.calibration as CalibrationCase[]) {
    it(c.name, () => {
      const cc = calibrationCurve(c.yTrue, c.probs, { bins: c.bins, strategy: c.strategy });
      allNear(cc.probTrue, c.probTrue, 'probTrue');
      allNear(cc.probPred, c.probPred, 'probPred');
      expect(cc.counts).toEqual(c.counts);
    });
  }

  it('refuses probabilities outside [0, 1] and bad bin counts', () => {
    expect(() => calibrationCurve([0, 1], [0.5, 1.5])).toThrow(RangeError);
    expect(() => calibrationCurve([0, 1], [0.5, 0.5], { bins: 0 })).toThrow(RangeError);
    expect(() => calibrationCurve([0, 1], [0.5, 0.5], { bins: 2.5 })).toThrow(RangeError);
  });
});

describe('downsampling a curve', () => {
  it('keeps a curve that fits whole', () => {
    expect(downsampleIndices([0, 1, 2], [0, 1, 0], 3)).toEqual([0, 1, 2]);
  });

  it('keeps at most maxPoints ascending indices, the first and the last among them', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 600 }), fc.integer({ min: 2, max: 250 }), (ys, max) => {
        const xs = ys.map((_, i) => i);
        const keep = downsampleIndices(xs, ys, max);
        expect(keep.length).toBe(Math.min(ys.length, max));
        expect(keep[0]).toBe(0);
        expect(keep[keep.length - 1]).toBe(ys.length - 1);
        for (let i = 1; i < keep.length; i++) expect(keep[i]).toBeGreaterThan(keep[i - 1]);
      }),
    );
  });

  it('keeps the corners of a staircase', () => {
    // A ROC-like step curve: 1000 points along two straight runs meeting at (0.2, 0.9).
    const xs = [...Array.from({ length: 500 }, (_, i) => (0.2 * i) / 499), ...Array.from({ length: 500 }, (_, i) => 0.2 + (0.8 * (i + 1)) / 500)];
    const ys = xs.map((x) => (x <= 0.2 ? (0.9 * x) / 0.2 : 0.9 + (0.1 * (x - 0.2)) / 0.8));
    const keep = downsampleIndices(xs, ys, 20);
    expect(keep).toContain(499);
  });

  it('cuts a ROC and a precision-recall curve from 2000 rows to 200 points, thresholds alike', () => {
    let s = 1;
    const rand = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
    const y = Array.from({ length: 2000 }, () => (rand() < 0.4 ? 1 : 0));
    const scores = y.map((v) => Math.min(1, Math.max(0, 0.5 + 0.3 * (v - 0.5) + 0.4 * (rand() - 0.5))));
    const roc = rocCurve(y, scores);
    const small = downsampleRoc(roc);
    expect(roc.fpr.length).toBeGreaterThan(200);
    expect(small.fpr.length).toBe(200);
    expect([small.fpr[0], small.tpr[0], small.thresholds[0]]).toEqual([roc.fpr[0], roc.tpr[0], roc.thresholds[0]]);
    expect([small.fpr[199], small.tpr[199], small.thresholds[199]]).toEqual([1, 1, roc.thresholds[roc.thresholds.length - 1]]);
    // Each kept point is a point of the curve, with its own threshold.
    small.thresholds.forEach((t, i) => {
      const j = roc.thresholds.indexOf(t);
      expect([roc.fpr[j], roc.tpr[j]]).toEqual([small.fpr[i], small.tpr[i]]);
    });
    // The trapezoidal area moves little.
    const area = (c: { fpr: number[]; tpr: number[] }) => c.fpr.slice(1).reduce((a, x, i) => a + (x - c.fpr[i]) * (c.tpr[i + 1] + c.tpr[i]) * 0.5, 0);
    expect(Math.abs(area(small) - area(roc))).toBeLessThan(0.002);

    const pr = precisionRecallCurve(y, scores);
    const smallPr = downsamplePrecisionRecall(pr);
    expect(smallPr.precision.length).toBe(200);
    expect(smallPr.thresholds.length).toBe(199);
    expect([smallPr.precision[199], smallPr.recall[199]]).toEqual([1, 0]);
    expect(smallPr.thresholds[0]).toBe(pr.thresholds[0]);
  });
});
