import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { explainRow, explainCost, globalImportance, MAX_SAMPLES, type BatchPredict } from './shapley.js';
import { mulberry32 } from '../data/random.js';
import type { Row } from '../data/columns.js';

type Fn = (x: number[]) => number;
const names = (d: number) => Array.from({ length: d }, (_, i) => `x${i}`);
const vec = (r: Row, ns: string[]) => ns.map((n) => Number(r[n] ?? 0));
/** A model over named numeric columns, counting the calls and rows it is asked for. */
function model(f: Fn, ns: string[]) {
  const log = { calls: 0, rows: [] as Row[] };
  const predict: BatchPredict = async (rows) => {
    log.calls++;
    log.rows.push(...rows);
    return rows.map((r) => f(vec(r, ns)));
  };
  return { predict, log };
}
function randomRows(n: number, ns: string[], seed: number): Row[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Object.fromEntries(ns.map((k) => [k, rng() * 2 - 1])));
}

/**
 * Exact interventional Shapley values by brute force over all 2^d coalitions:
 * v(S) = mean over background z of f(x_S, z_rest), φ_i = Σ_{S∌i} |S|!(d−|S|−1)!/d! (v(S∪i) − v(S)).
 */
function exactShapley(f: Fn, x: number[], background: number[][]): number[] {
  const d = x.length;
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const v = (mask: number) => background.reduce((s, z) => s + f(z.map((zi, i) => (mask & (1 << i) ? x[i] : zi))), 0) / background.length;
  const values = Array.from({ length: 1 << d }, (_, m) => v(m));
  return x.map((_, i) => {
    let phi = 0;
    for (let m = 0; m < 1 << d; m++) {
      if (m & (1 << i)) continue;
      const size = m.toString(2).replace(/0/g, '').length;
      phi += ((fact(size) * fact(d - size - 1)) / fact(d)) * (values[m | (1 << i)] - values[m]);
    }
    return phi;
  });
}

const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
const nonLinear: [string, number, Fn][] = [
  ['product and sine', 3, ([a, b, c]) => a * b + Math.sin(3 * c)],
  ['max minus a square', 4, ([a, b, c, e]) => Math.max(a, b, c) - e * e],
  ['a logistic unit with an interaction', 5, ([a, b, c, e, g]) => sigmoid(2 * a - b + 3 * c * e + 0.5 * g)],
  ['a step (a tree-like rule)', 4, ([a, b, c, e]) => (a > 0 && b < 0.2 ? 1 : 0) + (c > e ? 0.5 : 0)],
];

describe('sampling Shapley values', () => {
  for (const [what, d, f] of nonLinear) {
    it(`converge to the exact (brute-force) Shapley values for ${what}, within what their stderr says`, async () => {
      const ns = names(d);
      const background = randomRows(12, ns, 7);
      const [x] = randomRows(1, ns, 8);
      const exact = exactShapley(
        f,
        vec(x, ns),
        background.map((z) => vec(z, ns)),
      );
      const e = await explainRow(model(f, ns).predict, x, background, ns, { samples: 3000, seed: 1 });
      e.features.forEach((c, i) => {
        expect(c.stderr).toBeLessThan(0.03);
        expect(Math.abs(c.contribution - exact[i])).toBeLessThanOrEqual(5 * c.stderr + 1e-12);
      });
      expect(e.output).toBe(f(vec(x, ns)));
    });
  }

  it('give a linear model w_i (x_i − mean of the drawn z_i) exactly, and converge to w_i (x_i − mean z_i)', async () => {
    const w = [2, -1, 0.5, 0, 3];
    const ns = names(5);
    const f: Fn = (x) => 0.7 + x.reduce((s, xi, i) => s + w[i] * xi, 0);
    const background = randomRows(10, ns, 3);
    const [x] = randomRows(1, ns, 4);
    const { predict, log } = model(f, ns);
    const e = await explainRow(predict, x, background, ns, { samples: 30, seed: 5 });
    // The rows predicted are f(x), then per sample f(z) and d − 1 mixed rows: the drawn z are at 1 + s·d.
    const drawn = Array.from({ length: 30 }, (_, s) => vec(log.rows[1 + s * 5], ns));
    expect(drawn.every((z) => background.some((b) => vec(b, ns).every((v, i) => v === z[i])))).toBe(true);
    e.features.forEach((c, i) => {
      const meanZ = drawn.reduce((s, z) => s + z[i], 0) / drawn.length;
      expect(Math.abs(c.contribution - w[i] * (Number(x[ns[i]]) - meanZ))).toBeLessThan(1e-12);
    });
    expect(e.features[3]).toMatchObject({ contribution: 0, stderr: 0 });
    expect(Math.abs(e.baseline - drawn.reduce((s, z) => s + f(z), 0) / drawn.length)).toBeLessThan(1e-12);

    const many = await explainRow(predict, x, background, ns, { samples: 5000, seed: 6 });
    many.features.forEach((c, i) => {
      const meanZ = background.reduce((s, z) => s + Number(z[ns[i]]), 0) / background.length;
      expect(Math.abs(c.contribution - w[i] * (Number(x[ns[i]]) - meanZ))).toBeLessThanOrEqual(5 * c.stderr + 1e-12);
    });
  });

  it('report a standard error that the spread over seeds bears out (and that shrinks like 1/√S)', async () => {
    const [, d, f] = nonLinear[2];
    const ns = names(d);
    const background = randomRows(37, ns, 11);
    const [x] = randomRows(1, ns, 12);
    const runs = await Promise.all(Array.from({ length: 60 }, (_, seed) => explainRow(model(f, ns).predict, x, background, ns, { samples: 50, seed })));
    for (let i = 0; i < d; i++) {
      const est = runs.map((r) => r.features[i].contribution);
      const mean = est.reduce((a, b) => a + b, 0) / est.length;
      const sd = Math.sqrt(est.reduce((a, b) => a + (b - mean) ** 2, 0) / (est.length - 1));
      const stderr = runs.reduce((a, r) => a + r.features[i].stderr, 0) / runs.length;
      expect(sd).toBeLessThan(1.4 * stderr);
      expect(sd).toBeGreaterThan(0.7 * stderr);
    }
    const more = await explainRow(model(f, ns).predict, x, background, ns, { samples: 800, seed: 0 });
    const ratio = runs[0].features[0].stderr / more.features[0].stderr;
    expect(ratio).toBeGreaterThan(2.5); // √(800/50) = 4
    expect(ratio).toBeLessThan(6);
  });

  it('satisfy efficiency exactly for any function: Σ contributions = output − baseline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.func(fc.double({ min: -1e3, max: 1e3, noNaN: true })),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer(),
        async (d, g, nBackground, samples, seed) => {
          const ns = names(d);
          const f: Fn = (x) => g(...x.map((v) => Math.round(v * 4)));
          const background = randomRows(nBackground, ns, seed ^ 1);
          const [x] = randomRows(1, ns, seed ^ 2);
          const { predict, log } = model(f, ns);
          const e = await explainRow(predict, x, background, ns, { samples, seed, batchRows: 17 });
          const sum = e.features.reduce((s, c) => s + c.contribution, 0);
          const scale = Math.max(1, ...log.rows.map((r) => Math.abs(f(vec(r, ns)))));
          expect(Math.abs(sum - (e.output - e.baseline))).toBeLessThanOrEqual(1e-12 * scale);
          expect(log.rows).toHaveLength(explainCost(d, samples));
          expect(log.calls).toBe(Math.ceil(explainCost(d, samples) / 17));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('are reproducible: the same seed gives the same answer, another seed another', async () => {
    const [, d, f] = nonLinear[1];
    const ns = names(d);
    const background = randomRows(20, ns, 1);
    const [x] = randomRows(1, ns, 2);
    const run = (seed: number) => explainRow(model(f, ns).predict, x, background, ns, { samples: 40, seed });
    expect(await run(9)).toEqual(await run(9));
    expect((await run(9)).features).not.toEqual((await run(10)).features);
  });

  it('keep inputs that are not explained at the instance’s value, and treat an absent input as missing', async () => {
    const { predict, log } = model(([a, b]) => a + b, ['a', 'b']);
    const x: Row = { a: 1, b: 2, id: 'row-7' };
    const background: Row[] = [
      { a: 5, b: 6, id: 'other' },
      { a: 5, b: 8 },
    ];
    const e = await explainRow(predict, x, background, ['a', 'c'], { samples: 4, seed: 1 });
    expect(log.rows.every((r) => r.b === 2 && r.id === 'row-7' && r.c === null)).toBe(true);
    expect(e.features.map((c) => [c.name, c.value])).toEqual([
      ['a', 1],
      ['c', null],
    ]);
    expect(e.features[0].contribution).toBeCloseTo(1 - 5, 12);
    expect(e.features[1].contribution).toBe(0);
  });

  it('cannot estimate a standard error from one sample', async () => {
    const e = await explainRow(model(([a]) => a, ['a']).predict, { a: 1 }, [{ a: 0 }], ['a'], { samples: 1, seed: 0 });
    expect(e.features[0]).toMatchObject({ contribution: 1, stderr: NaN });
  });

  it('refuse what they cannot explain with a sentence', async () => {
    const { predict } = model(([a]) => a, ['a']);
    const bad = (background: Row[], features: string[], samples: number) => explainRow(predict, { a: 1 }, background, features, { samples, seed: 0 });
    await expect(bad([], ['a'], 10)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/background rows/) });
    await expect(bad([{ a: 0 }], [], 10)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(bad([{ a: 0 }], ['a', 'a'], 10)).rejects.toMatchObject({ code: 'bad_request' });
    for (const s of [0, 1.5, MAX_SAMPLES + 1])
      await expect(bad([{ a: 0 }], ['a'], s)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/samples/) });
    const wrong: BatchPredict = async (rows) => rows.slice(1).map(() => 0);
    await expect(explainRow(wrong, { a: 1 }, [{ a: 0 }], ['a'], { samples: 3, seed: 0 })).rejects.toMatchObject({ code: 'internal' });
    const nan: BatchPredict = async (rows) => rows.map(() => NaN);
    await expect(explainRow(nan, { a: 1 }, [{ a: 0 }], ['a'], { samples: 3, seed: 0 })).rejects.toMatchObject({ code: 'internal' });
    const many = Array.from({ length: 2000 }, () => ({ a: 1 }));
    await expect(globalImportance(predict, many, [{ a: 0 }], ['a'], { samples: MAX_SAMPLES, seed: 0 })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(globalImportance(predict, [], [{ a: 0 }], ['a'], { samples: 10, seed: 0 })).rejects.toMatchObject({ code: 'bad_request' });
  });
});

describe('global importance', () => {
  it('is the mean |Shapley value| over the rows, all rows predicted in shared batches', async () => {
    const w = [1, -2, 0];
    const ns = names(3);
    const f: Fn = (x) => x.reduce((s, xi, i) => s + w[i] * xi, 0);
    const background = randomRows(8, ns, 21);
    const rows = randomRows(25, ns, 22);
    const { predict, log } = model(f, ns);
    const imp = await globalImportance(predict, rows, background, ns, { samples: 16, seed: 3 });
    expect(imp).toMatchObject({ rows: 25, samples: 16, backgroundRows: 8 });
    expect(log.rows).toHaveLength(25 * explainCost(3, 16));
    expect(log.calls).toBe(1);
    // Row j's predictions start at j·(1 + S·d): f(x_j), then per sample f(z) and d − 1 mixed rows.
    const per = explainCost(3, 16);
    const drawnMean = (j: number, i: number) => Array.from({ length: 16 }, (_, s) => vec(log.rows[j * per + 1 + s * 3], ns)[i]).reduce((a, b) => a + b, 0) / 16;
    imp.features.forEach((g, i) => {
      const expected = rows.reduce((s, r, j) => s + Math.abs(w[i] * (Number(r[ns[i]]) - drawnMean(j, i))), 0) / rows.length;
      expect(g.name).toBe(ns[i]);
      expect(Math.abs(g.meanAbs - expected)).toBeLessThan(1e-12);
    });
    expect(imp.features[2].meanAbs).toBe(0);
  });
});
