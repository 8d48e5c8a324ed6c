import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { importedVersion, type ImportSpec } from './import.js';
import { loadOnnx, onnxHeader, openOnnx } from '../runtime/onnx.js';
import { Predictor } from '../runtime/predictor.js';
import type { OnnxArtifacts } from '../schema/records.js';
import { ModelVersion } from '../schema/records.js';

// The real ONNX model in the repository's models/ (PyTorch, opset 17) and what native onnxruntime answered for 20 rows.
const dir = fileURLToPath(new URL('../../../models/', import.meta.url));
const bytes = new Uint8Array(readFileSync(dir + 'breast_cancer_mlp.onnx'));
const meta = JSON.parse(readFileSync(dir + 'breast_cancer_mlp.json', 'utf8')) as {
  columns: string[];
  mean: number[];
  std: number[];
  labels: string[];
  raw_rows: Record<string, number>[] | number[][];
  standardised_inputs: number[][];
  probabilities: number[][];
};
const ctx = { id: 'v1', projectId: 'p1', version: 1, weightsHash: 'a'.repeat(64), weightsSize: bytes.length, fileName: 'm.onnx', appVersion: 't', now: 1 };
const tabular: ImportSpec = {
  modelName: 'cancer',
  task: 'classification',
  target: 'diagnosis',
  labels: meta.labels,
  input: { kind: 'tabular', columns: meta.columns.map((name, i) => ({ name, kind: 'numeric', mean: meta.mean[i], std: meta.std[i] })) },
};
const rows = meta.raw_rows.map((r) => (Array.isArray(r) ? Object.fromEntries(meta.columns.map((c, i) => [c, r[i]])) : r));

function maxDiff(outs: { probabilities?: Record<string, number> }[]): number {
  let m = 0;
  outs.forEach((o, i) => meta.labels.forEach((l, j) => (m = Math.max(m, Math.abs(o.probabilities![l] - meta.probabilities[i][j])))));
  return m;
}

describe('importing an ONNX model', () => {
  it('reads the header: producer and opset', () => {
    expect(onnxHeader(bytes)).toMatchObject({ opset: 17 });
  });

  it('maps columns with their scaling and answers as native onnxruntime did, to 1e-5', async () => {
    const { description, session } = await openOnnx(bytes);
    await session.release();
    const v = importedVersion(description, tabular, ctx);
    expect(ModelVersion.safeParse(v).success).toBe(true);
    expect(v.artifacts).toMatchObject({ format: 'onnx', inputName: 'features', outputName: 'probabilities', input: { kind: 'tabular' } });
    const p = new Predictor(v, await loadOnnx(v.artifacts as OnnxArtifacts, bytes));
    expect(maxDiff(await p.predictRows(rows))).toBeLessThan(1e-5);
    p.dispose();
  });

  it('takes a declared tensor input and answers the same for the standardised rows', async () => {
    const { description } = await openOnnx(bytes);
    const v = importedVersion(description, { ...tabular, input: { kind: 'tensor', shape: [30], scale: 1, offset: 0 } }, ctx);
    expect(v.pipeline.features).toEqual([]);
    const p = new Predictor(v, await loadOnnx(v.artifacts as OnnxArtifacts, bytes));
    expect(maxDiff(await p.predictTensors(meta.standardised_inputs))).toBeLessThan(1e-5);
    await expect(p.predictTensors([[1, 2, 3]])).rejects.toThrow(/input shape \[30\]/);
    await expect(p.predictRows(rows)).rejects.toThrow(/send "inputs"/);
    p.dispose();
  });

  it('refuses what does not fit, with a sentence', async () => {
    const { description } = await openOnnx(bytes);
    expect(() => importedVersion(description, { ...tabular, labels: ['a', 'b', 'c'] }, ctx)).toThrow(/does not match the 3 labels/);
    const cols = tabular.input.kind === 'tabular' ? tabular.input.columns : [];
    expect(() => importedVersion(description, { ...tabular, input: { kind: 'tabular', columns: cols.slice(0, 29) } }, ctx)).toThrow(/make 29 values per row/);
    expect(() => importedVersion(description, { ...tabular, input: { kind: 'tensor', shape: [1, 30], scale: 1, offset: 0 } }, ctx)).toThrow(/does not fit/);
    expect(() => importedVersion(description, { ...tabular, labels: undefined }, ctx)).toThrow(/needs its labels/);
    expect(() => importedVersion(description, { ...tabular, inputName: 'pixels' }, ctx)).toThrow(/no input “pixels”/);
    expect(() => importedVersion(description, { ...tabular, task: 'regression', labels: undefined }, ctx)).toThrow(/one value per row/);
  });

  it('refuses a damaged file, a file that is not ONNX and an opset too new', async () => {
    await expect(openOnnx(bytes.subarray(0, bytes.length - 100))).rejects.toThrow(/damaged or cut short|cannot run/);
    await expect(openOnnx(new TextEncoder().encode('this is a csv file, not a model at all'))).rejects.toThrow(/not (a whole )?(an )?ONNX/);
    // ir_version 8; opset_import { domain: "", version: 99 }
    const header = new Uint8Array([0x08, 0x08, 0x42, 0x04, 0x0a, 0x00, 0x10, 99, 0x3a, 0x00, 0x3a, 0x00, 0x3a, 0x00, 0x3a, 0x00]);
    await expect(openOnnx(header)).rejects.toThrow(/needs ONNX opset 99/);
  });

  it('runs an image model (a small convolutional network) on pixels scaled by 1/255, as an independent numpy computation answers', async () => {
    const here = fileURLToPath(new URL('../runtime/fixtures/', import.meta.url));
    const cnn = new Uint8Array(readFileSync(here + 'image_cnn.onnx'));
    const ref = JSON.parse(readFileSync(here + 'image_cnn.json', 'utf8')) as {
      labels: string[];
      shape: number[];
      scale: number;
      items: unknown[];
      probabilities: number[][];
    };
    const { description } = await openOnnx(cnn);
    const v = importedVersion(
      description,
      {
        modelName: 'shapes',
        task: 'classification',
        labels: ref.labels,
        input: { kind: 'tensor', shape: ref.shape, scale: ref.scale, offset: 0, layout: 'nchw' },
      },
      { ...ctx, weightsSize: cnn.length },
    );
    const p = new Predictor(v, await loadOnnx(v.artifacts as OnnxArtifacts, cnn));
    const out = await p.predictTensors(ref.items);
    let m = 0;
    out.forEach((o, i) => ref.labels.forEach((l, j) => (m = Math.max(m, Math.abs(o.probabilities![l] - ref.probabilities[i][j])))));
    expect(m).toBeLessThan(1e-5);
    p.dispose();
  });
});
