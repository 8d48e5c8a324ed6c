import { describe, expect, it } from 'vitest';
import { medianShouldPrune, nanPercentile } from './pruner.js';
import type { TrialView } from './trials.js';

// Five complete trials whose loss falls by the same amount each epoch, starting at 1..5: at any
// step the median is the third trial's curve, 3 - 0.1 step.
const curve = (start: number, steps = 10) => Array.from({ length: steps }, (_, i) => start - 0.1 * i);
const done = (number: number, start: number): TrialView => ({ number, state: 'complete', params: {}, value: start - 0.9, intermediate: curve(start) });
const five = [1, 2, 3, 4, 5].map((s, i) => done(i, s));

describe('nanPercentile', () => {
  it('interpolates linearly and skips NaN, as numpy', () => {
    expect(nanPercentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(nanPercentile([4, NaN, 1, 3], 50)).toBe(3);
    expect(nanPercentile([1, 2, 3, 4, 5], 25)).toBe(2);
    expect(nanPercentile([NaN], 50)).toBeNaN();
  });
});

describe('medianShouldPrune', () => {
  it('prunes a trial worse than the median at its latest step and keeps a better one', () => {
    expect(medianShouldPrune(five, { number: 9, intermediate: curve(3.5, 4) }, 'minimize')).toBe(true);
    expect(medianShouldPrune(five, { number: 9, intermediate: curve(2.5, 4) }, 'minimize')).toBe(false);
    // Exactly on the median is not worse.
    expect(medianShouldPrune(five, { number: 9, intermediate: curve(3, 4) }, 'minimize')).toBe(false);
  });

  it('judges by the best report so far, as Optuna does', () => {
    // Bad now (4.0 at step 2, median 2.8), but 2.0 at step 0 is better than it.
    expect(medianShouldPrune(five, { number: 9, intermediate: [2, 3, 4] }, 'minimize')).toBe(false);
  });

  it('never prunes with fewer than nStartupTrials complete trials', () => {
    const hopeless = { number: 9, intermediate: curve(50, 4) };
    const four = [...five.slice(0, 4), { ...five[4], state: 'pruned' as const }, { ...five[4], number: 7, state: 'running' as const }];
    expect(medianShouldPrune(four, hopeless, 'minimize')).toBe(false);
    expect(medianShouldPrune(four, hopeless, 'minimize', { nStartupTrials: 4 })).toBe(true);
    expect(medianShouldPrune([], hopeless, 'minimize', { nStartupTrials: 0 })).toBe(false);
  });

  it('waits out the warm-up steps and checks only every intervalSteps', () => {
    const at = (steps: number) => ({ number: 9, intermediate: curve(50, steps) });
    const opts = { nWarmupSteps: 3, intervalSteps: 2 };
    // Steps are 0-based: prunable at 3, 5, 7, ...
    expect([0, 1, 2, 3, 4, 5, 6].map((step) => medianShouldPrune(five, at(step + 1), 'minimize', opts))).toEqual([
      false,
      false,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(medianShouldPrune(five, { number: 9, intermediate: [] }, 'minimize')).toBe(false);
  });

  it('flips for maximise', () => {
    const accuracy = [0.5, 0.6, 0.7, 0.8, 0.9].map((a, i): TrialView => ({ number: i, state: 'complete', params: {}, value: a, intermediate: [a, a] }));
    expect(medianShouldPrune(accuracy, { number: 9, intermediate: [0.6, 0.65] }, 'maximize')).toBe(true);
    expect(medianShouldPrune(accuracy, { number: 9, intermediate: [0.6, 0.75] }, 'maximize')).toBe(false);
    expect(medianShouldPrune(accuracy, { number: 9, intermediate: [0.6, 0.65] }, 'minimize')).toBe(false);
  });

  it('prunes a trial that reported only NaN, and needs nMinTrials reports at the step', () => {
    expect(medianShouldPrune(five, { number: 9, intermediate: [NaN, NaN] }, 'minimize')).toBe(true);
    expect(medianShouldPrune(five, { number: 9, intermediate: [1, NaN] }, 'minimize')).toBe(false);
    // The complete trials reported 10 steps; at step 11 there is nothing to compare with.
    expect(medianShouldPrune(five, { number: 9, intermediate: curve(50, 12) }, 'minimize')).toBe(false);
    const short = [...five.slice(0, 4), { ...five[4], intermediate: curve(5, 2) }];
    expect(medianShouldPrune(short, { number: 9, intermediate: curve(50, 5) }, 'minimize', { nMinTrials: 5 })).toBe(false);
    expect(medianShouldPrune(short, { number: 9, intermediate: curve(50, 5) }, 'minimize', { nMinTrials: 4 })).toBe(true);
  });
});
