import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/random.js';
import { histogram, ks2samp, psi } from '../stats/index.js';
import type { ReferenceRows } from '../schema/monitoring.js';
import { buildReference, referenceSample } from './reference.js';
import { chartOf, driftReport } from './drift-report.js';
import { latestOutcome, parseOutcome } from './outcomes.js';
import { MIN_OUTCOMES, monitorStates, stateOf, thresholdsFor, MONITOR_DEFAULTS } from './states.js';
import { retrainReasons, retrainReasonsSaid } from './retrain.js';
import { versionMonitor, daysSpanned } from './version.js';
import { addOutcome, addPrediction, emptySummary, numericBin } from './summary.js';
import { binaryModel, predictionOf } from './model.testing.js';

const normal = (rng: () => number, mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

describe('reference', () => {
  it('keeps at most the cap, the same rows for the same seed, and profiles each feature with bins that hold every value', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({
      size: i % 7 === 0 ? null : i / 3,
      clinic: ['north', 'south'][i % 2],
      diagnosis: i % 3 ? 'benign' : 'malignant',
    }));
    expect(referenceSample(rows, 1, 20)).toHaveLength(20);
    expect(referenceSample(rows, 1, 20)).toEqual(referenceSample(rows, 1, 20));
    expect(referenceSample(rows, 1, 20)).not.toEqual(referenceSample(rows, 2, 20));
    const outputs = rows.map((_, i) => ({ label: i % 2 ? 'benign' : 'malignant', probabilities: { benign: i % 2 ? 0.8 : 0.3, malignant: i % 2 ? 0.2 : 0.7 } }));
    const { profile, rows: kept } = buildReference(rows, binaryModel.pipeline, outputs, 50);
    const size = profile.features[0];
    expect(size.kind).toBe('numeric');
    if (size.kind !== 'numeric') return;
    expect(size.missing).toBe(8);
    expect(size.counts.reduce((a, b) => a + b, 0)).toBe(42);
    // The profile's bins are the PSI's bins: its counts are numpy.histogram over the same edges.
    const values = rows.map((r) => r.size).filter((x): x is number => x !== null);
    expect(size.counts).toEqual(histogram(values, [-Infinity, ...size.edges, Infinity]));
    expect(profile.output).toMatchObject({ kind: 'classes', counts: { benign: 25, malignant: 25 }, meanConfidence: 0.75 });
    expect(kept.predicted.slice(0, 2)).toEqual(['malignant', 'benign']);
    expect(kept.columns.size[0]).toBeNull();
  });
});

describe('drift report', () => {
  const rng = mulberry32(3);
  const ref: ReferenceRows = {
    version: 1,
    rows: 400,
    columns: {
      size: Array.from({ length: 400 }, () => normal(rng, 5, 1)),
      clinic: Array.from({ length: 400 }, (_, i) => ['north', 'south', 'east'][i % 3]),
    },
    target: Array.from({ length: 400 }, (_, i) => (i % 4 ? 'benign' : 'malignant')),
    predicted: Array.from({ length: 400 }, (_, i) => (i % 4 ? 'benign' : 'malignant')),
  };
  const window = (shift: number, n = 300) => ({
    inputs: Array.from({ length: n }, (_, i) => ({ size: normal(rng, 5 + shift, 1), clinic: ['north', 'south', 'east'][shift ? i % 2 : i % 3] })),
    predicted: Array.from({ length: n }, (_, i) => (i % 4 ? 'benign' : 'malignant')),
    outcomes: [] as string[],
  });

  it('tests each input as Evidently would and calls the set drifted when half of the inputs drift', () => {
    const same = driftReport(ref, binaryModel.pipeline, window(0));
    expect(same.inputs.map((c) => c.result.test)).toEqual(['ks', 'chi_square']);
    expect(same.dataset.drifted).toBe(false);
    const w = window(1.5);
    const moved = driftReport(ref, binaryModel.pipeline, w);
    expect(moved.inputs.every((c) => c.result.test !== 'none' && c.result.drifted)).toBe(true);
    expect(moved.dataset.drifted).toBe(true);
    const ks = ks2samp(
      ref.columns.size as number[],
      w.inputs.map((r) => r.size),
    );
    expect(moved.inputs[0].result).toMatchObject({ statistic: ks.statistic, pvalue: ks.pvalue });
    expect(moved.outcome).toBeNull();
    expect(moved.prediction.result.test).toBe('z_test');
  });

  it('uses PSI for every column when asked, with the reference decile bins', () => {
    const w = window(0.4);
    const r = driftReport(ref, binaryModel.pipeline, w, 'psi');
    expect(r.inputs[0].result.test).toBe('psi');
    if (r.inputs[0].result.test === 'none') return;
    expect(r.inputs[0].result.statistic).toBeCloseTo(
      psi(
        ref.columns.size as number[],
        w.inputs.map((x) => x.size),
      ),
      12,
    );
  });

  it('draws categories most frequent first with the rest summed, and numbers over Sturges bins of both pooled', () => {
    const cats = chartOf(['a', 'a', 'b', null, ...Array.from({ length: 20 }, (_, i) => `x${i}`)], ['a', 'c'], 'categorical');
    expect(cats.labels[0]).toBe('a');
    expect(cats.labels.at(-1)).toMatch(/others$/);
    expect(cats.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const nums = chartOf([1, 2, 3, 4], [3, 4, 5, 6, 7, 8, 9, 10], 'numeric');
    expect(nums.labels).toHaveLength(5); // Sturges: ceil(log2 12) + 1 = 5 bins
    expect(nums.current.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('says there are too few rows rather than guessing', () => {
    const r = driftReport(ref, binaryModel.pipeline, window(3, 3));
    expect(r.inputs[0].result.test).toBe('none');
    expect(r.dataset.testedColumns).toBe(0);
    expect(r.dataset.drifted).toBe(false);
  });
});

describe('outcomes', () => {
  it('the later outcome wins; on the same millisecond the greater id', () => {
    expect(
      latestOutcome([
        { id: 'b', recordedAt: 5 },
        { id: 'a', recordedAt: 7 },
        { id: 'c', recordedAt: 7 },
      ])?.id,
    ).toBe('c');
  });
  it('reads a label in any case and a number; refuses anything else with a sentence', () => {
    expect(parseOutcome(' MALIGNANT ', binaryModel.pipeline)).toEqual({ ok: true, value: 'malignant' });
    expect(parseOutcome('12,5', { target: { name: 'y', kind: 'numeric', mean: 0, std: 1 } })).toMatchObject({ ok: false });
    expect(parseOutcome('12.5', { target: { name: 'y', kind: 'numeric', mean: 0, std: 1 } })).toEqual({ ok: true, value: 12.5 });
    expect(parseOutcome('', binaryModel.pipeline)).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
  });
});

describe('monitor states and retraining', () => {
  const T = Date.UTC(2026, 10, 1, 9);
  function summary(n: number, right: number, latency = 1) {
    const s = emptySummary(binaryModel, '2026-11-01');
    for (let i = 0; i < n; i++) {
      const p = predictionOf(binaryModel, { createdAt: T, latencyMs: latency, output: { label: 'benign', probabilities: { benign: 0.9, malignant: 0.1 } } });
      addPrediction(s, binaryModel, p);
      addOutcome(s, binaryModel, p, i < right ? 'benign' : 'malignant');
    }
    return s;
  }

  it('warns and alerts at the levels, either way round', () => {
    expect(stateOf(0.02, { warning: 0.01, alert: 0.05 }, true)).toBe('warning');
    expect(stateOf(0.06, { warning: 0.01, alert: 0.05 }, true)).toBe('alert');
    expect(stateOf(0.79, { warning: 0.85, alert: 0.8 }, false)).toBe('alert');
    expect(stateOf(null, { warning: 0.85, alert: 0.8 }, false)).toBe('unknown');
    expect(thresholdsFor({ errorRate: { warning: 0.2, alert: 0.3 } }, 'r2')).toMatchObject({ errorRate: { warning: 0.2 }, quality: { alert: 0.2 } });
  });

  it('judges quality only from enough real results, and proposes a retrain with the reason', () => {
    const few = versionMonitor(binaryModel, { qualityMetric: 'accuracy' }, [summary(MIN_OUTCOMES - 1, 0)]);
    expect(few.states.find((s) => s.key === 'quality')?.state).toBe('unknown');
    expect(retrainReasons(few, { onDrift: true, qualityBelow: null, newOutcomes: null })).toEqual([]);
    const bad = versionMonitor(binaryModel, { qualityMetric: 'accuracy' }, [summary(40, 20, 700)]);
    expect(bad.states.find((s) => s.key === 'quality')).toMatchObject({ state: 'alert', value: 0.5 });
    expect(bad.states.find((s) => s.key === 'latencyP95Ms')?.state).toBe('alert');
    expect(bad.overall).toBe('alert');
    const reasons = retrainReasons(bad, { onDrift: true, qualityBelow: null, newOutcomes: 30 });
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/accuracy 0\.500 over 40 outcomes/);
    expect(reasons[1]).toMatch(/40 real results/);
    // The same reasons for a screen in any language.
    expect(retrainReasonsSaid(bad, { onDrift: true, qualityBelow: null, newOutcomes: 30 })).toEqual([
      { key: 'monitor.retrain.quality', values: { metric: 'accuracy', value: '0.500', outcomes: 40 } },
      { key: 'monitor.retrain.outcomes', values: { count: 40 } },
    ]);
    const drifted = versionMonitor(binaryModel, {}, [summary(40, 40)], { drifted: true, driftedColumns: 2, testedColumns: 2 });
    expect(retrainReasons(drifted)[0]).toMatch(/drift/);
  });

  it('every monitor is listed with a plain sentence, and the use monitor is off by default', () => {
    const m = versionMonitor(binaryModel, {}, [summary(30, 30)]);
    const keys = m.states.map((s) => s.key);
    expect(keys).toEqual([
      'latencyP95Ms',
      'errorRate',
      'minPerDay',
      'missingShare',
      'outOfRangeShare',
      'unseenShare',
      'invalidShare',
      'confidenceDrop',
      'quality',
    ]);
    expect(m.states.every((s) => s.detail.length > 10)).toBe(true);
    expect(m.states.find((s) => s.key === 'minPerDay')?.state).toBe('ok');
    expect(MONITOR_DEFAULTS.minPerDay.warning).toBe(0);
    expect(monitorStates({ figures: m.figures!, thresholds: MONITOR_DEFAULTS, perDay: 1 }).length).toBe(keys.length);
    expect(
      daysSpanned([
        { ...summary(1, 1), day: '2026-11-01' },
        { ...summary(1, 1), day: '2026-11-05' },
      ]),
    ).toBe(5);
    expect(numericBin([0], 0)).toBe(1);
  });
});
