import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { v7 as uuidv7 } from 'uuid';
import { OutpostError } from '@shared/errors.js';
import { ModelVersion, Project, type ModelArtifacts, type ModelVersion as Version } from '@shared/schema/records.js';
import type { Actor } from '@shared/schema/registry.js';
import { importedVersion, type ImportContext, type ImportSpec, type ModelDescription } from '@shared/registry/import.js';
import { readTfjsModel } from '@shared/registry/tfjs-files.js';
import { BUNDLE_MANIFEST, readBundle, unsafeEntryName, type BundleContents } from '@shared/registry/bundle.js';
import { openOnnx } from '@shared/runtime/onnx.js';
import { describeTfjs } from '@shared/runtime/tfjs.js';
import { Predictor } from '@shared/runtime/predictor.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Db, Queryable } from './db.js';
import { DEFAULT_BLOB_LIMITS, ownedBlobSize, type BlobLimits } from './blobs.js';
import { lockRecords } from './record-writes.js';
import { writeServerRecord } from './registry.js';
import { getOrg } from './orgs.js';
import { cpuBackend, loadModel } from '../serving/loader.js';

/**
 * A model trained elsewhere, brought in on the server by the central team (`npm run admin --
 * import-model`, the console's import page): an ONNX file, a TensorFlow.js Layers model (a zip of
 * model.json and its .bin files, or those files themselves), or a model exported from Outpost (a
 * bundle zip, shared/src/registry/bundle.ts). The file is opened by the runtime that will run it
 * (this is also the check for a damaged file or an opset ONNX Runtime Web cannot run), checked
 * against the person's declaration (importedVersion), and run once on a neutral input (the
 * columns' fill-in values, or zeros) so that a model that cannot answer is refused now rather than
 * at its first prediction. Only then, in one transaction, its weights become a blob of the
 * organisation and its version a record the server writes with the organisation's next sequence
 * number, so every device pulls it. When any check fails nothing is stored.
 *
 * Where it goes: into the project given (it must be one of the organisation's, not deleted), or
 * else into the organisation's project named after the model (a bundle: after the project it was
 * exported from), made when there is none, so importing the same model again adds its next
 * version beside the first. The version number is one more than the highest of that model name in
 * that project. A new version's stage is "none" (promote it as any other).
 */

export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

export type ImportRequest = {
  /** How the model reads its input and what it answers; not needed for an Outpost bundle (it keeps its own). */
  spec?: ImportSpec;
  /** The model's name: the spec's, or for a bundle a new name (its own when not given). */
  name?: string;
  projectId?: string;
  /** Who imported it, for the record (a person's name, or "admin CLI"). */
  by?: string;
} & ({ fileName: string; bytes: Uint8Array } | { files: ImportFile[] });

export interface ImportOptions {
  now: number;
  appVersion: string;
  limits?: BlobLimits;
}

const bad = (m: string) => new OutpostError('bad_request', m);
const DAMAGED_ZIP = 'This zip is damaged or cut short. Zip model.json and its .bin files again, or bring the whole file.';
const MAX_MODEL_JSON = 16 * 1024 * 1024;

type Opened =
  | { kind: 'file'; fileName: string; description: ModelDescription; weights: Uint8Array; tfjs?: ImportContext['tfjs'] }
  | { kind: 'bundle'; fileName: string; bundle: BundleContents };

const isZip = (b: Uint8Array) => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
const isJson = (b: Uint8Array) => {
  for (const c of b.subarray(0, 64)) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xef && c !== 0xbb && c !== 0xbf) return c === 0x7b;
  return false;
};
const base = (name: string) => name.split('/').pop() ?? name;

/** The files of a zip, by name, refusing unsafe names and declared sizes past `maxBytes` before anything is inflated. */
function listZip(bytes: Uint8Array, maxBytes: number): string[] {
  const names: string[] = [];
  let total = 0;
  try {
    unzipSync(bytes, {
      filter(f) {
        if (names.length >= 256) throw bad('This zip holds more than 256 files; a TensorFlow.js model is model.json and a few .bin files.');
        const unsafe = unsafeEntryName(f.name);
        if (unsafe) throw bad(`This zip holds an entry named “${f.name.slice(0, 80)}” that ${unsafe}, so it was not opened.`);
        total += f.originalSize;
        if (!Number.isSafeInteger(f.originalSize) || total > maxBytes)
          throw bad(`This zip unpacks to more than ${Math.round(maxBytes / 2 ** 20)} MB, more than the server keeps for a model.`);
        names.push(f.name);
        return false;
      },
    });
  } catch (err) {
    if (err instanceof OutpostError) throw err;
    throw bad(DAMAGED_ZIP);
  }
  return names;
}

/**
 * A TensorFlow.js model zip: model.json (at the top or in one folder) and the .bin files beside
 * it. fflate inflates each entry into a buffer of its declared size, so the sizes checked by
 * listZip bound the memory used, whatever the compressed data holds.
 */
function unzipTfjs(bytes: Uint8Array, names: string[]): ImportFile[] {
  const jsons = names.filter((n) => base(n) === 'model.json');
  if (jsons.length !== 1) {
    throw bad(
      jsons.length
        ? 'This zip holds several model.json files; zip one model at a time.'
        : `This zip holds neither a TensorFlow.js model (model.json and its .bin files) nor a model exported from Outpost (${BUNDLE_MANIFEST}).`,
    );
  }
  const folder = jsons[0].slice(0, -'model.json'.length);
  const wanted = new Set(names.filter((n) => n.startsWith(folder) && !n.slice(folder.length).includes('/') && (n === jsons[0] || n.endsWith('.bin'))));
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => wanted.has(f.name) });
  } catch {
    throw bad(DAMAGED_ZIP);
  }
  return Object.entries(files).map(([name, b]) => ({ name: base(name), bytes: b }));
}

async function openTfjs(fileName: string, files: ImportFile[]): Promise<Opened> {
  const json = files.find((f) => base(f.name) === 'model.json') ?? (files.length === 1 && isJson(files[0].bytes) ? files[0] : undefined);
  if (!json) throw bad('Choose model.json together with its .bin files (or one zip of them).');
  if (json.bytes.length > MAX_MODEL_JSON)
    throw bad('This model.json is larger than any TensorFlow.js model description; choose the model.json that TensorFlow.js wrote.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(strFromU8(json.bytes));
  } catch {
    throw bad('This model.json is not valid JSON (it may be cut short). Save or convert the model again.');
  }
  const { tfjs, weights } = readTfjsModel(parsed, new Map(files.filter((f) => f !== json).map((f) => [base(f.name), f.bytes])));
  await cpuBackend();
  return { kind: 'file', fileName, description: await describeTfjs(tfjs, weights), weights: new Uint8Array(weights), tfjs };
}

/** Open whatever was brought, by its content (not its name): see the module comment. */
export async function openModelFile(req: ImportRequest, maxBytes: number): Promise<Opened> {
  if ('files' in req && req.files.length !== 1) {
    if (!req.files.length) throw bad('Choose a model file: an .onnx file, a zip of a TensorFlow.js model, or model.json with its .bin files.');
    return openTfjs('model.json', req.files);
  }
  const { name: fileName, bytes } = 'files' in req ? req.files[0] : { name: req.fileName, bytes: req.bytes };
  if (bytes.length === 0) throw bad('This file is empty. Choose the model file itself.');
  if (bytes.length > maxBytes)
    throw new OutpostError('payload_too_large', `This file is larger than the ${Math.round(maxBytes / 2 ** 20)} MB the server keeps for a model.`);
  if (isZip(bytes)) {
    const names = listZip(bytes, maxBytes + MAX_MODEL_JSON);
    if (names.some((n) => base(n) === BUNDLE_MANIFEST))
      return { kind: 'bundle', fileName, bundle: await readBundle(bytes, { maxBytes: maxBytes + MAX_MODEL_JSON }) };
    return openTfjs(fileName, unzipTfjs(bytes, names));
  }
  if (isJson(bytes)) return openTfjs(fileName, [{ name: 'model.json', bytes }]);
  const { session, description } = await openOnnx(bytes);
  await session.release();
  return { kind: 'file', fileName, description, weights: bytes };
}

interface Placement {
  id: string;
  projectId: string;
  version: number;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The version record an import makes, placed at `at` (id, project, number). */
function versionAt(o: Opened, req: ImportRequest, at: Placement, opts: ImportOptions): Version {
  if (o.kind === 'file') {
    if (!req.spec) throw bad('Say how the model reads its input (the columns it was trained on, or its tensor shape) and, for classes, its labels.');
    const ctx: ImportContext = {
      ...at,
      weightsHash: sha256(o.weights),
      weightsSize: o.weights.length,
      fileName: o.fileName,
      appVersion: opts.appVersion,
      now: opts.now,
      ...(req.by ? { by: req.by } : {}),
      ...(o.tfjs ? { tfjs: o.tfjs } : {}),
    };
    return checked(importedVersion(o.description, req.spec, ctx));
  }
  // A bundle keeps its own declaration and evaluation; what tied it to where it came from goes
  // (its run, its smaller weights and its reference rows are blobs and records of that place).
  const { runId: _run, quantized: _q, reference: _r, deleted: _d, ...kept } = o.bundle.version;
  const name = (req.name ?? req.spec?.modelName)?.trim();
  return checked({
    ...kept,
    ...at,
    ...(name ? { modelName: name } : {}),
    stage: 'none',
    createdAt: opts.now,
    imported: { fileName: o.fileName.slice(0, 300), format: o.bundle.version.artifacts.format, ...(req.by ? { by: req.by.slice(0, 200) } : {}), at: opts.now },
  });
}

function checked(v: unknown): Version {
  const r = ModelVersion.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw bad(`The model version this makes is not valid (${issue.path.join('.') || 'the record'}: ${issue.message}); check the name, labels and columns.`);
}

const weightsOf = (o: Opened) => (o.kind === 'file' ? o.weights : o.bundle.weights);

function zeros(shape: number[]): unknown {
  return shape.length === 0 ? 0 : Array.from({ length: shape[0] }, () => zeros(shape.slice(1)));
}

/** Run the version once on a neutral input: a model that cannot answer is refused before it is registered. */
async function tryOnce(v: Version, weights: Uint8Array): Promise<void> {
  const { forward } = await loadModel(v, weights);
  try {
    const artifacts: ModelArtifacts = v.artifacts;
    const p = new Predictor({ task: v.task, pipeline: v.pipeline, artifacts, threshold: v.decision?.threshold }, forward);
    const input = p.input;
    const [out] = input.kind === 'tensor' ? await p.predictTensors([zeros(input.shape)]) : await p.predictRows([{}]);
    const numbers = [...Object.values(out.probabilities ?? {}), ...(out.value === undefined ? [] : [out.value])];
    if (!numbers.every(Number.isFinite))
      throw bad('The model answers a value that is not a number for a plain input; check that it is the trained model and that its output is the one meant.');
  } finally {
    forward.dispose();
  }
}

/** Store the weights as a blob the organisation owns (content-addressed: one copy whoever else holds it). */
async function storeBlob(q: Queryable, orgId: string, bytes: Uint8Array, limits: BlobLimits): Promise<string> {
  const hash = sha256(bytes);
  if (bytes.length > limits.maxBlobBytes)
    throw new OutpostError(
      'payload_too_large',
      `This model's weights are ${Math.round(bytes.length / 2 ** 20)} MB; the server keeps at most ${Math.round(limits.maxBlobBytes / 2 ** 20)} MB per file (OUTPOST_MAX_BLOB_BYTES).`,
    );
  if ((await ownedBlobSize(q, orgId, hash)) !== undefined) return hash;
  const [{ used }] = await q.query<{ used: number }>(
    `select coalesce(sum(b.size), 0) as used from blob_owners o join blobs b on b.hash = o.hash where o.org_id = $1`,
    [orgId],
  );
  if (Number(used) + bytes.length > limits.maxOrgBlobBytes)
    throw new OutpostError(
      'payload_too_large',
      `Your organisation's files on the server would pass its limit of ${Math.round(limits.maxOrgBlobBytes / 2 ** 20)} MB. Remove old model versions or raise the limit (OUTPOST_MAX_ORG_BLOB_BYTES).`,
    );
  const created = await q.query(`insert into blobs (hash, size) values ($1, $2) on conflict (hash) do nothing returning hash`, [hash, bytes.length]);
  if (created.length) {
    // Parts of at most 1 MiB, as uploads store them (blobs.ts reads and streams by part).
    for (let at = 0; at < bytes.length; at += 1024 * 1024) {
      const part = bytes.subarray(at, at + 1024 * 1024);
      await q.query(`insert into blob_parts (hash, "offset", bytes) values ($1, $2, decode($3, 'hex'))`, [
        hash,
        at,
        Buffer.from(part.buffer, part.byteOffset, part.length).toString('hex'),
      ]);
    }
  }
  await q.query(`insert into blob_owners (hash, org_id) values ($1, $2) on conflict do nothing`, [hash, orgId]);
  return hash;
}

/** The project a version goes into (see the module comment); a new one is returned to be written. */
async function projectFor(q: Queryable, orgId: string, req: ImportRequest, name: string, now: number): Promise<{ id: string; create?: Project }> {
  if (req.projectId) {
    const [row] = await q.query<{ data: { deleted?: boolean } }>(`select data from records where org_id = $1 and tbl = 'projects' and id = $2`, [
      orgId,
      req.projectId,
    ]);
    if (!row || row.data.deleted)
      throw new OutpostError('not_found', 'There is no such project in this organisation. Leave the project out to put the model in a project named after it.');
    return { id: req.projectId };
  }
  const [found] = await q.query<{ id: string }>(
    `select id from records where org_id = $1 and tbl = 'projects' and data->>'name' = $2 and coalesce(data->>'deleted', 'false') <> 'true' order by seq limit 1`,
    [orgId, name],
  );
  if (found) return { id: found.id };
  const id = uuidv7();
  return { id, create: Project.parse({ id, name, description: 'Made for an imported model.', createdAt: now }) };
}

/**
 * Import a model into an organisation (see the module comment); answers the new version. Every
 * refusal is an OutpostError with a sentence, and then nothing is stored.
 */
export async function importModel(db: Db, orgId: string, req: ImportRequest, opts: ImportOptions): Promise<Version> {
  const limits = opts.limits ?? DEFAULT_BLOB_LIMITS;
  if (!(await getOrg(db, orgId))) throw new OutpostError('not_found', 'There is no organisation with that id. List them with `npm run admin -- list-orgs`.');
  const opened = await openModelFile(req, limits.maxBlobBytes);
  // Checked and run once before the transaction (no lock is held while a model loads); placed again inside it.
  const draft = versionAt(opened, req, { id: uuidv7(), projectId: req.projectId ?? 'pending', version: 1 }, opts);
  await tryOnce(draft, weightsOf(opened));
  const projectName =
    opened.kind === 'bundle' && !req.name && !req.spec?.modelName && opened.bundle.project?.name ? opened.bundle.project.name : draft.modelName;
  const actor: Actor = { kind: 'server', id: 'server', name: (req.by ?? 'server import').slice(0, 200) };
  const hlc = formatHlc({ millis: opts.now, counter: 0, node: 'server' });
  return db.tx(async (q) => {
    const seq = await lockRecords(q, orgId);
    const project = await projectFor(q, orgId, req, projectName.slice(0, 200), opts.now);
    const [{ last }] = await q.query<{ last: number | null }>(
      `select max((data->>'version')::int) as last from records where org_id = $1 and tbl = 'model_versions' and data->>'projectId' = $2 and data->>'modelName' = $3`,
      [orgId, project.id, draft.modelName],
    );
    const version = versionAt(opened, req, { id: draft.id, projectId: project.id, version: Number(last ?? 0) + 1 }, opts);
    await storeBlob(q, orgId, weightsOf(opened), limits);
    if (project.create) await writeServerRecord(q, seq, orgId, 'projects', project.id, project.create, hlc, actor);
    await writeServerRecord(q, seq, orgId, 'model_versions', version.id, version, hlc, actor);
    return version;
  });
}
