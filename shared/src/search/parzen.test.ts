import { describe, expect, it } from 'vitest';
import { bandwidths, buildParzenEstimator, defaultGamma, defaultWeights, parzenLogPdf, sampleParzen } from './parzen.js';
import { logGaussMass, ndtri, truncnormLogPdf, truncnormPpf } from './truncnorm.js';
import { trialRandom } from './random.js';
import type { SearchParam } from './space.js';

const OPTUNA = { priorWeight: 1, considerMagicClip: true, considerEndpoints: false };

describe("Optuna's gamma and weights", () => {
  it('puts min(ceil(0.1 n), 25) trials in the good group', () => {
    expect([1, 9, 10, 11, 30, 100, 101, 250, 251, 1000].map(defaultGamma)).toEqual([1, 1, 1, 2, 3, 10, 11, 25, 25, 25]);
  });

  it('weighs 30 trials as linspace(1/30, 1, 5) then 25 ones', () => {
    const w = defaultWeights(30);
    expect(w).toHaveLength(30);
    const ramp = [1 / 30, 1 / 30 + 29 / 120, 1 / 30 + 58 / 120, 1 / 30 + 87 / 120, 1];
    ramp.forEach((r, i) => expect(w[i]).toBeCloseTo(r, 14));
    expect(w.slice(5)).toEqual(new Array(25).fill(1));
    expect(defaultWeights(24)).toEqual(new Array(24).fill(1));
    expect(defaultWeights(25)).toEqual(new Array(25).fill(1));
    expect(defaultWeights(26)[0]).toBeCloseTo(1 / 26, 15);
    expect(defaultWeights(0)).toEqual([]);
  });
});

describe('bandwidths', () => {
  // Observations 0.1, 0.15, 0.9 on [0, 1]. Gaps to neighbours (bounds included): 0.1|0.05,
  // 0.05|0.75, 0.75|0.1. Larger gap each: 0.1, 0.75, 0.75; without endpoints the outer two take
  // their inner gap: 0.05 and 0.75. The magic clip floors at (1 - 0) / min(100, 1 + 4) = 0.2.
  it('follows the larger-gap rule with the magic clip', () => {
    const s = bandwidths([0.9, 0.1, 0.15], 0, 1, OPTUNA);
    expect(s[0]).toBeCloseTo(0.75, 15);
    expect(s[1]).toBeCloseTo(0.2, 15);
    expect(s[2]).toBeCloseTo(0.75, 15);
  });
  it('keeps the endpoint gaps when asked, and the raw gaps without the clip', () => {
    const noClip = bandwidths([0.1, 0.15, 0.9], 0, 1, { ...OPTUNA, considerMagicClip: false });
    [0.05, 0.75, 0.75].forEach((v, i) => expect(noClip[i]).toBeCloseTo(v, 15));
    const ends = bandwidths([0.1, 0.15, 0.9], 0, 1, { ...OPTUNA, considerMagicClip: false, considerEndpoints: true });
    [0.1, 0.75, 0.75].forEach((v, i) => expect(ends[i]).toBeCloseTo(v, 15));
  });
  it('clips a wide lone kernel to the range', () => {
    // One observation: both gaps count (fewer than 4 points with the bounds), max(0.5, 0.5).
    expect(bandwidths([0.5], 0, 1, OPTUNA)).toEqual([0.5]);
    expect(bandwidths([0.5], 0, 1, { ...OPTUNA, considerEndpoints: true })).toEqual([0.5]);
  });
});

describe('truncated normal', () => {
  it('matches the normal CDF and its inverse', () => {
    // Phi(1) - Phi(-1) = 0.6826894921370859 (scipy.stats.norm).
    expect(Math.exp(logGaussMass(-1, 1))).toBeCloseTo(0.6826894921370859, 14);
    expect(Math.exp(logGaussMass(1, 2))).toBeCloseTo(0.13590512198327787, 14);
    // Far in the tail, by the asymptotic series: log Phi(-39) = -39^2/2 - log 39 - log sqrt(2 pi) + log(1 - 1/39^2 + ...).
    expect(logGaussMass(-40, -39)).toBeCloseTo(-765.08316, 4);
    expect(ndtri(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(ndtri(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    for (const q of [0.01, 0.3, 0.5, 0.9]) {
      const x = truncnormPpf(q, 0.2, 0.5, 0, 1);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    expect(truncnormPpf(0.5, 0.5, 0.1, 0, 1)).toBeCloseTo(0.5, 12);
    expect(truncnormLogPdf(1.5, 0, 1, 0, 1)).toBe(-Infinity);
  });
});

describe('the Parzen estimator', () => {
  const x: SearchParam = { name: 'x', kind: 'float', low: 0, high: 1 };
  it('mixes one kernel per observation with the prior, as Optuna weighs them', () => {
    // One observation at 0.5: kernel N(0.5, 0.5) and prior N(0.5, 1), both truncated to [0, 1],
    // weights 1/2 each. At 0.5 the density is
    // 0.5 phi(0) / (0.5 (Phi(1) - Phi(-1))) + 0.5 phi(0) / (1 (Phi(0.5) - Phi(-0.5))).
    const pe = buildParzenEstimator([x], [[0.5]], [1], OPTUNA);
    expect(pe.weights).toEqual([0.5, 0.5]);
    const phi0 = 0.3989422804014327;
    const expected = (0.5 * phi0) / (0.5 * 0.6826894921370859) + (0.5 * phi0) / 0.38292492254802624;
    expect(Math.exp(parzenLogPdf(pe, [0.5]))).toBeCloseTo(expected, 12);
  });

  it('gives a choice 1 plus a share of the prior where it was observed', () => {
    // Two observations (choices 0 and 2 of 3), prior weight 1: each kernel row is
    // (1 + 1/3, 1/3, 1/3) / 2 around its choice, the prior row uniform; mixture weights 1/3 each.
    // P(0) = (2/3 + 1/6 + 1/3) / 3 = 7/18.
    const c: SearchParam = { name: 'c', kind: 'choice', choices: ['a', 'b', 'c'] };
    const pe = buildParzenEstimator([c], [[0], [2]], [1, 1], OPTUNA);
    expect(Math.exp(parzenLogPdf(pe, [0]))).toBeCloseTo(7 / 18, 14);
    expect(Math.exp(parzenLogPdf(pe, [1]))).toBeCloseTo((1 / 6 + 1 / 6 + 1 / 3) / 3, 14);
  });

  it('gives integers probability masses that sum to 1, in log space for a log scale', () => {
    for (const p of [
      { name: 'n', kind: 'int', low: 1, high: 6 },
      { name: 'n', kind: 'int', low: 1, high: 6, log: true },
      { name: 'n', kind: 'float', low: 0, high: 1, step: 0.25 },
    ] as SearchParam[]) {
      const grid = p.kind === 'float' ? [0, 0.25, 0.5, 0.75, 1] : [1, 2, 3, 4, 5, 6];
      const pe = buildParzenEstimator([p], [[grid[1]], [grid[3]]], [1, 1], OPTUNA);
      const total = grid.reduce((s, g) => s + Math.exp(parzenLogPdf(pe, [g])), 0);
      expect(total).toBeCloseTo(1, 12);
    }
  });

  it('draws inside the bounds, on the grid', () => {
    const n: SearchParam = { name: 'n', kind: 'int', low: 2, high: 64, log: true };
    const pe = buildParzenEstimator(
      [x, n],
      [
        [0.1, 4],
        [0.7, 32],
      ],
      [1, 1],
      OPTUNA,
    );
    for (const [a, b] of sampleParzen(pe, trialRandom(1, 1), 200)) {
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(1);
      expect(Number.isInteger(b) && b >= 2 && b <= 64).toBe(true);
    }
  });
});
