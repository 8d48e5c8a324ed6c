import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nextUp, thresholdCosts } from './threshold-costs.js';

/** Every candidate counted row by row, the best picked by the documented rule. */
function bruteForce(y: number[], s: number[], missCost: number, falseAlarmCost: number) {
  const candidates = [...new Set([...s, 0, nextUp(Math.max(...s))])].sort((a, b) => a - b);
  const rows = candidates.map((t) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    for (let i = 0; i < y.length; i++) {
      const positive = s[i] >= t;
      if (positive && y[i] === 1) tp++;
      else if (positive) fp++;
      else if (y[i] === 1) fn++;
      else tn++;
    }
    return { threshold: t, expectedCost: (missCost * fn + falseAlarmCost * fp) / y.length, tp, fp, fn, tn };
  });
  const min = Math.min(...rows.map((r) => r.expectedCost));
  const tied = rows.filter((r) => r.expectedCost <= min + 1e-12 * Math.abs(min));
  const best = tied.reduce((a, b) => (Math.abs(b.threshold - 0.5) < Math.abs(a.threshold - 0.5) ? b : a));
  return { rows, best };
}

describe('thresholdCosts', () => {
  it('agrees with a brute force over every candidate threshold', () => {
    const score = fc.oneof(
      fc.double({ min: -2, max: 2, noNaN: true }),
      fc.integer({ min: 0, max: 10 }).map((k) => k / 10),
    );
    const cost = fc.oneof(fc.constant(0), fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 1, max: 5 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), score), { minLength: 1, maxLength: 60 }), cost, cost, (pairs, miss, alarm) => {
        const y = pairs.map((p) => p[0]);
        const s = pairs.map((p) => p[1]);
        const got = thresholdCosts(y, s, { missCost: miss, falseAlarmCost: alarm });
        const want = bruteForce(y, s, miss, alarm);
        expect(got.thresholds).toEqual(want.rows.map((r) => r.threshold));
        expect(got.expectedCost).toEqual(want.rows.map((r) => r.expectedCost));
        expect(got.best).toEqual(want.best);
      }),
      { numRuns: 500 },
    );
  });

  it('a worked case: misses cost 5, false alarms 1', () => {
    const r = thresholdCosts([0, 0, 1, 1, 0, 1], [0.1, 0.3, 0.35, 0.6, 0.7, 0.9], { missCost: 5, falseAlarmCost: 1 });
    expect(r.thresholds).toEqual([0, 0.1, 0.3, 0.35, 0.6, 0.7, 0.9, nextUp(0.9)]);
    // At 0.35 every positive is caught and one negative (0.7) is flagged: cost 1/6.
    expect(r.best).toEqual({ threshold: 0.35, expectedCost: 1 / 6, tp: 3, fp: 1, fn: 0, tn: 2 });
    expect(r.expectedCost[r.expectedCost.length - 1]).toBe(15 / 6);
  });

  it('breaks ties toward 0.5, then the lower threshold', () => {
    // Free false alarms: every threshold up to the lowest positive costs 0; 0.5 is nearest 0.5.
    expect(thresholdCosts([0, 1, 1], [0.2, 0.5, 0.8], { missCost: 1, falseAlarmCost: 0 }).best.threshold).toBe(0.5);
    // 0.4 and 0.6 tie at the same distance from 0.5: the lower wins.
    expect(thresholdCosts([1, 1, 0], [0.4, 0.6, 0.1], { missCost: 0, falseAlarmCost: 1 }).best.threshold).toBe(0.4);
    // Costs equal up to rounding tie: three misses at 0.1 (0.30000000000000004) against one false
    // alarm at 0.3; the threshold above everything is nearer 0.5 than 0.1 is.
    const r = thresholdCosts([1, 1, 1, 0], [0.1, 0.1, 0.1, 0.55], { missCost: 0.1, falseAlarmCost: 0.3 });
    expect(0.1 * 3).toBeGreaterThan(0.3);
    expect(r.best).toMatchObject({ threshold: nextUp(0.55), fn: 3, fp: 0 });
  });

  it('nextUp is the next double', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
  });

  it('refuses empty inputs, other labels and negative costs', () => {
    expect(() => thresholdCosts([], [], { missCost: 1, falseAlarmCost: 1 })).toThrow(RangeError);
    expect(() => thresholdCosts([2], [0.1], { missCost: 1, falseAlarmCost: 1 })).toThrow(RangeError);
    expect(() => thresholdCosts([1], [0.1], { missCost: -1, falseAlarmCost: 1 })).toThrow(RangeError);
  });
});
