import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../data/random.js';
import { bootstrapMetric } from './bootstrap.js';

const meanOf = (xs: number[]) => (idx: number[]) => idx.reduce((s, i) => s + xs[i], 0) / idx.length;

/** Standard normal draws by Box–Muller from a seeded stream. */
function normals(n: number, seed: number): number[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));
}

describe('bootstrapMetric (percentile method)', () => {
  const xs = normals(40, 7);

  it('is deterministic for a seed, and another seed draws other resamples', () => {
    const a = bootstrapMetric(xs.length, meanOf(xs), { seed: 42 });
    const b = bootstrapMetric(xs.length, meanOf(xs), { seed: 42 });
    const c = bootstrapMetric(xs.length, meanOf(xs), { seed: 43 });
    expect(a).toEqual(b);
    expect(c.low).not.toBe(a.low);
    expect(a).toMatchObject({ resamples: 1000, level: 0.95, seed: 42, estimate: meanOf(xs)(xs.map((_, i) => i)) });
    expect(a.low).toBeLessThan(a.estimate);
    expect(a.high).toBeGreaterThan(a.estimate);
  });

  it('narrows with the level and states the resamples drawn', () => {
    const wide = bootstrapMetric(xs.length, meanOf(xs), { seed: 1, resamples: 500, level: 0.95 });
    const narrow = bootstrapMetric(xs.length, meanOf(xs), { seed: 1, resamples: 500, level: 0.5 });
    expect(narrow.low).toBeGreaterThan(wide.low);
    expect(narrow.high).toBeLessThan(wide.high);
    expect(wide.resamples).toBe(500);
  });

  it('hands the metric n indices in 0..n-1 per resample', () => {
    const seen: number[][] = [];
    bootstrapMetric(5, (idx) => (seen.push(idx), 0), { seed: 3, resamples: 20 });
    expect(seen).toHaveLength(21); // the estimate, then each resample
    expect(seen[0]).toEqual([0, 1, 2, 3, 4]);
    for (const idx of seen) for (const i of idx) expect(Number.isInteger(i) && i >= 0 && i < 5).toBe(true);
    expect(new Set(seen.slice(1).map((s) => s.join())).size).toBeGreaterThan(1);
  });

  it('is NaN where the metric is undefined, and refuses bad options', () => {
    const r = bootstrapMetric(3, (idx) => (idx.every((i) => i === 0) ? NaN : 1), { seed: 0, resamples: 200 });
    expect(r.estimate).toBe(1);
    expect(r.low).toBeNaN();
    expect(bootstrapMetric(0, () => NaN, { seed: 0 }).high).toBeNaN();
    expect(() => bootstrapMetric(3, () => 0, { seed: 0, resamples: 0 })).toThrow(RangeError);
    expect(() => bootstrapMetric(3, () => 0, { seed: 0, level: 1 })).toThrow(RangeError);
    expect(() => bootstrapMetric(3, () => 0, { seed: 0.5 })).toThrow(RangeError);
  });

  it('covers the true mean in about 95% of seeds (normal samples of 50, 300 seeds)', () => {
    const trueMean = 1;
    let covered = 0;
    const seeds = 300;
    for (let seed = 0; seed < seeds; seed++) {
      const sample = normals(50, 1000 + seed).map((z) => trueMean + 2 * z);
      const ci = bootstrapMetric(sample.length, meanOf(sample), { seed, resamples: 400 });
      if (ci.low <= trueMean && trueMean <= ci.high) covered++;
    }
    // The percentile interval of a mean of 50 undercovers slightly (about 94%); 300 seeds give a
    // standard error of about 1.3 points.
    expect(covered / seeds).toBeGreaterThan(0.9);
    expect(covered / seeds).toBeLessThan(0.985);
  });
});
