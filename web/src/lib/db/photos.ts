import type { DatasetMeta } from '@shared/schema/records.js';
import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import { inferColumns } from '@shared/data/columns.js';
import { versionHash } from '@shared/data/versions.js';
import { PHOTO_SIDE } from '@shared/images/photos.js';
import type { OutpostDb } from './db.js';
import { newId, patchRecord } from './mutate.js';
import { completeBlobBytes, saveLocalBlob } from './blobs.js';
import { appendRows, changeLabels, createDataset, loadVersionRows, type StoredRow } from './dataset-versions.js';
import { SaidError } from '../said-error.js';

/**
 * Datasets of photos (docs/images.md). Each photo is a content-addressed blob (a PHOTO_SIDE-square
 * RGB PNG named by its SHA-256), kept and uploaded like model weights; the dataset's rows are
 * `{image: <hash>, label: <class or null>}`, and every batch of photos or labels is a new dataset
 * version, through the same version API as every other dataset.
 */

export const IMAGE_COLUMN = 'image';
export const LABEL_COLUMN = 'label';

/** A photo made small on this device, waiting to be saved: its PNG bytes, their SHA-256, and the label chosen. */
export interface NewPhoto {
  hash: string;
  png: Uint8Array;
  label: string | null;
}

export function isPhotoDataset(d: DatasetMeta | undefined): d is DatasetMeta & { images: NonNullable<DatasetMeta['images']> } {
  return !!d?.images;
}

/** Class names as a person typed them: trimmed, without empties or repeats, in their order. */
export function cleanLabels(labels: string[]): string[] {
  return [...new Set(labels.map((l) => l.trim().slice(0, 100)).filter(Boolean))];
}

const rowOf = (p: NewPhoto): StoredRow => ({ [IMAGE_COLUMN]: p.hash, [LABEL_COLUMN]: p.label?.trim() || null });

/**
 * Keep the photos' bytes. A photo can show a patient: it goes to the server only when its project
 * lets rows sync (held until then; setShareRows releases them).
 */
async function keepBytes(db: OutpostDb, projectId: string, photos: NewPhoto[]): Promise<void> {
  const held = !(await db.projects.get(projectId))?.shareRows;
  for (const p of photos) await saveLocalBlob(db, p.hash, p.png.slice().buffer, { held });
}

/** Every photo of a project's photo datasets, in any version kept here. */
export async function projectPhotoHashes(db: OutpostDb, projectId: string): Promise<string[]> {
  const out = new Set<string>();
  for (const d of await db.datasets.where('projectId').equals(projectId).toArray()) {
    if (!isPhotoDataset(d)) continue;
    const ids = [d.id, ...(await db.dataset_versions.where('datasetId').equals(d.id).primaryKeys())];
    for (const c of await db.datasetRows.where('datasetId').anyOf(ids).toArray())
      for (const r of c.rows) if (typeof r[d.images.column] === 'string') out.add(r[d.images.column] as string);
  }
  return [...out];
}

/** A new photo dataset with its first photos (version 1), its classes and its target the label. */
export async function createPhotoDataset(
  db: OutpostDb,
  input: { projectId: string; name: string; labels: string[]; photos: NewPhoto[]; side?: number },
  now = Date.now(),
): Promise<DatasetMeta> {
  if (!input.photos.length) throw new SaidError('bad_request', { key: 'error.noPhoto' });
  await keepBytes(db, input.projectId, input.photos);
  const rows = input.photos.map(rowOf);
  const names = [IMAGE_COLUMN, LABEL_COLUMN];
  const columns = inferColumns(rows, names);
  const labels = cleanLabels([...input.labels, ...input.photos.flatMap((p) => (p.label ? [p.label] : []))]);
  const meta: DatasetMeta = {
    id: newId(),
    projectId: input.projectId,
    name: input.name.trim().slice(0, 200) || 'Photos',
    fileName: 'camera',
    hash: await versionHash(rows, names),
    rowCount: rows.length,
    columns,
    target: LABEL_COLUMN,
    createdAt: now,
    images: { column: IMAGE_COLUMN, label: LABEL_COLUMN, side: input.side ?? PHOTO_SIDE, labels },
  };
  await createDataset(db, meta, rows, columns, now);
  return (await db.datasets.get(meta.id))!;
}

/** More photos for a photo dataset: a new version with them at the end; new classes are added to its list. */
export async function addPhotos(db: OutpostDb, datasetId: string, photos: NewPhoto[], now = Date.now()): Promise<DatasetVersion> {
  const d = await db.datasets.get(datasetId);
  if (!isPhotoDataset(d)) throw new SaidError('bad_request', { key: 'error.notPhotos' });
  await keepBytes(db, d.projectId, photos);
  const version = await appendRows(db, datasetId, photos.map(rowOf), now);
  const labels = cleanLabels([...d.images.labels, ...photos.flatMap((p) => (p.label ? [p.label] : []))]);
  if (labels.length !== d.images.labels.length) await setPhotoLabels(db, datasetId, labels, now);
  return version;
}

/** The classes a person can pick for this dataset's photos. */
export async function setPhotoLabels(db: OutpostDb, datasetId: string, labels: string[], now = Date.now()): Promise<void> {
  const d = await db.datasets.get(datasetId);
  if (!isPhotoDataset(d)) throw new SaidError('bad_request', { key: 'error.notPhotos' });
  await patchRecord(db, 'datasets', datasetId, { images: { ...d.images, labels: cleanLabels(labels) } }, now);
}

/** One photo's label given or changed (null: not labelled): a new version (kind `labels`). */
export async function labelPhoto(db: OutpostDb, datasetId: string, index: number, label: string | null, now = Date.now()): Promise<DatasetVersion> {
  return changeLabels(db, datasetId, LABEL_COLUMN, [{ index, value: label?.trim() || null }], now);
}

/** The photos of a dataset's current version, in order: each one's hash and label. */
export async function photoRows(db: OutpostDb, datasetId: string): Promise<{ hash: string; label: string | null }[]> {
  const d = await db.datasets.get(datasetId);
  if (!isPhotoDataset(d) || !d.versionId) return [];
  const rows = await loadVersionRows(db, d.versionId);
  return rows.map((r) => ({
    hash: String(r[d.images.column] ?? ''),
    label: r[d.images.label] === null || r[d.images.label] === undefined ? null : String(r[d.images.label]),
  }));
}

/** A photo's PNG bytes when they are on this device (taken here, or downloaded), else undefined. */
export async function photoBytes(db: OutpostDb, hash: string): Promise<ArrayBuffer | undefined> {
  return completeBlobBytes(db, hash);
}

/**
 * The photos this device should download: those of the current version of each photo dataset in a
 * project that lets rows sync, whose rows are readable here and whose bytes are not. Photos are
 * fetched after the models and rows, so a cut sync still leaves the phone able to predict.
 */
export async function wantedPhotoBlobs(db: OutpostDb): Promise<string[]> {
  const sharing = new Set((await db.projects.toArray()).filter((p) => p.shareRows && !p.deleted).map((p) => p.id));
  const out = new Set<string>();
  for (const d of await db.datasets.toArray()) {
    if (!sharing.has(d.projectId) || d.deleted || !isPhotoDataset(d) || !d.versionId) continue;
    for (const r of await loadVersionRows(db, d.versionId)) {
      const hash = r[d.images.column];
      if (typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash)) out.add(hash);
    }
  }
  const states = await db.blobState.bulkGet([...out]);
  return [...out].filter((_, i) => states[i]?.state !== 'complete');
}
