import type { FeaturePipeline } from '../schema/pipeline.js';
import type { ModelVersion, PredictionOutput, Project, QuantizedWeights } from '../schema/records.js';
import { isMissing, toNumber, type Row } from '../data/columns.js';
import { accuracy } from '../metrics/classification.js';
import { r2 } from '../metrics/regression.js';
import { OutpostError } from '../errors.js';

/** The two smaller forms a version's weights can take: half size (IEEE half floats) or quarter size (8-bit). */
export type QuantizationDtype = QuantizedWeights['dtype'];

/**
 * One entry of a TensorFlow.js weight manifest (`tf.io.WeightsManifestEntry`): the tensor's name,
 * shape and dtype, and for quantized bytes how to undo the quantization. Other fields (`group`)
 * are kept as they are.
 */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
  [field: string]: unknown;
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The IEEE 754 binary16 bits of a number, rounded to nearest with ties to even, as numpy's
 * `astype(np.float16)` does (which is what tfjs-converter writes): the value is first taken as a
 * float32, then its 24-bit significand is cut to 11 bits (fewer for half subnormals, whose unit is
 * 2^-24), rounding on the bits cut off; a carry out of the significand moves to the next exponent.
 * Beyond the largest half (65504, and everything from 65520 up) it is infinity; NaN stays NaN.
 */
export function float16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e >= 1) {
    let h = sign | (e << 10) | (mant >>> 13);
    const cut = mant & 0x1fff;
    if (cut > 0x1000 || (cut === 0x1000 && (h & 1) === 1)) h++;
    return h;
  }
  // A half subnormal: the significand with its leading 1, in units of 2^-24.
  const shift = 14 - e;
  if (shift > 24) return sign;
  const sig = mant | 0x800000;
  let h = sig >>> shift;
  const cut = sig & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  if (cut > half || (cut === half && (h & 1) === 1)) h++;
  return sign | h;
}

function quantizeUint8(values: Float32Array): { bytes: Uint8Array; scale: number; min: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // tfjs-converter's convention for a constant tensor: every value 0, scale 1, so it decodes to min exactly.
  const scale = max > min ? (max - min) / 255 : 1;
  const bytes = new Uint8Array(values.length);
  if (max > min) for (let i = 0; i < values.length; i++) bytes[i] = Math.min(255, Math.max(0, Math.round((values[i] - min) / scale)));
  return { bytes, scale, min };
}

/**
 * The same weights, smaller, in TensorFlow.js's own weight-manifest quantization, so that
 * `tf.io.decodeWeights` (and so `tf.loadLayersModel`) turns them back into float32 by itself:
 * - `uint8`, affine per tensor: scale = (max − min) / 255, q = round((x − min) / scale) in 0..255,
 *   and the manifest entry carries `quantization: { dtype: 'uint8', scale, min }`; TensorFlow.js
 *   reads x' = q · scale + min, so |x − x'| ≤ scale / 2, and the smallest and largest values come
 *   back exactly (min is the tensor's own minimum, not nudged to make 0 exact as tfjs-converter
 *   may do: both decode the same way). A constant tensor is all zeros with scale 1.
 * - `float16`: each value as an IEEE half (round to nearest even, `float16Bits`), and the entry
 *   carries `quantization: { dtype: 'float16' }`; TensorFlow.js decodes it with its lookup tables.
 * Only float32 tensors are made smaller (int32 and bool ones are copied as they are), so a model
 * of float32 weights takes a quarter (uint8) or a half (float16) of its bytes. The bytes follow
 * the manifest's order, each tensor right after the one before, as TensorFlow.js reads them.
 * Weights that are not numbers, or too large for a half float, cannot be made smaller this way.
 */
export function quantizeWeights<S extends WeightSpec>(
  weightSpecs: readonly S[],
  weights: ArrayBuffer,
  dtype: QuantizationDtype,
): { weightSpecs: (S & Pick<WeightSpec, 'quantization'>)[]; weights: ArrayBuffer } {
  const sizes = weightSpecs.map((s) => {
    if (s.quantization) throw new OutpostError('bad_request', `The weight “${s.name}” is already quantized; make it smaller from the full weights.`);
    const per = BYTES_PER_VALUE[s.dtype];
    if (per === undefined)
      throw new OutpostError('bad_request', `The weight “${s.name}” has type ${s.dtype}, which cannot be made smaller; keep the full weights.`);
    return s.shape.reduce((a, d) => a * d, 1) * per;
  });
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== weights.byteLength) {
    throw new OutpostError('bad_request', `The weights hold ${weights.byteLength} bytes but their manifest describes ${total}; they do not belong together.`);
  }
  const parts: Uint8Array[] = [];
  const specs: (S & Pick<WeightSpec, 'quantization'>)[] = [];
  let offset = 0;
  weightSpecs.forEach((s, i) => {
    const raw = weights.slice(offset, offset + sizes[i]);
    offset += sizes[i];
    if (s.dtype !== 'float32') {
      parts.push(new Uint8Array(raw));
      specs.push({ ...s });
      return;
    }
    const values = new Float32Array(raw);
    for (const v of values) {
      if (!Number.isFinite(v)) throw new OutpostError('bad_request', `The weight “${s.name}” holds a value that is not a number; train the model again.`);
    }
    if (dtype === 'uint8') {
      const q = quantizeUint8(values);
      parts.push(q.bytes);
      specs.push({ ...s, quantization: { dtype: 'uint8', scale: q.scale, min: q.min } });
      return;
    }
    const halves = new Uint16Array(values.length);
    for (let j = 0; j < values.length; j++) {
      halves[j] = float16Bits(values[j]);
      if ((halves[j] & 0x7c00) === 0x7c00) {
        throw new OutpostError(
          'bad_request',
          `The weight “${s.name}” holds ${values[j]}, too large for half size; choose quarter size or keep the full weights.`,
        );
      }
    }
    parts.push(new Uint8Array(halves.buffer));
    specs.push({ ...s, quantization: { dtype: 'float16' } });
  });
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { weightSpecs: specs, weights: out.buffer };
}

/**
 * The headline figure of a model's answers on test rows, to compare the full and the smaller
 * weights by: accuracy (scikit-learn `accuracy_score`) for a classifier, R² (`r2_score`) for a
 * regression. Rows are kept as the evaluation report keeps them (report.ts): a classifier's rows
 * whose target is missing or not one of its labels, and a regression's rows without a numeric
 * target or an answer, are left out; so on the same answers it equals the report's figure.
 * Undefined when no row remains.
 */
export function testHeadline(
  pipeline: FeaturePipeline,
  testRows: Row[],
  outputs: PredictionOutput[],
): { metric: 'accuracy' | 'r2'; value: number } | undefined {
  const t = pipeline.target;
  if (t.kind === 'categorical') {
    const kept = testRows.map((r, i) => ({ o: outputs[i], y: isMissing(r[t.name]) ? -1 : t.labels.indexOf(String(r[t.name]).trim()) })).filter((x) => x.y >= 0);
    if (!kept.length) return undefined;
    return {
      metric: 'accuracy',
      value: accuracy(
        kept.map((x) => x.y),
        kept.map((x) => Math.max(0, t.labels.indexOf(x.o?.label ?? ''))),
      ),
    };
  }
  const kept = testRows.map((r, i) => ({ yHat: outputs[i]?.value, y: toNumber(r[t.name]) })).filter((x) => x.y !== null && x.yHat !== undefined);
  if (!kept.length) return undefined;
  return {
    metric: 'r2',
    value: r2(
      kept.map((x) => x.y!),
      kept.map((x) => x.yHat!),
    ),
  };
}

/** Which weights of a version a device keeps and loads: the blob, its size, and the manifest to read it with when it is the smaller one. */
export interface ServedWeights {
  hash: string;
  size: number;
  /** Set for the smaller weights: their manifest (the version's own `artifacts.weightSpecs` reads the full ones). */
  weightSpecs?: WeightSpec[];
  quantized?: QuantizationDtype;
}

/**
 * The weights a device of a project downloads for a version: the smaller ones when the project
 * asks for smaller downloads (`Project.quantization`) and the version has them (TensorFlow.js
 * versions registered while the setting was on), otherwise the full ones. ONNX versions always
 * travel whole.
 */
export function servedWeights(
  v: Pick<ModelVersion, 'weightsHash' | 'weightsSize' | 'quantized' | 'artifacts'>,
  quantization: Project['quantization'],
): ServedWeights {
  if (quantization && v.quantized && v.artifacts.format === 'tfjs-layers') return smallerWeights(v.quantized);
  return { hash: v.weightsHash, size: v.weightsSize };
}

/** A version's smaller weights as `ServedWeights`. */
export function smallerWeights(q: QuantizedWeights): ServedWeights {
  return { hash: q.weightsHash, size: q.weightsSize, weightSpecs: q.weightSpecs as WeightSpec[], quantized: q.dtype };
}
