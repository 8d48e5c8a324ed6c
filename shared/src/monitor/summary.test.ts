import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Prediction } from '../schema/records.js';
import { accuracy, confusionMatrix, precisionRecallF1 } from '../metrics/classification.js';
import { rocAuc } from '../metrics/roc.js';
import { addOutcome, addPrediction, dayOf, emptySummary, mergeSummaries, numericBin, totalOf, SCORE_BINS, type DaySummary } from './summary.js';
import { binnedAuc, latencyQuantile, versionFigures } from './figures.js';
import { binaryModel, predictionOf, regressionModel } from './model.testing.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

describe('day counts', () => {
  it('count a prediction into inputs, classes, confidence and latency', () => {
    const s = emptySummary(binaryModel, '2026-11-01', 'clinic');
    addPrediction(s, binaryModel, predictionOf(binaryModel, { createdAt: T0, inputs: { size: 50, clinic: 'west' }, latencyMs: 0.5 }));
    addPrediction(s, binaryModel, predictionOf(binaryModel, { createdAt: T0, inputs: { size: null, clinic: 'north' } }));
    addPrediction(s, binaryModel, predictionOf(binaryModel, { createdAt: T0, inputs: { size: 'abc', clinic: 'north' } }));
    addPrediction(s, binaryModel, predictionOf(binaryModel, { createdAt: T0, output: {}, error: 'worker stopped' }));
    expect(s.predictions).toBe(4);
    expect(s.errors).toBe(1);
    expect(s.inputs.size).toMatchObject({ missing: 1, invalid: 1, outOfRange: 1 });
    expect(s.inputs.clinic).toMatchObject({ unseen: 1, missing: 0 });
    expect(s.classes).toEqual({ benign: 3 });
    expect(s.confidence[8]).toBe(3);
    expect(s.groupPredictions).toEqual({ west: { benign: 1 }, north: { benign: 2 } });
    // the 'west' value lands in the categorical profile's "other" bin
    expect(s.inputs.clinic.bins[s.inputs.clinic.bins.length - 1]).toBe(1);
  });

  it('an outcome recorded again takes the first one back', () => {
    const s = emptySummary(binaryModel, '2026-11-01', 'clinic');
    const p = predictionOf(binaryModel, { createdAt: T0, output: { label: 'malignant', probabilities: { benign: 0.3, malignant: 0.7 } } });
    addPrediction(s, binaryModel, p);
    addOutcome(s, binaryModel, p, 'benign');
    expect(s.confusion).toEqual([
      [0, 1],
      [0, 0],
    ]);
    addOutcome(s, binaryModel, p, 'benign', -1);
    addOutcome(s, binaryModel, p, 'malignant');
    expect(s.confusion).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(s.outcomes).toBe(1);
    expect(s.scores[1][70]).toBe(1);
    expect(s.scores[0].every((v) => v === 0)).toBe(true);
    expect(s.groups.north).toEqual([
      [0, 0],
      [0, 1],
    ]);
    addOutcome(s, binaryModel, p, 'not a label');
    expect(s.unknownOutcomes).toBe(1);
  });

  it('a decile bin is [edge(i-1), edge(i)): a value on an edge belongs to the bin above it', () => {
    expect(numericBin([1, 2, 3], 0.5)).toBe(0);
    expect(numericBin([1, 2, 3], 1)).toBe(1);
    expect(numericBin([1, 2, 3], 2.5)).toBe(2);
    expect(numericBin([1, 2, 3], 3)).toBe(3);
    expect(numericBin([], 3)).toBe(0);
  });

  it('latency quantiles come from the buckets within 25% above the exact nearest rank', () => {
    const lat = Array.from({ length: 500 }, (_, i) => 0.02 + (i % 97) * 0.37);
    const s = emptySummary(binaryModel, '2026-11-01');
    for (const l of lat) addPrediction(s, binaryModel, predictionOf(binaryModel, { createdAt: T0, latencyMs: l }));
    const sorted = [...lat].sort((a, b) => a - b);
    for (const q of [0.5, 0.95]) {
      const exact = sorted[Math.ceil(q * sorted.length) - 1];
      const got = latencyQuantile(s.latency, q);
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact * 1.25 + 1e-12);
    }
  });

  it('binned AUC is scikit-learn’s roc_auc_score over the scores in hundredths', () => {
    const y = [0, 0, 1, 1, 0, 1, 1, 0, 1];
    const p = [0.1, 0.42, 0.425, 0.9, 0.55, 0.55, 0.3, 0.01, 0.999];
    const bins = [new Array<number>(SCORE_BINS).fill(0), new Array<number>(SCORE_BINS).fill(0)];
    p.forEach((v, i) => bins[y[i]][Math.min(SCORE_BINS - 1, Math.floor(v * SCORE_BINS))]++);
    const rounded = p.map((v) => Math.min(SCORE_BINS - 1, Math.floor(v * SCORE_BINS)));
    expect(Math.abs(binnedAuc(bins[0], bins[1]) - rocAuc(y, rounded))).toBeLessThan(1e-12);
  });
});

// ---- the fleet: summaries of devices and days add up to the figures of all their rows ----

interface Case {
  device: number;
  dayOffset: number;
  size: number | null;
  clinic: string;
  predicted: 0 | 1;
  p: number;
  outcome: 0 | 1 | null;
  latency: number;
}
const caseArb = fc.record({
  device: fc.integer({ min: 0, max: 3 }),
  dayOffset: fc.integer({ min: 0, max: 4 }),
  size: fc.option(fc.double({ min: -5, max: 20, noNaN: true }), { nil: null }),
  clinic: fc.constantFrom('north', 'south', 'east', 'west'),
  predicted: fc.constantFrom(0 as const, 1 as const),
  p: fc.double({ min: 0, max: 1, noNaN: true }),
  outcome: fc.option(fc.constantFrom(0 as const, 1 as const), { nil: null }),
  latency: fc.double({ min: 0.001, max: 2000, noNaN: true }),
});
const LABELS = ['benign', 'malignant'];

function predictionFor(c: Case): Prediction {
  const pm = c.predicted ? Math.max(c.p, 0.5) : Math.min(c.p, 0.5);
  return predictionOf(binaryModel, {
    createdAt: T0 + c.dayOffset * DAY + 1000,
    inputs: { size: c.size, clinic: c.clinic },
    output: { label: LABELS[c.predicted], probabilities: { benign: 1 - pm, malignant: pm } },
    latencyMs: c.latency,
  });
}

describe('fleet roll-up', () => {
  it('summaries per device and day, added together, equal one summary of every row, and the figures match the metrics of the rows', () => {
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 1, maxLength: 120 }), (cases) => {
        const all = emptySummary(binaryModel, '2026-11-01', 'clinic');
        const parts = new Map<string, DaySummary>();
        const preds = cases.map(predictionFor);
        cases.forEach((c, i) => {
          const p = preds[i];
          const key = `${c.device}:${dayOf(p.createdAt)}`;
          const part = parts.get(key) ?? emptySummary(binaryModel, dayOf(p.createdAt), 'clinic');
          parts.set(key, part);
          for (const s of [all, part]) {
            addPrediction(s, binaryModel, p);
            if (c.outcome !== null) addOutcome(s, binaryModel, p, LABELS[c.outcome]);
          }
        });
        const merged = totalOf([...parts.values()])!;
        // Counts are equal exactly; sums of fractions (latency, confidence) up to rounding in the last digits.
        const strip = (s: DaySummary) =>
          JSON.parse(JSON.stringify({ ...s, day: '' }, (_, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v)));
        expect(strip(merged)).toEqual(strip(all));

        const f = versionFigures(merged, binaryModel, { fairness: { attribute: 'clinic', privileged: 'north', favourable: 'benign' } });
        const labelled = cases.map((c, i) => ({ c, p: preds[i] })).filter(({ c }) => c.outcome !== null);
        expect(f.predictions).toBe(cases.length);
        expect(f.quality.outcomes).toBe(labelled.length);
        expect(f.waiting).toBe(cases.length - labelled.length);
        if (labelled.length) {
          const yTrue = labelled.map(({ c }) => c.outcome!);
          const yPred = labelled.map(({ c }) => c.predicted);
          expect(f.quality.accuracy).toBeCloseTo(accuracy(yTrue, yPred), 12);
          expect(f.quality.f1).toBeCloseTo(precisionRecallF1(confusionMatrix(yTrue, yPred, 2), 'binary', 1).f1, 12);
        }
        const missing = cases.filter((c) => c.size === null).length;
        expect(f.missingShare).toBeCloseTo(missing / (2 * cases.length), 12);
      }),
      { numRuns: 150 },
    );
  });

  it('regression moments merge to the MAE, RMSE and R² of all rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.double({ min: -50, max: 400, noNaN: true }), fc.double({ min: -50, max: 400, noNaN: true })), {
          minLength: 2,
          maxLength: 80,
        }),
        (rows) => {
          const parts = new Map<number, DaySummary>();
          for (const [device, yHat, y] of rows) {
            const s = parts.get(device) ?? emptySummary(regressionModel, '2026-11-01');
            parts.set(device, s);
            const p = predictionOf(regressionModel, { createdAt: T0, output: { value: yHat } });
            addPrediction(s, regressionModel, p);
            addOutcome(s, regressionModel, p, y);
          }
          const f = versionFigures(totalOf([...parts.values()])!, regressionModel);
          const ys = rows.map((r) => r[2]);
          const hats = rows.map((r) => r[1]);
          const mae = ys.reduce((a, y, i) => a + Math.abs(y - hats[i]), 0) / ys.length;
          const rmse = Math.sqrt(ys.reduce((a, y, i) => a + (y - hats[i]) ** 2, 0) / ys.length);
          const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
          const tot = ys.reduce((a, y) => a + (y - mean) ** 2, 0);
          const res = ys.reduce((a, y, i) => a + (y - hats[i]) ** 2, 0);
          const r2 = tot > 0 ? 1 - res / tot : res === 0 ? 1 : 0;
          const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
          expect(rel(f.quality.mae!, mae)).toBeLessThan(1e-9);
          expect(rel(f.quality.rmse!, rmse)).toBeLessThan(1e-9);
          if (tot > 1e-6) expect(rel(f.quality.r2!, r2)).toBeLessThan(1e-7);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('merging keeps the first one’s groups when the two count different protected attributes', () => {
    const a = emptySummary(binaryModel, '2026-11-01', 'clinic');
    const b = emptySummary(binaryModel, '2026-11-01', 'sex');
    b.groupPredictions = { f: { benign: 2 } };
    b.predictions = 2;
    const m = mergeSummaries(a, b);
    expect(m.groupPredictions).toEqual({});
    expect(m.predictions).toBe(2);
  });
});
