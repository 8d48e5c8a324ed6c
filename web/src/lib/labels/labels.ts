import type { DatasetMeta } from '@shared/schema/records.js';
import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import { LABEL_MAX, Label } from '@shared/labels/label.js';
import { itemKeys } from '@shared/labels/items.js';
import { labelView, type LabelView } from '@shared/labels/view.js';
import type { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { changeLabels, loadVersionRows, type StoredRow } from '../db/dataset-versions.js';
import { personOnDevice } from '../sync/person.js';
import { loadCredential } from '../sync/credential.js';
import { SaidError } from '../said-error.js';

/**
 * Labeling on the device (docs/labels.md): each tap is one append-only `labels` record that syncs;
 * the decided labels are recomputed from every record the device holds (shared/src/labels) and
 * become the dataset's labels as one new version per batch, through changeLabels.
 */

export interface Labeller {
  id: string;
  name: string;
}

const NAME_KEY = 'labels:name';
const ID_KEY = 'labels:labeller';

/**
 * Who is labelling here: the person signed in; else the name typed on the Label tab (several
 * people sharing one phone each count as a labeller of their own); else this device (its enrolled
 * id, else an id of its own), shown by the random end of its id.
 */
export async function labeller(db: OutpostDb): Promise<Labeller> {
  const person = await personOnDevice(db);
  if (person) return { id: person.person.id.slice(0, 64), name: person.person.name.slice(0, 200) };
  const cred = await loadCredential(db);
  let base = cred?.deviceId;
  if (!base) {
    const held = (await db.kv.get(ID_KEY))?.value;
    base = typeof held === 'string' ? held : `device-${newId()}`;
    if (typeof held !== 'string') await db.kv.put({ key: ID_KEY, value: base });
  }
  const typed = (await db.kv.get(NAME_KEY))?.value;
  if (typeof typed === 'string' && typed) return { id: `${base.slice(0, 40)}/${typed}`.slice(0, 64), name: typed };
  return { id: base.slice(0, 64), name: `device ${base.replace(/-/g, '').slice(-6)}` };
}

/** The name this phone labels under (empty: the device's), kept on this phone only. */
export async function setLabellerName(db: OutpostDb, name: string): Promise<Labeller> {
  const n = name.trim().slice(0, 60);
  if (n) await db.kv.put({ key: NAME_KEY, value: n });
  else await db.kv.delete(NAME_KEY);
  return labeller(db);
}

/** The columns a person may label: a photo dataset's label column; otherwise the target first, then the others. */
export function labelColumns(d: DatasetMeta): string[] {
  if (d.images) return [d.images.label];
  const names = d.columns.map((c) => c.name);
  return d.target && names.includes(d.target) ? [d.target, ...names.filter((n) => n !== d.target)] : names;
}

/** Every label record of a dataset (all columns, the whole history): a plain Dexie read, fit for live(). */
export async function datasetLabels(db: OutpostDb, datasetId: string): Promise<Label[]> {
  return (await db.labels.where('datasetId').equals(datasetId).toArray()).filter((l) => Label.safeParse(l).success);
}

/** A dataset's current rows with each row's item key (hashing: read outside live queries). */
export interface Items {
  versionId: string | null;
  rows: StoredRow[];
  keys: string[];
}

/**
 * Which version of a dataset is current and whether its rows can be read here, without reading
 * them (fit for live()): `<version id>:here` (stored here), `:synced` (their synced blob is
 * complete) or `:missing`. It changes when the dataset moves to another version or its rows arrive.
 */
export async function rowsReady(db: OutpostDb, datasetId: string): Promise<string> {
  const versionId = (await db.datasets.get(datasetId))?.versionId;
  if (!versionId) return 'none';
  if (await db.datasetRows.where('datasetId').equals(versionId).count()) return `${versionId}:here`;
  const v = await db.dataset_versions.get(versionId);
  const state = v?.rows ? (await db.blobState.get(v.rows.hash))?.state : undefined;
  return `${versionId}:${state === 'complete' ? 'synced' : 'missing'}`;
}

export async function datasetItems(db: OutpostDb, dataset: DatasetMeta, column: string): Promise<Items> {
  if (!dataset.versionId) return { versionId: null, rows: [], keys: [] };
  const rows = await loadVersionRows(db, dataset.versionId);
  const personal = Object.keys(dataset.personal ?? {});
  const keys = await itemKeys(rows, { column, imageColumn: dataset.images?.column, personal });
  return { versionId: dataset.versionId, rows, keys };
}

/** The items of a dataset's current version, read from the database (the dataset may have moved on). */
export async function currentItems(db: OutpostDb, datasetId: string, column: string): Promise<Items | null> {
  const d = await db.datasets.get(datasetId);
  return d && !d.deleted ? datasetItems(db, d, column) : null;
}

/** The labeling view of a dataset column for this person (shared/src/labels/view.ts). */
export function viewOf(dataset: DatasetMeta, items: Items, column: string, labels: Label[], me: string): LabelView {
  return labelView({ rows: items.rows, keys: items.keys, column, labels, me, offered: dataset.images?.labels ?? [] });
}

/** One tap: this person's label for an item (or a reviewer's decision), kept and queued for sync. */
export async function giveLabel(
  db: OutpostDb,
  input: { dataset: DatasetMeta; column: string; item: string; value: string; review?: boolean },
  now = Date.now(),
  who?: Labeller,
): Promise<Label> {
  const me = who ?? (await labeller(db));
  const value = input.value.trim().slice(0, LABEL_MAX);
  const record = Label.parse({
    id: newId(),
    projectId: input.dataset.projectId,
    datasetId: input.dataset.id,
    column: input.column,
    item: input.item,
    value,
    by: me.id,
    name: me.name,
    at: now,
    ...(input.review ? { review: true } : {}),
  });
  return putRecord(db, 'labels', record, now);
}

/**
 * The decided labels into the dataset: one new version (kind `labels`) changing every row whose
 * decided label differs from what it holds, or null when none does. The rows, their keys and the
 * labels are read right before, from the current version, so a change names rows of that version.
 */
export async function saveDecided(db: OutpostDb, datasetId: string, column: string, now = Date.now()): Promise<DatasetVersion | null> {
  const dataset = await db.datasets.get(datasetId);
  if (!dataset || dataset.deleted) throw new SaidError('not_found', { key: 'error.datasetNotHere' });
  const items = await datasetItems(db, dataset, column);
  const view = viewOf(dataset, items, column, await datasetLabels(db, datasetId), '');
  if (!view.changes.length) return null;
  return changeLabels(db, datasetId, column, view.changes, now);
}
