import { z } from 'zod';
import { strFromU8, strToU8, Unzip, UnzipInflate, unzipSync, zipSync, type Zippable } from 'fflate';
import { OutpostError } from '../errors.js';
import { sha256Hex } from '../data/hash.js';
import { ByteSize } from '../schema/primitives.js';
import { ModelVersion } from '../schema/records.js';
import { modelCardHtml, type CardProject } from './model-card.js';

/**
 * A model version as one zip file that a person can keep, mail or carry on a stick, and that other
 * tools can open without Outpost (layout in docs/registry.md, "A model as one file"):
 *
 *   outpost-model.json   the manifest: `outpostBundle: 1`, the version record, the weights' file
 *                        name, size and SHA-256
 *   model.json           TensorFlow.js only: topology and weightsManifest in TensorFlow.js's own
 *   weights.bin          on-disk format (tf.loadLayersModel reads the folder as it is)
 *   model.onnx           ONNX only: the model file itself
 *   trees.json           a random forest only: its trees (shared/src/models/forest.ts)
 *   pipeline.json        the feature pipeline (how rows become the model's input)
 *   labels.txt           classification: one label per line, in the model's output order
 *   thresholds.json      how an answer is chosen from the output (the decision threshold)
 *   evaluation.json      the report on the test split, when the version has one
 *   model-card.html      the model card (model-card.ts)
 *
 * Reading one back trusts nothing in it: names that could leave their folder, sizes past
 * MAX_BUNDLE_BYTES (declared, and counted again while inflating), a manifest that is not one,
 * weights whose SHA-256 differs. Reading registers nothing; the caller decides what to do with it.
 */

/** The manifest's name inside a bundle. */
export const BUNDLE_MANIFEST = 'outpost-model.json';
/** The most bytes a bundle's files may hold uncompressed, together (the server keeps weights of at most 64 MB by default). */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;
/** The most files a bundle may hold (Outpost writes at most nine). */
export const MAX_BUNDLE_ENTRIES = 64;
/** The largest manifest read (a version record with its report and reference profile is well under 1 MB). */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
// Compressed bytes fed to the inflater at a time: DEFLATE expands at most ~1032 times, so one step
// makes at most ~8 MB before the count is checked again.
const STEP = 8 * 1024;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/** The manifest of a bundle; `version` is checked against ModelVersion on its own, for a precise sentence. */
export const BundleManifest = z.object({
  outpostBundle: z.literal(1),
  weightsFile: z.enum(['weights.bin', 'model.onnx', 'trees.json']),
  weightsSha256: Sha256,
  weightsSize: ByteSize,
  project: z.object({ name: z.string().max(200), description: z.string().max(2000).optional() }).optional(),
  version: z.unknown(),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

/** What a bundle is made from. */
export interface BundleInput {
  version: ModelVersion;
  /** The version's weight bytes (an ONNX model's file). */
  weights: Uint8Array;
  project?: CardProject;
}

/** What a bundle holds once read and checked. */
export interface BundleContents {
  version: ModelVersion;
  weights: Uint8Array;
  project?: CardProject;
}

/** The weights' file name in a bundle of this version. */
export const weightsFileOf = (v: Pick<ModelVersion, 'artifacts'>): BundleManifest['weightsFile'] =>
  v.artifacts.format === 'onnx' ? 'model.onnx' : v.artifacts.format === 'outpost-trees' ? 'trees.json' : 'weights.bin';

/** A file name for a version's bundle: `<model>-v<version>.zip`, with only letters, digits, `.`, `_` and `-`. */
export function bundleFileName(v: Pick<ModelVersion, 'modelName' | 'version'>): string {
  const name =
    v.modelName
      .replace(/[^\w.-]+/g, '_')
      .replace(/^[.]+/, '_')
      .slice(0, 100) || 'model';
  return `${name}-v${v.version}.zip`;
}

/**
 * TensorFlow.js's model.json for a Layers model (tfjs-core io `getModelJSONForModelArtifacts`):
 * the topology and one weights group whose path is relative to the model.json itself.
 */
export function tfjsModelJson(v: ModelVersion): Record<string, unknown> {
  if (v.artifacts.format !== 'tfjs-layers') throw new OutpostError('bad_request', 'Only a TensorFlow.js model has a model.json.');
  return {
    format: 'layers-model',
    generatedBy: `Outpost ${v.appVersion}`,
    convertedBy: null,
    modelTopology: v.artifacts.modelTopology,
    weightsManifest: [{ paths: ['./weights.bin'], weights: v.artifacts.weightSpecs }],
  };
}

/** How the answer is chosen from the model's output, as thresholds.json says it. */
function thresholds(v: ModelVersion): Record<string, unknown> {
  const t = v.pipeline.target;
  if (t.kind === 'numeric') return { task: 'regression', rule: 'the value, mapped back as value * std + mean', mean: t.mean, std: t.std };
  if (t.labels.length !== 2) return { task: 'classification', rule: 'the label with the highest probability', labels: t.labels };
  return {
    task: 'classification',
    rule: 'the positive label when its probability reaches the threshold, otherwise the other label',
    labels: t.labels,
    positive: t.labels[1],
    threshold: v.decision?.threshold ?? 0.5,
    chosen: v.decision ? 'from the costs below, on the test rows' : 'not chosen: the default 0.5',
    ...(v.decision ? { missCost: v.decision.missCost, falseAlarmCost: v.decision.falseAlarmCost, expectedCost: v.decision.expectedCost } : {}),
  };
}

// Zip stores local times from 1980 to 2107; a version's own creation time makes the bytes the
// same at every export (no clock is read).
const DOS_FIRST = Date.UTC(1980, 0, 2);
const DOS_LAST = Date.UTC(2099, 11, 30);
const zipTime = (ms: number) => new Date(Math.min(DOS_LAST, Math.max(DOS_FIRST, ms)));

const jsonBytes = (x: unknown) => strToU8(`${JSON.stringify(x, null, 2)}\n`);

/**
 * The zip of a version (layout in the module comment). The weights are stored as they are (they
 * barely compress); the rest is deflated. The same input gives the same bytes. Refuses weights
 * whose length is not the version's `weightsSize` (the caller checks their hash when it loads them).
 */
export function writeBundle({ version, weights, project }: BundleInput): Uint8Array {
  if (weights.length !== version.weightsSize)
    throw new OutpostError(
      'bad_request',
      `These weights are ${weights.length} bytes; version ${version.version} has ${version.weightsSize}. Download its weights again.`,
    );
  const weightsFile = weightsFileOf(version);
  const manifest: BundleManifest = {
    outpostBundle: 1,
    weightsFile,
    weightsSha256: version.weightsHash,
    weightsSize: version.weightsSize,
    ...(project ? { project: { name: project.name, ...(project.description ? { description: project.description } : {}) } } : {}),
    version,
  };
  const t = version.pipeline.target;
  const files: Zippable = {
    [BUNDLE_MANIFEST]: jsonBytes(manifest),
    ...(version.artifacts.format === 'tfjs-layers' ? { 'model.json': jsonBytes(tfjsModelJson(version)) } : {}),
    [weightsFile]: [weights, { level: 0 }],
    'pipeline.json': jsonBytes(version.pipeline),
    ...(t.kind === 'categorical' ? { 'labels.txt': strToU8(`${t.labels.join('\n')}\n`) } : {}),
    'thresholds.json': jsonBytes(thresholds(version)),
    ...(version.evaluation ? { 'evaluation.json': jsonBytes(version.evaluation) } : {}),
    'model-card.html': strToU8(modelCardHtml(version, project)),
  };
  return zipSync(files, { level: 6, mtime: zipTime(version.createdAt) });
}

/** Options of readBundle. */
export interface ReadBundleOptions {
  /** Most uncompressed bytes of all files together (MAX_BUNDLE_BYTES unless told). */
  maxBytes?: number;
}

const refuse = (sentence: string) => new OutpostError('bad_request', sentence);
const shown = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const DAMAGED = 'This file is not a zip, or it is damaged or cut short. Export the model again from Outpost and bring the whole file.';

/** Why an entry name is refused (it could name a place outside the folder it is unpacked in), or null. */
export function unsafeEntryName(name: string): string | null {
  if (!name) return 'has no name';
  if (name.includes('\\')) return 'uses backslashes';
  if (name.startsWith('/')) return 'starts with /';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  if (name.includes('..')) return 'holds ..';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'holds control characters';
  return null;
}

interface Entry {
  name: string;
  originalSize: number;
}

/**
 * The zip's central directory, read without inflating anything (fflate's filter sees each entry's
 * declared name and sizes and answers "skip"): every name, compression method and declared size is
 * checked before a byte is inflated.
 */
function listEntries(bytes: Uint8Array, maxBytes: number): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let total = 0;
  try {
    unzipSync(bytes, {
      filter(f) {
        if (entries.size >= MAX_BUNDLE_ENTRIES)
          throw refuse(`This file holds more than ${MAX_BUNDLE_ENTRIES} files; an Outpost model holds at most nine. It was not opened.`);
        const unsafe = unsafeEntryName(f.name);
        if (unsafe) throw refuse(`This file holds an entry named ${shown(f.name)} that ${unsafe}: it could write outside its folder, so it was not opened.`);
        if (entries.has(f.name)) throw refuse(`This file holds ${shown(f.name)} twice, so it was not opened. Export the model again from Outpost.`);
        if (f.compression !== 0 && f.compression !== 8)
          throw refuse(`${shown(f.name)} is compressed in a way Outpost does not read (method ${f.compression}). Zip it again with ordinary compression.`);
        if (!Number.isSafeInteger(f.originalSize) || f.originalSize < 0) throw refuse(DAMAGED);
        total += f.originalSize;
        if (total > maxBytes)
          throw refuse(`This file unpacks to more than ${mb(maxBytes)} (it says ${mb(total)} or more), more than any Outpost model. It was not opened.`);
        entries.set(f.name, { name: f.name, originalSize: f.originalSize });
        return false;
      },
    });
  } catch (err) {
    if (err instanceof OutpostError) throw err;
    throw refuse(DAMAGED);
  }
  return entries;
}

/**
 * Inflate the `wanted` entries with fflate's streaming Unzip, fed STEP bytes at a time: each
 * entry's bytes are counted as they come and inflating stops as soon as one passes its declared
 * size or all pass `maxBytes`, whatever the headers said. The local headers must name only entries
 * of the central directory, once each, and every wanted entry must come out whole.
 */
function inflateEntries(bytes: Uint8Array, listing: Map<string, Entry>, wanted: Set<string>, maxBytes: number): Map<string, Uint8Array> {
  const done = new Map<string, Uint8Array>();
  const seen = new Set<string>();
  let total = 0;
  let failure: OutpostError | undefined;
  const unzip = new Unzip((file) => {
    const entry = listing.get(file.name);
    if (!entry || seen.has(file.name)) return void (failure ??= refuse(`${DAMAGED} (Its table of contents and its files disagree.)`));
    seen.add(file.name);
    if (!wanted.has(file.name)) return;
    const parts: Uint8Array[] = [];
    let got = 0;
    file.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) return void (failure = refuse(DAMAGED));
      got += chunk.length;
      total += chunk.length;
      if (got > entry.originalSize || total > maxBytes) {
        failure = refuse(`${shown(file.name)} unpacks to more than this file says it holds (a zip bomb?). It was not opened.`);
        return file.terminate();
      }
      parts.push(chunk);
      if (final) {
        if (got !== entry.originalSize) return void (failure = refuse(DAMAGED));
        const whole = new Uint8Array(got);
        let at = 0;
        for (const p of parts) whole.set(p, (at += p.length) - p.length);
        done.set(file.name, whole);
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < bytes.length && !failure; at += STEP) unzip.push(bytes.subarray(at, at + STEP));
    if (!failure) unzip.push(new Uint8Array(0), true);
  } catch {
    failure ??= refuse(DAMAGED);
  }
  if (failure) throw failure;
  for (const name of wanted) if (!done.has(name)) throw refuse(DAMAGED);
  return done;
}

/** Where the bundle's files are: at the top, or in one folder (a person who unpacked it and zipped the folder again). */
function rootOf(listing: Map<string, Entry>): string {
  if (listing.has(BUNDLE_MANIFEST)) return '';
  const nested = [...listing.keys()].filter((n) => n.endsWith(`/${BUNDLE_MANIFEST}`) && n.indexOf('/') === n.length - BUNDLE_MANIFEST.length - 1);
  if (nested.length !== 1)
    throw refuse(`This zip holds no ${BUNDLE_MANIFEST}, so it is not a model exported from Outpost. Export it from the Models tab or the console.`);
  return nested[0].slice(0, -BUNDLE_MANIFEST.length);
}

/**
 * Read a bundle made by writeBundle, checking everything (see the module comment): refuses with an
 * OutpostError('bad_request') and a sentence when it is not a zip, is damaged or cut short, holds
 * an unsafe name, unpacks past `maxBytes`, has no manifest or no weights, its version record
 * fails the ModelVersion schema, or its weights' size or SHA-256 differs from the manifest's and
 * the record's. Reads only the manifest and the weights; the other files are for people and tools.
 */
export async function readBundle(bytes: Uint8Array, opts: ReadBundleOptions = {}): Promise<BundleContents> {
  const maxBytes = opts.maxBytes ?? MAX_BUNDLE_BYTES;
  const listing = listEntries(bytes, maxBytes);
  const root = rootOf(listing);
  const manifestName = root + BUNDLE_MANIFEST;
  if (listing.get(manifestName)!.originalSize > MAX_MANIFEST_BYTES) throw refuse(`${BUNDLE_MANIFEST} is larger than any Outpost manifest. It was not opened.`);
  const wanted = new Set([manifestName, `${root}weights.bin`, `${root}model.onnx`, `${root}trees.json`].filter((n) => listing.has(n)));
  const files = inflateEntries(bytes, listing, wanted, maxBytes);

  let raw: unknown;
  try {
    raw = JSON.parse(strFromU8(files.get(manifestName)!));
  } catch {
    throw refuse(`${BUNDLE_MANIFEST} in this zip is not valid JSON. Export the model again from Outpost.`);
  }
  const manifest = BundleManifest.safeParse(raw);
  if (!manifest.success) {
    const issue = manifest.error.issues[0];
    throw refuse(`${BUNDLE_MANIFEST} is not an Outpost model manifest (${issue.path.join('.') || 'top level'}: ${issue.message}).`);
  }
  const m = manifest.data;
  const parsed = ModelVersion.safeParse(m.version);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refuse(
      `The model version in this file is not valid (${issue.path.join('.') || 'the record'}: ${issue.message}). Export it again from an up-to-date Outpost.`,
    );
  }
  const version = parsed.data;
  if (weightsFileOf(version) !== m.weightsFile)
    throw refuse(`The manifest names ${m.weightsFile}, but a ${version.artifacts.format} model keeps its weights in ${weightsFileOf(version)}.`);
  const weights = files.get(root + m.weightsFile);
  if (!weights) throw refuse(`This zip holds no ${m.weightsFile}: the model's weights are missing. Export the model again from Outpost.`);
  if (weights.length !== m.weightsSize || weights.length !== version.weightsSize)
    throw refuse(`${m.weightsFile} is ${weights.length} bytes, but the model says ${version.weightsSize}: these are not its weights.`);
  const hash = await sha256Hex(weights);
  if (hash !== m.weightsSha256 || hash !== version.weightsHash)
    throw refuse(`${m.weightsFile} does not match the SHA-256 its manifest names: the file was changed or damaged. Export the model again from Outpost.`);
  return { version, weights, ...(m.project ? { project: m.project } : {}) };
}
