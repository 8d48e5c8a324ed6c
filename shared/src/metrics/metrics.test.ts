import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { accuracy, classificationReport, confusionMatrix, logLoss, precisionRecallF1 } from './classification.js';
import { regressionReport } from './regression.js';
import { rocAuc } from './roc.js';

// Reference values computed with scikit-learn 1.9.1, scipy and sacrebleu (fixtures/reference-metrics-sample.json).
const ref = JSON.parse(readFileSync(new URL('./fixtures/reference-metrics-sample.json', import.meta.url), 'utf8')).cases;
const first = (c: unknown) => (Array.isArray(c) ? c[0] : c);
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9);

describe('classification metrics match scikit-learn', () => {
  const c = first(ref.classification_multiclass);
  it('multiclass accuracy, confusion matrix, macro and weighted P/R/F1', () => {
    close(accuracy(c.y_true, c.y_pred), c.accuracy);
    const cm = confusionMatrix(c.y_true, c.y_pred, 3);
    expect(cm).toEqual(c.confusion_matrix);
    const macro = precisionRecallF1(cm, 'macro');
    close(macro.precision, c.precision_macro);
    close(macro.recall, c.recall_macro);
    close(macro.f1, c.f1_macro);
    const weighted = precisionRecallF1(cm, 'weighted');
    close(weighted.precision, c.precision_weighted);
    close(weighted.recall, c.recall_weighted);
    close(weighted.f1, c.f1_weighted);
  });

  const b = first(ref.classification_binary);
  it('binary precision, recall, F1, ROC AUC and log loss', () => {
    const yPred = b.y_score.map((s: number) => (s >= b.threshold ? 1 : 0));
    const cm = confusionMatrix(b.y_true, yPred, 2);
    const prf = precisionRecallF1(cm, 'binary', 1);
    close(prf.precision, b.precision);
    close(prf.recall, b.recall);
    close(prf.f1, b.f1);
    close(rocAuc(b.y_true, b.y_score), b.roc_auc);
    const probs = b.y_score.flatMap((s: number) => [1 - s, s]);
    close(logLoss(b.y_true, probs, 2), b.log_loss);
  });

  it('a report uses binary F1 for two labels and macro otherwise', () => {
    const r = classificationReport(c.y_true, c.y_pred, ['a', 'b', 'c']);
    expect(r.f1Average).toBe('macro');
    close(r.f1, c.f1_macro);
  });

  it('accuracy is the trace of the confusion matrix over its total; F1 stays within [0, 1]', () => {
    const arb = fc
      .integer({ min: 2, max: 5 })
      .chain((k) =>
        fc
          .array(fc.tuple(fc.integer({ min: 0, max: k - 1 }), fc.integer({ min: 0, max: k - 1 })), { minLength: 1, maxLength: 200 })
          .map((pairs) => ({ k, pairs })),
      );
    fc.assert(
      fc.property(arb, ({ k, pairs }) => {
        const t = pairs.map((p) => p[0]);
        const p = pairs.map((q) => q[1]);
        const cm = confusionMatrix(t, p, k);
        const trace = cm.reduce((s, row, i) => s + row[i], 0);
        expect(accuracy(t, p)).toBeCloseTo(trace / t.length, 12);
        for (const avg of ['macro', 'weighted', 'micro'] as const) {
          const f = precisionRecallF1(cm, avg).f1;
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThanOrEqual(1 + 1e-12);
        }
        expect(precisionRecallF1(cm, 'micro').f1).toBeCloseTo(accuracy(t, p), 12);
      }),
    );
  });
});

describe('regression metrics match scikit-learn', () => {
  const r = first(ref.regression);
  it('MAE, RMSE and R2', () => {
    const m = regressionReport(r.y_true, r.y_pred);
    close(m.mae, r.mae);
    close(m.rmse, r.rmse);
    close(m.r2, r.r2);
  });
  it('R2 of a constant truth follows scikit-learn (1 if perfect, else 0)', () => {
    expect(regressionReport([2, 2, 2], [2, 2, 2]).r2).toBe(1);
    expect(regressionReport([2, 2, 2], [1, 2, 3]).r2).toBe(0);
  });
});
