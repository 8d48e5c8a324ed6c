import { z } from 'zod';
import type { TfjsArtifacts } from '../schema/records.js';
import { OutpostError } from '../errors.js';

/**
 * A TensorFlow.js Layers model as `model.save('downloads://…')` or tensorflowjs_converter write it:
 * model.json (topology and a weights manifest naming one or more .bin files) and the .bin files.
 * The weight bytes are concatenated in manifest order, as TensorFlow.js itself loads them.
 */
const ModelJson = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  format: z.string().optional(),
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string().min(1).max(300)).min(1),
        weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.string() }).passthrough()),
      }),
    )
    .min(1),
});

const bad = (message: string) => new OutpostError('bad_request', message);

/** Bytes per value of a weight-manifest entry as stored (its quantization, if any, else its dtype). */
function storedBytes(e: { shape: number[]; dtype: string; quantization?: unknown }): number {
  const q = (e.quantization as { dtype?: string } | undefined)?.dtype;
  const per = q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : e.dtype === 'bool' ? 1 : 4;
  return e.shape.reduce((a, b) => a * b, 1) * per;
}

export function readTfjsModel(
  modelJson: unknown,
  files: Map<string, Uint8Array>,
): { tfjs: Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs'>; weights: ArrayBuffer } {
  // A graph model's model.json has a modelTopology and a weightsManifest too (a GraphDef, not
  // layers), so it is told apart by its format before the shape check, not after.
  if (typeof modelJson === 'object' && modelJson !== null && (modelJson as { format?: unknown }).format === 'graph-model') {
    throw bad(
      'This is a TensorFlow.js graph model; Outpost imports Layers models (saved with model.save() from TensorFlow.js or converted from Keras with --output_format=tfjs_layers_model).',
    );
  }
  const parsed = ModelJson.safeParse(modelJson);
  if (!parsed.success) {
    throw bad(
      'This model.json is not a TensorFlow.js Layers model (it needs "modelTopology" and "weightsManifest"). Choose the model.json that TensorFlow.js or tensorflowjs_converter wrote.',
    );
  }
  const m = parsed.data;
  const parts: Uint8Array[] = [];
  const base = (p: string) => p.split('/').pop()!;
  for (const group of m.weightsManifest) {
    for (const p of group.paths) {
      const bytes = files.get(p) ?? files.get(base(p));
      if (!bytes) throw bad(`The weights file “${base(p)}” that model.json names is missing; choose it together with model.json.`);
      parts.push(bytes);
    }
  }
  const weightSpecs = m.weightsManifest.flatMap((g) => g.weights);
  const want = weightSpecs.reduce((a, e) => a + storedBytes(e), 0);
  const total = parts.reduce((a, p) => a + p.length, 0);
  if (total !== want)
    throw bad(`The weights files hold ${total} bytes but model.json describes ${want}; the files do not belong together or one is cut short.`);
  const weights = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    weights.set(p, at);
    at += p.length;
  }
  return { tfjs: { modelTopology: m.modelTopology, weightSpecs }, weights: weights.buffer };
}
