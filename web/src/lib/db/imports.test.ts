import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import { completeBlobBytes } from './blobs.js';
import { readPickedFiles, registerImport, type PickedModel } from './imports.js';
import { describeModelFile } from '../ml/client.js';
import { inProcessWorker } from '../ml/in-process-worker.js';
import type { ImportSpec } from '@shared/registry/import.js';
import { sha256Hex } from '@shared/data/hash.js';

// A person picks the real ONNX model on the device: it is opened in the (in-process) prediction
// worker, declared, and registered; a declaration that does not fit stores nothing.
const onnx = readFileSync(new URL('../../../../models/breast_cancer_mlp.onnx', import.meta.url));
const meta = JSON.parse(readFileSync(new URL('../../../../models/breast_cancer_mlp.json', import.meta.url), 'utf8')) as {
  columns: string[];
  mean: number[];
  std: number[];
  labels: string[];
};
let worker: Awaited<ReturnType<typeof inProcessWorker>>;
beforeAll(async () => {
  worker = await inProcessWorker(() => import('../ml/predict.worker.js'));
});
const spec: ImportSpec = {
  modelName: 'Cancer (PyTorch)',
  task: 'classification',
  labels: meta.labels,
  input: { kind: 'tabular', columns: meta.columns.map((name, i) => ({ name, kind: 'numeric', mean: meta.mean[i], std: meta.std[i] })) },
};

describe('importing a model on the device', () => {
  it('reads the picked files into one model, or says what is wrong with them', async () => {
    const bytes = onnx.buffer.slice(onnx.byteOffset, onnx.byteOffset + onnx.byteLength);
    await expect(readPickedFiles([{ name: 'm.onnx', bytes }])).resolves.toMatchObject({ kind: 'file', file: { format: 'onnx' } });
    await expect(readPickedFiles([])).rejects.toThrow(/Choose a model file/);
    await expect(readPickedFiles([{ name: 'data.csv', bytes: new ArrayBuffer(3) }])).rejects.toThrow(/imports \.onnx files/);
    await expect(
      readPickedFiles([
        { name: 'a.onnx', bytes },
        { name: 'b.onnx', bytes },
      ]),
    ).rejects.toThrow(/one model at a time/);
    const modelJson = JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'k', shape: [2], dtype: 'float32' }] }] });
    await expect(readPickedFiles([{ name: 'model.json', bytes: new TextEncoder().encode(modelJson).buffer }])).rejects.toThrow(
      /“w.bin” that model.json names is missing/,
    );
    await expect(readPickedFiles([{ name: 'model.json', bytes: new TextEncoder().encode('{"format":"graph-model"}').buffer }])).rejects.toThrow(/graph model/);
  });

  it('registers a declared ONNX model with its file as the weight blob, and nothing for a declaration that does not fit', async () => {
    const db = new OutpostDb(`imports-${newId()}`);
    const bytes = onnx.buffer.slice(onnx.byteOffset, onnx.byteOffset + onnx.byteLength);
    const picked = (await readPickedFiles([{ name: 'cancer.onnx', bytes }])) as Extract<PickedModel, { kind: 'file' }>;
    const description = await describeModelFile(picked.file, worker.create);
    expect(description.inputs[0]).toEqual({ name: 'features', type: 'float32', shape: ['batch', 30] });

    await expect(registerImport(db, 'p1', picked, description, { ...spec, labels: ['a', 'b', 'c'] }, 't')).rejects.toThrow(/3 labels/);
    expect(await db.model_versions.count()).toBe(0);
    expect(await db.blobState.count()).toBe(0);

    const v1 = await registerImport(db, 'p1', picked, description, spec, 't');
    const v2 = await registerImport(db, 'p1', picked, description, spec, 't');
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1).toMatchObject({ stage: 'none', imported: { format: 'onnx', fileName: 'cancer.onnx' }, artifacts: { format: 'onnx', inputName: 'features' } });
    expect(v1.weightsHash).toBe(await sha256Hex(new Uint8Array(onnx)));
    expect(new Uint8Array((await completeBlobBytes(db, v1.weightsHash))!)).toEqual(new Uint8Array(onnx));
    expect(await db.outbox.where('table').equals('model_versions').count()).toBe(2);
  });

  it('refuses a damaged file when it is opened', async () => {
    const bytes = onnx.buffer.slice(onnx.byteOffset, onnx.byteOffset + 2000);
    await expect(describeModelFile({ format: 'onnx', bytes }, worker.create)).rejects.toThrow(/damaged or cut short|cannot run/);
  });
});
