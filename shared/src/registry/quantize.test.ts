import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { float16Bits, quantizeWeights, servedWeights, testHeadline, type WeightSpec } from './quantize.js';
import { mulberry32 } from '../data/random.js';
import { loadTfjs } from '../runtime/tfjs.js';
import type { FeaturePipeline } from '../schema/pipeline.js';
import type { ModelVersion } from '../schema/records.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** What TensorFlow.js itself reads back from quantized bytes (no code of ours decodes them). */
async function decoded(specs: WeightSpec[], weights: ArrayBuffer): Promise<Record<string, Float32Array>> {
  const tensors = tf.io.decodeWeights(weights, specs as tf.io.WeightsManifestEntry[]);
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(tensors)) {
    out[name] = (await t.data()) as Float32Array;
    t.dispose();
  }
  return out;
}

function randomWeights(seed: number): { specs: WeightSpec[]; weights: ArrayBuffer; values: Float32Array[] } {
  const rng = mulberry32(seed);
  const shapes: [string, number[], (i: number) => number][] = [
    ['dense/kernel', [7, 5], () => (rng() - 0.5) * 3],
    ['dense/bias', [5], () => rng() * 0.01 - 0.02],
    ['wide/kernel', [3, 40], () => (rng() - 0.3) * 200],
    ['const/bias', [4], () => 0.75],
    ['one/bias', [1], () => -3.25],
  ];
  const values = shapes.map(([, shape, f]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)));
  const specs = shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' }));
  const all = new Float32Array(values.reduce((a, v) => a + v.length, 0));
  let at = 0;
  for (const v of values) {
    all.set(v, at);
    at += v.length;
  }
  return { specs, weights: all.buffer, values };
}

/** The number a half's bits stand for (IEEE 754 binary16), written out from the definition. */
function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return e === 0 ? sign * m * 2 ** -24 : sign * (1 + m / 1024) * 2 ** (e - 15);
}

describe('float16Bits', () => {
  it('writes the IEEE half of values a half holds exactly', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff],
      [2 ** -14, 0x0400],
      [2 ** -24, 0x0001],
      [1023 * 2 ** -24, 0x03ff],
      [1.5, 0x3e00],
    ];
    for (const [x, bits] of cases) expect(float16Bits(x)).toBe(bits);
  });

  it('rounds to the nearest half, ties to the even one, as numpy float16 does', () => {
    // numpy: np.float16(1/3).view(np.uint16) == 0x3555, np.float16(0.1) == 0x2e66, np.float16(1e-7) == 0x0002
    expect(float16Bits(1 / 3)).toBe(0x3555);
    expect(float16Bits(0.1)).toBe(0x2e66);
    expect(float16Bits(1e-7)).toBe(0x0002);
    // Halfway between 1 and the next half (1 + 2^-10) goes to 1 (even); halfway above that goes up.
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // Half of the smallest subnormal goes to 0; a little more goes to it.
    expect(float16Bits(2 ** -25)).toBe(0x0000);
    expect(float16Bits(2 ** -25 * 1.001)).toBe(0x0001);
    // Past the largest half: infinity (65520 is the first value that rounds there).
    expect(float16Bits(65519)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(-1e9)).toBe(0xfc00);
    expect(Number.isNaN(halfValue(float16Bits(NaN)))).toBe(true);
    // Every other value: no half is nearer, and of two equally near the even one is chosen.
    const rng = mulberry32(5);
    for (let i = 0; i < 20_000; i++) {
      const x = Math.fround((rng() - 0.5) * 2 ** Math.floor(rng() * 40 - 26));
      const h = float16Bits(x);
      const err = Math.abs(halfValue(h) - x);
      for (const n of [h - 1, h + 1]) {
        if ((n & 0x7fff) > 0x7bff || n < 0 || (n & 0x7fff) === 0x7fff) continue;
        const other = Math.abs(halfValue(n) - x);
        expect(err).toBeLessThanOrEqual(other);
        if (err === other) expect(h & 1).toBe(0);
      }
    }
  });
});

describe('quantizeWeights', () => {
  it('uint8: TensorFlow.js reads each value back within half a step (scale / 2), ends exact, at a quarter of the bytes', async () => {
    const { specs, weights, values } = randomWeights(1);
    const q = quantizeWeights(specs, weights, 'uint8');
    expect(q.weights.byteLength).toBe(weights.byteLength / 4);
    const back = await decoded(q.weightSpecs, q.weights);
    q.weightSpecs.forEach((s, i) => {
      expect(s.quantization?.dtype).toBe('uint8');
      const { scale, min } = s.quantization as { scale: number; min: number };
      const v = values[i];
      const lo = Math.min(...v);
      const hi = Math.max(...v);
      expect(min).toBe(lo);
      expect(scale).toBe(hi > lo ? (hi - lo) / 255 : 1);
      let worst = 0;
      v.forEach((x, j) => {
        const err = Math.abs(back[s.name][j] - x);
        // The decoded value is stored as a float32: allow its own rounding on top of half a step.
        expect(err).toBeLessThanOrEqual(scale / 2 + Math.abs(x) * 2 ** -23);
        worst = Math.max(worst, err);
      });
      expect(back[s.name][v.indexOf(lo)]).toBe(lo);
      if (hi > lo) expect(Math.abs(back[s.name][v.indexOf(hi)] - hi)).toBeLessThanOrEqual(Math.abs(hi) * 2 ** -23);
      // A constant tensor comes back exactly; a spread one really is coarser than float32.
      if (hi === lo) expect(worst).toBe(0);
      else expect(worst).toBeGreaterThan(scale / 10);
    });
  });

  it('float16: TensorFlow.js reads back the half-precision rounding of each value (exact where a half holds it), at half the bytes', async () => {
    const { specs, weights, values } = randomWeights(2);
    const q = quantizeWeights(specs, weights, 'float16');
    expect(q.weights.byteLength).toBe(weights.byteLength / 2);
    const back = await decoded(q.weightSpecs, q.weights);
    q.weightSpecs.forEach((s, i) => {
      expect(s.quantization).toEqual({ dtype: 'float16' });
      values[i].forEach((x, j) => {
        expect(back[s.name][j]).toBe(halfValue(float16Bits(x)));
        // Relative error of a normal half: at most 2^-11.
        if (Math.abs(x) >= 2 ** -14) expect(Math.abs(back[s.name][j] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11);
      });
    });
    expect(Array.from(back['const/bias'])).toEqual([0.75, 0.75, 0.75, 0.75]);
    expect(Array.from(back['one/bias'])).toEqual([-3.25]);
  });

  it('copies int32 tensors as they are and keeps other manifest fields', async () => {
    const specs: WeightSpec[] = [
      { name: 'a', shape: [2], dtype: 'float32', group: 'model' },
      { name: 'steps', shape: [3], dtype: 'int32' },
    ];
    const bytes = new Uint8Array(20);
    new Float32Array(bytes.buffer, 0, 2).set([1, 2]);
    new Int32Array(bytes.buffer, 8, 3).set([7, -8, 9]);
    const q = quantizeWeights(specs, bytes.buffer, 'uint8');
    expect(q.weightSpecs[0]).toMatchObject({ group: 'model', quantization: { dtype: 'uint8' } });
    expect(q.weightSpecs[1]).toEqual(specs[1]);
    expect(q.weights.byteLength).toBe(2 + 12);
    const tensors = tf.io.decodeWeights(q.weights, q.weightSpecs as tf.io.WeightsManifestEntry[]);
    expect(Array.from(await tensors.a.data())).toEqual([1, 2]);
    expect(Array.from(await tensors.steps.data())).toEqual([7, -8, 9]);
    tf.dispose(Object.values(tensors));
  });

  it('refuses weights it cannot shrink, with a sentence', () => {
    const spec: WeightSpec[] = [{ name: 'k', shape: [2], dtype: 'float32' }];
    expect(() => quantizeWeights(spec, new Float32Array([1, NaN]).buffer, 'uint8')).toThrow(/not a number/);
    expect(() => quantizeWeights(spec, new Float32Array([1, 1e6]).buffer, 'float16')).toThrow(/too large for half size; choose quarter size/);
    expect(() => quantizeWeights(spec, new Float32Array([1, 2, 3]).buffer, 'uint8')).toThrow(/do not belong together/);
    const once = quantizeWeights(spec, new Float32Array([1, 2]).buffer, 'uint8');
    expect(() => quantizeWeights(once.weightSpecs, once.weights, 'uint8')).toThrow(/already quantized/);
  });

  it('a model trained here answers within a small tolerance with its smaller weights, loaded by TensorFlow.js alone', async () => {
    const rng = mulberry32(11);
    const n = 400;
    const x = Float32Array.from({ length: n * 4 }, () => rng() * 2 - 1);
    const y = Float32Array.from({ length: n * 3 }, (_, k) => {
      const i = Math.floor(k / 3);
      const s = x[i * 4] + 0.5 * x[i * 4 + 1] - x[i * 4 + 2] * x[i * 4 + 3];
      const cls = s < -0.3 ? 0 : s < 0.3 ? 1 : 2;
      return k % 3 === cls ? 1 : 0;
    });
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 16, activation: 'relu', inputShape: [4], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
    const xs = tf.tensor2d(x, [n, 4]);
    const ys = tf.tensor2d(y, [n, 3]);
    for (let e = 0; e < 60; e++) await model.trainOnBatch(xs, ys);
    let saved!: tf.io.ModelArtifacts;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } })));
    const full = saved.weightData as ArrayBuffer;
    const specs = saved.weightSpecs as WeightSpec[];
    const artifacts = { format: 'tfjs-layers' as const, modelTopology: saved.modelTopology, weightSpecs: specs };
    const fullModel = await loadTfjs(artifacts, full);
    const want = Array.from(await fullModel.run(x, [n, 4]));
    const argmax = (p: number[], i: number) => [0, 1, 2].reduce((b, j) => (p[i * 3 + j] > p[i * 3 + b] ? j : b), 0);
    for (const [dtype, tol, agree] of [
      ['float16', 0.01, 0.99],
      ['uint8', 0.1, 0.9],
    ] as const) {
      const q = quantizeWeights(specs, full, dtype);
      const small = await loadTfjs(artifacts, q.weights, q.weightSpecs);
      const got = Array.from(await small.run(x, [n, 4]));
      const worst = Math.max(...got.map((p, k) => Math.abs(p - want[k])));
      expect(worst).toBeLessThan(tol);
      expect(worst).toBeGreaterThan(0);
      let same = 0;
      for (let i = 0; i < n; i++) if (argmax(got, i) === argmax(want, i)) same++;
      expect(same / n).toBeGreaterThanOrEqual(agree);
      small.dispose();
    }
    fullModel.dispose();
    model.dispose();
    tf.dispose([xs, ys]);
  });
});

describe('testHeadline and servedWeights', () => {
  const classifier: FeaturePipeline = {
    version: 1,
    features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
    target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] },
  };
  it('accuracy over the rows with a known label, R² over rows with a number', () => {
    const rows = [{ y: 'a' }, { y: 'b' }, { y: 'zzz' }, { y: null }, { y: 'b' }];
    const outputs = [{ label: 'a' }, { label: 'a' }, { label: 'b' }, { label: 'a' }, { label: 'b' }];
    expect(testHeadline(classifier, rows, outputs)).toEqual({ metric: 'accuracy', value: 2 / 3 });
    const regression: FeaturePipeline = { ...classifier, target: { name: 'y', kind: 'numeric', mean: 0, std: 1 } } as FeaturePipeline;
    expect(testHeadline(regression, [{ y: 1 }, { y: 2 }, { y: 3 }, { y: null }], [{ value: 1 }, { value: 2 }, { value: 4 }, { value: 0 }])).toEqual({
      metric: 'r2',
      value: 0.5,
    });
    expect(testHeadline(classifier, [{ y: null }], [{ label: 'a' }])).toBeUndefined();
  });

  it('a device downloads the smaller weights only when its project asks and the version has them (TensorFlow.js only)', () => {
    const quantized = { dtype: 'uint8' as const, weightsHash: 'b'.repeat(64), weightsSize: 25, weightSpecs: [{ name: 'k', shape: [1], dtype: 'float32' }] };
    const v = { weightsHash: 'a'.repeat(64), weightsSize: 100, artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: [] }, quantized } as Pick<
      ModelVersion,
      'weightsHash' | 'weightsSize' | 'quantized' | 'artifacts'
    >;
    expect(servedWeights(v, 'uint8')).toEqual({ hash: 'b'.repeat(64), size: 25, weightSpecs: quantized.weightSpecs, quantized: 'uint8' });
    expect(servedWeights(v, 'float16').hash).toBe('b'.repeat(64));
    expect(servedWeights(v, undefined)).toEqual({ hash: 'a'.repeat(64), size: 100 });
    expect(servedWeights(v, null)).toEqual({ hash: 'a'.repeat(64), size: 100 });
    expect(servedWeights({ ...v, quantized: undefined }, 'uint8')).toEqual({ hash: 'a'.repeat(64), size: 100 });
  });
});
