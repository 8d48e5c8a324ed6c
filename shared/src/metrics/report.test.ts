import { describe, expect, it } from 'vitest';
import { holdOutTest, splitRows } from '../data/split.js';
import { binaryModel } from '../monitor/model.testing.js';
import { evaluateClassification } from './evaluation.js';
import { evaluationReport, REPORT_RESAMPLES } from './report.js';
import { EvaluationReport } from './evaluation-schema.js';

const rows = Array.from({ length: 200 }, (_, i) => ({
  size: (i * 7) % 13,
  clinic: ['north', 'south', 'east'][i % 3],
  diagnosis: i % 3 === 0 ? 'malignant' : 'benign',
}));

describe('test split and evaluation report', () => {
  it('holds the test rows out before the validation split: disjoint, stratified, the same for a seed', () => {
    const params = { task: 'classification' as const, target: 'diagnosis', testFraction: 0.15, validationFraction: 0.2, seed: 3 };
    const { rest, test } = holdOutTest(rows, params);
    expect(rest.length + test.length).toBe(200);
    expect(new Set([...rest, ...test]).size).toBe(200);
    expect(test.filter((r) => r.diagnosis === 'malignant').length / test.length).toBeCloseTo(1 / 3, 1);
    expect(holdOutTest(rows, params).test).toEqual(test);
    const { train, validation } = splitRows(rest, params);
    expect(train.some((r) => test.includes(r)) || validation.some((r) => test.includes(r))).toBe(false);
    expect(holdOutTest(rows, { ...params, testFraction: undefined }).test).toEqual([]);
  });

  it('reports the test metrics, the majority baseline and every input sliced, and leaves out rows of unknown labels', () => {
    const test = [...rows.slice(0, 60), { size: 1, clinic: 'north', diagnosis: 'unknown' }];
    const outputs = test.map((r, i) => {
      const p = i % 4 === 0 ? 0.2 : r.diagnosis === 'malignant' ? 0.8 : 0.3;
      return { label: p >= 0.5 ? 'malignant' : 'benign', probabilities: { benign: 1 - p, malignant: p } };
    });
    const report = evaluationReport({ pipeline: binaryModel.pipeline, testRows: test, outputs, trainRows: rows.slice(60), seed: 9 })!;
    expect(EvaluationReport.safeParse(report).success).toBe(true);
    const yTrue = rows.slice(0, 60).map((r) => (r.diagnosis === 'malignant' ? 1 : 0));
    const yPred = outputs.slice(0, 60).map((o) => (o.label === 'malignant' ? 1 : 0));
    const probs = outputs.slice(0, 60).map((o) => [o.probabilities.benign, o.probabilities.malignant]);
    expect(report.evaluation).toEqual(evaluateClassification(yTrue, yPred, probs, ['benign', 'malignant']));
    expect(report.baseline).toMatchObject({ strategy: 'most_frequent', prediction: 0 });
    expect(report.slices.map((s) => [s.column, s.resamples])).toEqual([
      ['size', REPORT_RESAMPLES],
      ['clinic', REPORT_RESAMPLES],
    ]);
    expect(report.slices[1].slices.map((s) => s.n).reduce((a, b) => a + b, 0)).toBe(60);
    expect(evaluationReport({ pipeline: binaryModel.pipeline, testRows: [], outputs: [], trainRows: rows, seed: 1 })).toBeUndefined();
  });
});
