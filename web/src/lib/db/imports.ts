import type { ModelVersion } from '@shared/schema/records.js';
import { importedVersion, type ImportSpec, type ModelDescription } from '@shared/registry/import.js';
import { readTfjsModel } from '@shared/registry/tfjs-files.js';
import { readBundle } from '@shared/registry/bundle.js';
import { sha256Hex } from '@shared/data/hash.js';
import type { OutpostDb } from './db.js';
import { saveLocalBlob } from './blobs.js';
import { newId, putRecord } from './mutate.js';
import { nextVersionNumber } from './models.js';
import type { ModelFile } from '../ml/client.js';
import { SaidError } from '../said-error.js';

/**
 * Bringing a model made elsewhere onto this device: the files a person picked are read into one
 * model file (an ONNX file; a TensorFlow.js model.json with its .bin files; or a zip exported from
 * Outpost), and once the person has declared how it is fed, it is registered as a new version of
 * the project, its bytes kept as a content-addressed blob that syncs like trained weights.
 */

export interface PickedFile {
  name: string;
  bytes: ArrayBuffer;
}

/** What the picked files hold: a model to describe and declare, or a whole exported version. */
export type PickedModel =
  { kind: 'file'; fileName: string; file: ModelFile } | { kind: 'bundle'; fileName: string; version: ModelVersion; weights: Uint8Array };

export async function readPickedFiles(files: PickedFile[]): Promise<PickedModel> {
  if (files.length === 0) throw new SaidError('bad_request', { key: 'error.importChoose' });
  const lower = (f: PickedFile) => f.name.toLowerCase();
  const onnx = files.filter((f) => lower(f).endsWith('.onnx'));
  const zips = files.filter((f) => lower(f).endsWith('.zip'));
  const json = files.filter((f) => lower(f).endsWith('.json'));
  if (onnx.length + zips.length + (json.length ? 1 : 0) > 1) throw new SaidError('bad_request', { key: 'error.importOne' });
  if (onnx.length === 1) return { kind: 'file', fileName: onnx[0].name, file: { format: 'onnx', bytes: onnx[0].bytes } };
  if (zips.length === 1) {
    const b = await readBundle(new Uint8Array(zips[0].bytes));
    return { kind: 'bundle', fileName: zips[0].name, version: b.version, weights: b.weights };
  }
  if (json.length === 1) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(json[0].bytes));
    } catch {
      throw new SaidError('bad_request', { key: 'error.importJson', values: { name: json[0].name } });
    }
    const bins = new Map(files.filter((f) => f !== json[0]).map((f) => [f.name, new Uint8Array(f.bytes)]));
    const { tfjs, weights } = readTfjsModel(parsed, bins);
    return { kind: 'file', fileName: json[0].name, file: { format: 'tfjs-layers', modelTopology: tfjs.modelTopology, weightSpecs: tfjs.weightSpecs, weights } };
  }
  throw new SaidError('bad_request', { key: 'error.importKinds' });
}

/** The bytes kept as the version's weight blob: the ONNX file itself, or the TensorFlow.js weights. */
function weightBytes(file: ModelFile): ArrayBuffer {
  return file.format === 'onnx' ? file.bytes : file.weights;
}

/**
 * Register a declared import as the next version of its model name in the project. The
 * declaration is checked against the file first (importedVersion); nothing is stored when it fails.
 */
export async function registerImport(
  db: OutpostDb,
  projectId: string,
  picked: Extract<PickedModel, { kind: 'file' }>,
  description: ModelDescription,
  spec: ImportSpec,
  appVersion: string,
  now = Date.now(),
): Promise<ModelVersion> {
  const bytes = weightBytes(picked.file);
  const weightsHash = await sha256Hex(bytes);
  const tfjs = picked.file.format === 'tfjs-layers' ? { modelTopology: picked.file.modelTopology, weightSpecs: picked.file.weightSpecs } : undefined;
  const name = spec.modelName.trim();
  const base = {
    id: newId(),
    projectId,
    weightsHash,
    weightsSize: bytes.byteLength,
    fileName: picked.fileName,
    by: 'device',
    appVersion,
    now,
    ...(tfjs ? { tfjs } : {}),
  };
  let created!: ModelVersion;
  // A declaration that does not fit throws here, before any write, and the transaction stores nothing.
  await db.transaction('rw', [db.model_versions, db.outbox, db.kv, db.blobState, db.blobBytes], async () => {
    const mv = importedVersion(description, spec, { ...base, version: await nextVersionNumber(db, projectId, name) });
    await saveLocalBlob(db, weightsHash, bytes);
    created = await putRecord(db, 'model_versions', mv, now);
  });
  return created;
}

/**
 * Register a version exported from Outpost (a bundle) in this project, as the next version of its
 * model name. It keeps its pipeline, evaluation, threshold and card; its stage starts at none and
 * its monitoring reference stays behind (the reference rows are not in a bundle).
 */
export async function registerBundle(
  db: OutpostDb,
  projectId: string,
  picked: Extract<PickedModel, { kind: 'bundle' }>,
  now = Date.now(),
): Promise<ModelVersion> {
  const v = picked.version;
  const weights = picked.weights.slice().buffer;
  let created!: ModelVersion;
  await db.transaction('rw', [db.model_versions, db.outbox, db.kv, db.blobState, db.blobBytes], async () => {
    const { reference: _reference, quantized: _quantized, runId: _runId, ...rest } = v;
    const mv: ModelVersion = {
      ...rest,
      id: newId(),
      projectId,
      version: await nextVersionNumber(db, projectId, v.modelName),
      stage: 'none',
      createdAt: now,
      imported: { fileName: picked.fileName.slice(0, 300), format: v.artifacts.format, by: 'device', at: now },
    };
    await saveLocalBlob(db, v.weightsHash, weights);
    created = await putRecord(db, 'model_versions', mv, now);
  });
  return created;
}
