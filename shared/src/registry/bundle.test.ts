import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { OutpostError } from '../errors.js';
import { sha256Hex } from '../data/hash.js';
import type { ModelVersion, TfjsArtifacts } from '../schema/records.js';
import { BUNDLE_MANIFEST, bundleFileName, readBundle, unsafeEntryName, writeBundle } from './bundle.js';
import { binaryVersion } from './bundle.testing.js';

const onnxBytes = new Uint8Array(readFileSync(new URL('../../../models/breast_cancer_mlp.onnx', import.meta.url)));
const onnxMeta = JSON.parse(readFileSync(new URL('../../../models/breast_cancer_mlp.json', import.meta.url), 'utf8')) as {
  columns: string[];
  mean: number[];
  std: number[];
  labels: string[];
};

/** A small real TensorFlow.js Layers model (3 inputs → 4 → 2 softmax), its artifacts and weight bytes. */
async function tinyTfjsModel() {
  tf.setBackend('cpu');
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 4, activation: 'relu', inputShape: [3], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  const weights = new Uint8Array(saved!.weightData as ArrayBuffer);
  const artifacts: TfjsArtifacts = {
    format: 'tfjs-layers',
    modelTopology: saved!.modelTopology,
    weightSpecs: saved!.weightSpecs as TfjsArtifacts['weightSpecs'],
  };
  return { model, artifacts, weights };
}

async function tfjsVersion() {
  const { model, artifacts, weights } = await tinyTfjsModel();
  const version = binaryVersion(await sha256Hex(weights), weights.length, {
    artifacts,
    pipeline: {
      version: 1,
      features: [
        { name: 'size', kind: 'numeric', mean: 5.9, std: 2.9, impute: 5.9 },
        { name: 'clinic', kind: 'categorical', categories: ['east', 'north'], impute: 'east' },
      ],
      target: { name: 'diagnosis', kind: 'categorical', labels: ['benign', 'malignant'] },
    },
  });
  return { model, version, weights };
}

async function onnxVersion(): Promise<ModelVersion> {
  return {
    id: '019a0000-0000-7000-8000-0000000000aa',
    projectId: 'p1',
    modelName: 'breast cancer (PyTorch)',
    version: 1,
    task: 'classification',
    pipeline: {
      version: 1,
      features: onnxMeta.columns.map((name, i) => ({ name, kind: 'numeric' as const, mean: onnxMeta.mean[i], std: onnxMeta.std[i], impute: onnxMeta.mean[i] })),
      target: { name: 'diagnosis', kind: 'categorical', labels: onnxMeta.labels },
    },
    artifacts: {
      format: 'onnx',
      inputName: 'features',
      outputName: 'probabilities',
      input: { kind: 'tabular' },
      output: 'probabilities',
      producer: 'pytorch',
      opset: 17,
    },
    weightsHash: await sha256Hex(onnxBytes),
    weightsSize: onnxBytes.length,
    imported: { fileName: 'breast_cancer_mlp.onnx', format: 'onnx', by: 'Ama', at: Date.UTC(2026, 2, 1) },
    stage: 'none',
    schemaVersion: 1,
    appVersion: '0.1.0-test',
    createdAt: Date.UTC(2026, 2, 1),
  };
}

async function refusal(bytes: Uint8Array, opts?: { maxBytes?: number }): Promise<string> {
  try {
    await readBundle(bytes, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(OutpostError);
    expect((err as OutpostError).code).toBe('bad_request');
    return (err as OutpostError).message;
  }
  throw new Error('readBundle accepted a bundle it should have refused');
}

/** The entries of a good bundle, changed by `edit`, zipped again. */
async function edited(edit: (files: Record<string, Uint8Array>) => void): Promise<Uint8Array> {
  const { version, weights } = await tfjsVersion();
  const files = unzipSync(writeBundle({ version, weights }));
  edit(files);
  return zipSync(files);
}
const manifestOf = (files: Record<string, Uint8Array>) => JSON.parse(strFromU8(files[BUNDLE_MANIFEST]));
const setManifest = (files: Record<string, Uint8Array>, m: unknown) => (files[BUNDLE_MANIFEST] = strToU8(JSON.stringify(m)));

// The byte offsets of a zip's local (PK\3\4) and central (PK\1\2) headers, in order.
function headers(zip: Uint8Array, sig: number): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const at: number[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) if (view.getUint32(i, true) === sig) at.push(i);
  return at;
}

describe('writing and reading a bundle', () => {
  it('round-trips a TensorFlow.js version: the same record and weights, and TensorFlow.js loads the folder as it is', async () => {
    const { model, version, weights } = await tfjsVersion();
    const zip = writeBundle({ version, weights, project: { name: 'Clinic', description: 'Triage at the north clinic' } });
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(
      ['evaluation.json', 'labels.txt', 'model-card.html', 'model.json', BUNDLE_MANIFEST, 'pipeline.json', 'thresholds.json', 'weights.bin'].sort(),
    );
    const back = await readBundle(zip);
    expect(back.version).toEqual(version);
    expect(back.weights).toEqual(weights);
    expect(back.project).toEqual({ name: 'Clinic', description: 'Triage at the north clinic' });
    const manifest = manifestOf(files);
    expect(manifest).toMatchObject({ outpostBundle: 1, weightsFile: 'weights.bin', weightsSha256: version.weightsHash, weightsSize: weights.length });
    expect(strFromU8(files['labels.txt'])).toBe('benign\nmalignant\n');
    expect(JSON.parse(strFromU8(files['thresholds.json']))).toMatchObject({ positive: 'malignant', threshold: 0.35, missCost: 20, falseAlarmCost: 1 });
    expect(JSON.parse(strFromU8(files['pipeline.json']))).toEqual(version.pipeline);
    expect(JSON.parse(strFromU8(files['evaluation.json']))).toEqual(version.evaluation);
    expect(strFromU8(files['model-card.html'])).toContain('Triage at the north clinic');

    // TensorFlow.js's own HTTP loader reads model.json and fetches ./weights.bin beside it.
    const fetched: string[] = [];
    const fetchFunc = async (url: URL | RequestInfo) => {
      // As fetch does, the URL's dot segments resolved (TensorFlow.js asks for ".../bundle/./weights.bin").
      const path = new URL(String(url)).pathname;
      fetched.push(path);
      const name = path.slice('/bundle/'.length);
      return files[name] ? new Response(files[name]) : new Response('not found', { status: 404 });
    };
    const loaded = await tfl.loadLayersModel(tf.io.http('https://example.org/bundle/model.json', { fetchFunc }));
    expect(fetched).toEqual(['/bundle/model.json', '/bundle/weights.bin']);
    const x = tf.tensor2d([
      [0.1, -1, 2],
      [3, 0.5, -0.2],
    ]);
    const want = await (model.predict(x) as tf.Tensor).data();
    const got = await (loaded.predict(x) as tf.Tensor).data();
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('round-trips an ONNX version: model.onnx is the very file', async () => {
    const version = await onnxVersion();
    const zip = writeBundle({ version, weights: onnxBytes });
    const files = unzipSync(zip);
    expect(files['model.onnx']).toEqual(onnxBytes);
    expect(files['weights.bin']).toBeUndefined();
    expect(files['model.json']).toBeUndefined();
    expect(files['evaluation.json']).toBeUndefined();
    expect(strFromU8(files['labels.txt'])).toBe('malignant\nbenign\n');
    expect(strFromU8(files['model-card.html'])).toContain('Imported from the file <code>breast_cancer_mlp.onnx</code>');
    const back = await readBundle(zip);
    expect(back.version).toEqual(version);
    expect(back.weights).toEqual(onnxBytes);
    expect(back.project).toBeUndefined();
  });

  it('writes the same bytes for the same version (no clock), and names the file after the model', async () => {
    const version = await onnxVersion();
    expect(writeBundle({ version, weights: onnxBytes })).toEqual(writeBundle({ version, weights: onnxBytes }));
    expect(bundleFileName(version)).toBe('breast_cancer_PyTorch_-v1.zip');
    expect(bundleFileName({ modelName: '../../etc/passwd', version: 2 })).toBe('__.._etc_passwd-v2.zip');
  });

  it('reads a bundle that was unpacked and zipped again inside one folder', async () => {
    const { version, weights } = await tfjsVersion();
    const files = unzipSync(writeBundle({ version, weights }));
    const back = await readBundle(zipSync({ 'triage-v3': files } as Zippable));
    expect(back.weights).toEqual(weights);
  });

  it('refuses weights of the wrong length when writing', async () => {
    const version = await onnxVersion();
    expect(() => writeBundle({ version, weights: onnxBytes.subarray(1) })).toThrow(/Download its weights again/);
  });
});

describe('reading refuses, with a sentence, and returns nothing', () => {
  it('not a zip, an empty file, a truncated zip', async () => {
    expect(await refusal(strToU8('{"outpostModel": 1}'))).toMatch(/not a zip, or it is damaged or cut short/);
    expect(await refusal(new Uint8Array(0))).toMatch(/not a zip/);
    const { version, weights } = await tfjsVersion();
    const zip = writeBundle({ version, weights });
    expect(await refusal(zip.subarray(0, Math.floor(zip.length / 2)))).toMatch(/not a zip, or it is damaged or cut short/);
    expect(await refusal(zip.subarray(0, zip.length - 5))).toMatch(/not a zip, or it is damaged or cut short/);
    // The end of the zip kept, a stretch in the middle (inside the weights) cut out.
    const w = headers(zip, 0x04034b50);
    const cut = new Uint8Array([...zip.subarray(0, w[2] + 40), ...zip.subarray(w[2] + 140)]);
    expect(await refusal(cut)).toMatch(/not a zip|damaged|outside its folder/);
  });

  it('an entry name that could leave its folder: .., a leading / or \\, a drive letter, backslashes', async () => {
    for (const name of ['../evil', 'a/../../evil', '/abs', '\\abs', 'a\\b', 'C:/Windows/evil', 'c:evil', 'x\u0000y']) {
      const zip = await edited((files) => (files[name] = strToU8('boo')));
      expect(await refusal(zip), name).toMatch(/could write outside its folder/);
    }
    expect(unsafeEntryName('weights.bin')).toBeNull();
    expect(unsafeEntryName('triage-v3/model.json')).toBeNull();
  });

  it('a zip bomb by its declared size: 300 MB of zeros compressed to a small file is refused before inflating', async () => {
    const zip = await edited((files) => (files['zeros.bin'] = new Uint8Array(300 * 1024 * 1024)));
    expect(zip.length).toBeLessThan(2 * 1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(await refusal(zip)).toMatch(/unpacks to more than 256 MB .*It was not opened/);
    // Nothing near the 300 MB was inflated (a generous margin for the test's own buffers).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    expect(await refusal(await edited(() => {}), { maxBytes: 1000 })).toMatch(/unpacks to more than 0 MB/);
  });

  it('a zip bomb that lies about its sizes is stopped while inflating', async () => {
    const { weights } = await tinyTfjsModel();
    const zip = zipSync({ [BUNDLE_MANIFEST]: new Uint8Array(50 * 1024 * 1024), 'weights.bin': weights });
    // Declare the 50 MB manifest as 100 bytes, in its local and its central header.
    const view = new DataView(zip.buffer);
    view.setUint32(headers(zip, 0x04034b50)[0] + 22, 100, true);
    view.setUint32(headers(zip, 0x02014b50)[0] + 24, 100, true);
    expect(await refusal(zip)).toMatch(/unpacks to more than this file says it holds \(a zip bomb\?\)/);
  });

  it('no manifest, or no weights', async () => {
    expect(await refusal(await edited((files) => delete files[BUNDLE_MANIFEST]))).toMatch(
      /holds no outpost-model.json, so it is not a model exported from Outpost/,
    );
    expect(await refusal(await edited((files) => delete files['weights.bin']))).toMatch(/holds no weights.bin: the model's weights are missing/);
  });

  it('weights whose SHA-256 differs from the manifest (one byte changed), or of another length', async () => {
    const flipped = await edited((files) => {
      files['weights.bin'] = files['weights.bin'].slice();
      files['weights.bin'][7] ^= 1;
    });
    expect(await refusal(flipped)).toMatch(/does not match the SHA-256 its manifest names/);
    const shorter = await edited((files) => (files['weights.bin'] = files['weights.bin'].slice(4)));
    expect(await refusal(shorter)).toMatch(/these are not its weights/);
    // A manifest that names another hash than its own version record.
    const lying = await edited((files) => setManifest(files, { ...manifestOf(files), weightsSha256: 'f'.repeat(64) }));
    expect(await refusal(lying)).toMatch(/does not match the SHA-256/);
  });

  it('a manifest that is not JSON, not an Outpost manifest, or whose version fails the schema', async () => {
    expect(await refusal(await edited((files) => (files[BUNDLE_MANIFEST] = strToU8('{"outpostBundle": 1,'))))).toMatch(/is not valid JSON/);
    expect(await refusal(await edited((files) => setManifest(files, { ...manifestOf(files), outpostBundle: 2 })))).toMatch(
      /is not an Outpost model manifest \(outpostBundle: /,
    );
    const badStage = await edited((files) => {
      const m = manifestOf(files);
      setManifest(files, { ...m, version: { ...m.version, stage: 'shipped' } });
    });
    expect(await refusal(badStage)).toMatch(/The model version in this file is not valid \(stage: /);
    const onnxNamed = await edited((files) => setManifest(files, { ...manifestOf(files), weightsFile: 'model.onnx' }));
    expect(await refusal(onnxNamed)).toMatch(/keeps its weights in weights.bin/);
  });

  it('a zip whose local headers name other files than its table of contents, or one file twice', async () => {
    const { version, weights } = await tfjsVersion();
    const zip = writeBundle({ version, weights }).slice();
    const local = headers(zip, 0x04034b50).find((at) => strFromU8(zip.subarray(at + 30, at + 30 + 13)) === 'pipeline.json')!;
    zip[local + 30 + 12] = 'X'.charCodeAt(0);
    expect(await refusal(zip)).toMatch(/Its table of contents and its files disagree/);
    const twice = zipSync({ [BUNDLE_MANIFEST]: strToU8('{}'), 'a.txt': strToU8('1'), 'b.txt': strToU8('2') });
    const central = headers(twice, 0x02014b50);
    // Rename b.txt to a.txt in the table of contents.
    twice[central[2] + 46] = 'a'.charCodeAt(0);
    expect(await refusal(twice)).toMatch(/holds "a.txt" twice/);
  });
});
