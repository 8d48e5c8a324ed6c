import type { FeaturePipeline } from '../schema/pipeline.js';
import type { ModelArtifacts, ModelOutputKind, PredictionOutput, TensorInput } from '../schema/records.js';
import { sha256Hex } from '../data/hash.js';
import { decodeRegression } from './pipeline.js';
import { OutpostError } from '../errors.js';

/**
 * What every runtime (TensorFlow.js or ONNX Runtime, on a device or on the server) does around the
 * model itself: read its raw output as a person's answer, and check and scale a tensor input. One
 * copy, so the same version answers the same on every runtime.
 */

/** Values the model emits per item: one per class, or one for a regression. */
export function outputWidth(pipeline: FeaturePipeline): number {
  return pipeline.target.kind === 'categorical' ? pipeline.target.labels.length : 1;
}

/**
 * Map one output vector to what a person reads: the label and class probabilities, or the value.
 * The label is the most probable class, or for a binary model with a decision threshold, the
 * positive class (labels[1]) when its probability reaches the threshold. Logits get a softmax
 * first (computed in float64, largest score subtracted).
 */
export function toOutput(pipeline: FeaturePipeline, out: ArrayLike<number>, offset: number, threshold?: number, kind?: ModelOutputKind): PredictionOutput {
  const t = pipeline.target;
  if (t.kind === 'categorical') {
    const k = t.labels.length;
    let p: ArrayLike<number> = out;
    let at = offset;
    if (kind === 'logits') {
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, out[offset + j]);
      const e = new Float64Array(k);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += e[j] = Math.exp(out[offset + j] - max);
      for (let j = 0; j < k; j++) e[j] /= sum;
      p = e;
      at = 0;
    }
    const probabilities: Record<string, number> = {};
    let best = 0;
    t.labels.forEach((l, j) => {
      probabilities[l] = p[at + j];
      if (p[at + j] > p[at + best]) best = j;
    });
    if (threshold !== undefined && k === 2) best = p[at + 1] >= threshold ? 1 : 0;
    return { label: t.labels[best], probabilities };
  }
  return { value: decodeRegression(pipeline, out[offset]) };
}

/** Values in one item of a tensor input. */
export function tensorSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Flatten items given as nested arrays (each of `input.shape`) into one float32 batch, scaled as
 * x * scale + offset. A wrong shape or a value that is not a finite number is refused with a
 * sentence naming the item and where in it.
 */
export function tensorBatch(input: TensorInput, items: unknown[]): Float32Array {
  const size = tensorSize(input.shape);
  const out = new Float32Array(items.length * size);
  const want = `[${input.shape.join(', ')}]`;
  items.forEach((item, i) => {
    let n = i * size;
    const walk = (v: unknown, depth: number, path: string): void => {
      if (depth === input.shape.length) {
        if (typeof v !== 'number' || !Number.isFinite(v))
          throw new OutpostError('bad_request', `Item ${i + 1}${path} is not a number; every value of the input must be a finite number.`);
        out[n++] = v * input.scale + input.offset;
        return;
      }
      if (!Array.isArray(v) || v.length !== input.shape[depth]) {
        throw new OutpostError(
          'bad_request',
          `Item ${i + 1} does not have the model's input shape ${want}${path ? ` (at ${path.trim()})` : ''}: send ${items.length === 1 ? 'it' : 'each item'} as nested arrays of that shape.`,
        );
      }
      v.forEach((x, j) => walk(x, depth + 1, `${path}[${j}]`));
    };
    walk(item, 0, '');
  });
  return out;
}

/**
 * What the prediction log keeps of one tensor item: its shape and the SHA-256 of its JSON text,
 * not the values (an image is large and may show a person). The device and the server write the
 * same text for the same item, so a logged prediction can be matched to its input later.
 */
export async function tensorLogValue(shape: readonly number[], item: unknown): Promise<string> {
  return `tensor [${shape.join(', ')}] sha256:${await sha256Hex(new TextEncoder().encode(JSON.stringify(item)))}`;
}

/** The name under which a tensor input is logged: the ONNX graph input's, else "input". */
export function tensorInputName(a: ModelArtifacts): string {
  return a.format === 'onnx' ? a.inputName : 'input';
}
