import { describe, expect, it } from 'vitest';
import { fitRidge, linearOutputs, logisticSteps, type LinearData, type LinearFit } from './linear.js';
import { mulberry32 } from '../data/random.js';

function finish(g: Generator<LinearFit, LinearFit>): LinearFit {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

function design(n: number, width: number, seed: number): number[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Array.from({ length: width }, () => rng() * 2 - 1));
}

/** Ordinary least squares by the normal equations with Gaussian elimination (partial pivoting), in float64. */
function leastSquares(rows: number[][], y: number[]): number[] {
  const a = rows.map((r) => [1, ...r]);
  const p = a[0].length;
  const m = Array.from({ length: p }, (_, i) => [...Array.from({ length: p }, (_, j) => a.reduce((s, r) => s + r[i] * r[j], 0)), a.reduce((s, r, k) => s + r[i] * y[k], 0)]);
  for (let c = 0; c < p; c++) {
    const piv = m.slice(c).reduce((best, r, i) => (Math.abs(r[c]) > Math.abs(m[best][c]) ? c + i : best), c);
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= p; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((r, i) => r[p] / r[i]);
}

describe('ridge regression', () => {
  it('with no penalty matches a closed-form least-squares fit to 1e-6', () => {
    const rows = design(80, 4, 3);
    const rng = mulberry32(5);
    const y = rows.map((r) => 0.7 + 2 * r[0] - 1.5 * r[1] + 0.25 * r[3] + (rng() - 0.5) * 0.3);
    const fit = fitRidge({ x: Float64Array.from(rows.flat()), width: 4, y, k: 1 }, 0);
    const [b, ...w] = leastSquares(rows, y);
    expect(fit.bias[0]).toBeCloseTo(b, 6);
    w.forEach((v, j) => expect(fit.kernel[j]).toBeCloseTo(v, 6));
  });

  it('shrinks the weights as the penalty grows, never the intercept', () => {
    const rows = design(50, 3, 8);
    const y = rows.map((r) => 10 + 3 * r[0]);
    const data: LinearData = { x: Float64Array.from(rows.flat()), width: 3, y, k: 1 };
    const norms = [0, 1, 100].map((l2) => fitRidge(data, l2)).map((f) => Math.hypot(...f.kernel));
    expect(norms[0]).toBeGreaterThan(norms[1]);
    expect(norms[1]).toBeGreaterThan(norms[2]);
    // A huge penalty leaves the mean of y (the intercept is not penalised).
    const flat = fitRidge(data, 1e9);
    expect(linearOutputs(flat, Float64Array.from([0, 0, 0]), 1, false)[0]).toBeCloseTo(y.reduce((a, b) => a + b) / y.length, 3);
  });

  it('still answers with one-hot columns that always sum to one', () => {
    const rows = [0, 1, 2, 0, 1, 2, 0, 1].map((c) => [c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0]);
    const y = [1, 2, 3, 1, 2, 3, 1, 2];
    const fit = fitRidge({ x: Float64Array.from(rows.flat()), width: 3, y, k: 1 }, 0);
    expect(Array.from(linearOutputs(fit, Float64Array.from(rows.flat()), 8, false)).map((v) => +v.toFixed(6))).toEqual(y);
  });
});

describe('logistic regression', () => {
  it('on non-separable data reaches the optimum: the gradient of Σ log loss + l2/2·‖w‖² vanishes', () => {
    const rows = design(300, 2, 21);
    const rng = mulberry32(4);
    const y = rows.map((r) => (rng() < 1 / (1 + Math.exp(-(1.5 * r[0] - 2 * r[1] + 0.3))) ? 1 : 0));
    const l2 = 1;
    const fit = finish(logisticSteps({ x: Float64Array.from(rows.flat()), width: 2, y, k: 2 }, l2));
    expect(fit.converged).toBe(true);
    // Back to one weight vector: w = kernel[:,1] − kernel[:,0], b = bias[1] − bias[0].
    const w = [fit.kernel[1] - fit.kernel[0], fit.kernel[3] - fit.kernel[2]];
    const b = fit.bias[1] - fit.bias[0];
    const g = [l2 * w[0], l2 * w[1], 0];
    rows.forEach((r, i) => {
      const e = 1 / (1 + Math.exp(-(w[0] * r[0] + w[1] * r[1] + b))) - y[i];
      g[0] += e * r[0];
      g[1] += e * r[1];
      g[2] += e;
    });
    g.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-5));
    // The signs of the generating rule come back.
    expect(w[0]).toBeGreaterThan(0.5);
    expect(w[1]).toBeLessThan(-0.5);
  });

  it('separates separable data perfectly, with finite weights thanks to the penalty', () => {
    // A gap of 0.2 around the boundary x₀ = 0.1.
    const rows = design(140, 2, 9).filter((r) => Math.abs(r[0] - 0.1) > 0.1);
    const y = rows.map((r) => (r[0] > 0.1 ? 1 : 0));
    const fit = finish(logisticSteps({ x: Float64Array.from(rows.flat()), width: 2, y, k: 2 }, 0.01));
    const out = linearOutputs(fit, Float64Array.from(rows.flat()), rows.length, true);
    rows.forEach((_, i) => expect(out[i * 2 + 1] > 0.5 ? 1 : 0).toBe(y[i]));
    fit.kernel.forEach((v) => expect(Number.isFinite(v)).toBe(true));
  });

  it('fits three classes with a softmax whose probabilities sum to 1', () => {
    const rows = design(300, 2, 31);
    const y = rows.map((r) => (r[0] > 0.3 ? 2 : r[1] > 0 ? 1 : 0));
    const fit = finish(logisticSteps({ x: Float64Array.from(rows.flat()), width: 2, y, k: 3 }, 1));
    expect(fit.outputs).toBe(3);
    const out = linearOutputs(fit, Float64Array.from(rows.flat()), 300, true);
    let hit = 0;
    for (let i = 0; i < 300; i++) {
      const p = Array.from(out.subarray(i * 3, i * 3 + 3));
      expect(p.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
      if (p.indexOf(Math.max(...p)) === y[i]) hit++;
    }
    expect(hit / 300).toBeGreaterThan(0.85);
  });

  it('refuses a single class', () => {
    expect(() => finish(logisticSteps({ x: Float64Array.from([1, 2]), width: 1, y: [0, 0], k: 1 }, 1))).toThrow(/two classes/);
  });
});
