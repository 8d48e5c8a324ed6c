import type { ColumnInfo, DatasetMeta } from '@shared/schema/records.js';
import type { DatasetVersion, SharedRows, VersionChangeKind } from '@shared/schema/dataset-version.js';
import { inferColumns, isMissing, type Row } from '@shared/data/columns.js';
import { describeChange, diffRows, versionHash, type RowsDiff } from '@shared/data/versions.js';
import { checkRules } from '@shared/data/rules.js';
import { publicColumns, readShareableRows, saltId, shareableRows, type PersonalChoice } from '@shared/data/privacy.js';
import { sha256Hex } from '@shared/data/hash.js';
import type { OutpostDb } from './db.js';
import { newId, patchRecord, putRecord } from './mutate.js';
import { completeBlobBytes, saveLocalBlob } from './blobs.js';
import { unsentRows } from './sync-state.js';
import { personOnDevice } from '../sync/person.js';
import { loadCredential } from '../sync/credential.js';
import { SaidError } from '../said-error.js';

/**
 * Dataset versions on the device (docs/datasets.md). Every change to a dataset's rows makes a new
 * version: its rows are stored under its id, its record (hash, parent, what changed, data-test
 * report, and the shareable rows when the project lets rows sync) is queued for sync, and the
 * dataset moves to it, all in one transaction. Hashing happens before the transaction: an
 * IndexedDB transaction cannot wait for Web Crypto.
 */

export const CHUNK_ROWS = 5000;

/** Who is making a version here: the person signed in, or this device. */
export async function whoIsHere(db: OutpostDb): Promise<string> {
  const person = await personOnDevice(db);
  if (person) return person.person.name;
  const cred = await loadCredential(db);
  return cred ? `device ${cred.deviceId.slice(0, 8)}` : 'this device';
}

interface Prepared {
  version: DatasetVersion;
  rows: Row[];
  coded: string[];
  blob?: { hash: string; bytes: Uint8Array };
  columns: ColumnInfo[];
}

export interface VersionInput {
  dataset: DatasetMeta;
  parent?: DatasetVersion;
  parentRows?: Row[];
  /** The parent's columns as its rows here hold them (fewer than its record's when they came from shared rows). */
  parentNames?: string[];
  rows: Row[];
  /** The columns' summaries when the caller has them (an import); inferred from the rows otherwise. */
  columns?: ColumnInfo[];
  names: string[];
  kind: VersionChangeKind;
  rowsChanged?: number;
  what?: string;
  by: string;
  /** Columns whose values are codes already (the rows came from another device's shared rows). */
  coded?: string[];
}

/** The project's salt for hashed columns, made here (random, 128 bits) the first time one is needed. */
export async function ensureSalt(db: OutpostDb, projectId: string, now = Date.now()): Promise<string> {
  const p = await db.projects.get(projectId);
  if (!p) throw new SaidError('not_found', { key: 'project.notHere' });
  if (p.rowSalt) return p.rowSalt;
  const salt = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  await patchRecord(db, 'projects', projectId, { rowSalt: salt }, now);
  return salt;
}

/** The shareable form of some rows for a project that lets rows sync; undefined when it does not. */
export async function shareable(db: OutpostDb, dataset: DatasetMeta, rows: Row[], names: string[], now: number, coded: string[] = []) {
  const project = await db.projects.get(dataset.projectId);
  if (!project?.shareRows) return undefined;
  const personal = dataset.personal ?? {};
  const needsSalt = names.some((n) => personal[n] === 'hash' && !coded.includes(n));
  const salt = needsSalt ? (project.rowSalt ?? (await ensureSalt(db, project.id, now))) : undefined;
  const s = await shareableRows(rows, names, personal, salt, coded);
  const hash = await sha256Hex(s.bytes);
  const meta: SharedRows = {
    format: 'outpost-rows-1',
    hash,
    size: s.bytes.length,
    removed: s.removed,
    hashed: s.hashed,
    ...(salt ? { salt: await saltId(salt) } : {}),
  };
  return { meta, bytes: s.bytes };
}

async function prepare(db: OutpostDb, v: VersionInput, now: number): Promise<Prepared> {
  const columns = v.columns ?? inferColumns(v.rows, v.names);
  const diff: RowsDiff =
    v.parent && v.parentRows
      ? diffRows(v.parentRows, v.parentNames ?? v.parent.columns.map((c) => c.name), v.rows, v.names)
      : { rowsAdded: v.rows.length, rowsRemoved: 0, columnsAdded: v.names, columnsRemoved: [] };
  if (v.rowsChanged) {
    // A row changed in place shows in the multiset diff as one removed and one added.
    diff.rowsAdded = Math.max(0, diff.rowsAdded - v.rowsChanged);
    diff.rowsRemoved = Math.max(0, diff.rowsRemoved - v.rowsChanged);
  }
  const coded = (v.coded ?? []).filter((c) => v.names.includes(c));
  const share = await shareable(db, v.dataset, v.rows, v.names, now, coded);
  const rules = v.dataset.rules ?? [];
  const version: DatasetVersion = {
    id: v.parent ? newId() : v.dataset.id,
    projectId: v.dataset.projectId,
    datasetId: v.dataset.id,
    number: v.parent ? v.parent.number + 1 : 1,
    parentId: v.parent?.id ?? null,
    hash: await versionHash(v.rows, v.names),
    rowCount: v.rows.length,
    columns: publicColumns(columns, v.dataset.personal),
    change: describeChange(v.kind, { ...diff, rowsChanged: v.rowsChanged }, v.rows.length, v.names.length, v.what),
    createdAt: now,
    createdBy: v.by.slice(0, 200),
    ...(rules.length ? { checks: checkRules(v.rows, v.names, rules, now) } : {}),
    ...(share ? { rows: share.meta } : {}),
  };
  return { version, rows: v.rows, coded, columns, blob: share ? { hash: share.meta.hash, bytes: share.bytes } : undefined };
}

/** Write a prepared version in the caller's transaction (or its own): rows, blob, record, and the dataset moved to it. */
async function write(
  db: OutpostDb,
  p: Prepared,
  dataset: DatasetMeta,
  storeRows: boolean,
  now: number,
  datasetIsNew = false,
  replaces?: DatasetVersion,
): Promise<void> {
  await db.transaction('rw', [db.datasets, db.dataset_versions, db.datasetRows, db.outbox, db.kv, db.blobState, db.blobBytes, db.runs], async () => {
    if (replaces) await dropOpenBatch(db, replaces, dataset);
    if (storeRows) {
      for (let c = 0; c * CHUNK_ROWS < p.rows.length; c++) {
        const rows = p.rows.slice(c * CHUNK_ROWS, (c + 1) * CHUNK_ROWS) as DatasetRowsRow;
        await db.datasetRows.put({ datasetId: p.version.id, chunk: c, rows, ...(p.coded.length ? { coded: p.coded } : {}) });
      }
    }
    if (p.blob) await saveLocalBlob(db, p.blob.hash, p.blob.bytes.slice().buffer);
    const head = { versionId: p.version.id, rowCount: p.version.rowCount, columns: p.version.columns };
    if (datasetIsNew) await putRecord(db, 'datasets', { ...dataset, ...head }, now);
    await putRecord(db, 'dataset_versions', p.version, now);
    if (!datasetIsNew) await patchRecord(db, 'datasets', dataset.id, head, now);
  });
}
type DatasetRowsRow = Record<string, string | number | null>[];

/** A new dataset and its first version (the import), in one transaction: nothing half-written on failure. */
export async function createDataset(db: OutpostDb, dataset: DatasetMeta, rows: Row[], columns: ColumnInfo[], now = Date.now()): Promise<DatasetVersion> {
  const names = columns.map((c) => c.name);
  const p = await prepare(db, { dataset, rows, columns, names, kind: 'import', by: await whoIsHere(db) }, now);
  await write(db, p, { ...dataset, columns: publicColumns(columns, dataset.personal) }, true, now, true);
  return p.version;
}

/**
 * Every dataset whose rows are here and that has no version yet becomes its first version (the
 * rows stored before versions already sit under the dataset's id, which that version takes).
 * Run at start; doing it twice makes nothing new.
 */
export async function ensureFirstVersions(db: OutpostDb, now = Date.now()): Promise<number> {
  let made = 0;
  for (const d of await db.datasets.toArray()) {
    if (d.deleted || d.versionId || (await db.dataset_versions.get(d.id))) continue;
    const rows = await storedRows(db, d.id);
    if (!rows.length) continue;
    const p = await prepare(
      db,
      { dataset: d, rows, columns: d.columns, names: d.columns.map((c) => c.name), kind: 'import', by: await whoIsHere(db) },
      d.createdAt,
    );
    await write(db, p, d, false, now);
    made++;
  }
  return made;
}

/** Rows as stored on the device: every cell a string, a number or null. */
export type StoredRow = Record<string, string | number | null>;

export async function storedRows(db: OutpostDb, versionId: string): Promise<StoredRow[]> {
  const chunks = await db.datasetRows.where('datasetId').equals(versionId).sortBy('chunk');
  return chunks.flatMap((c) => c.rows);
}

/**
 * A version's rows: those stored here (made or imported on this device), or else its synced
 * shareable rows (personal columns left out or hashed) once their blob is complete. Empty when
 * neither is here yet.
 */
export async function loadVersionRows(db: OutpostDb, versionId: string): Promise<StoredRow[]> {
  const here = await storedRows(db, versionId);
  if (here.length) return here;
  const v = await db.dataset_versions.get(versionId);
  if (!v?.rows) return [];
  const bytes = await completeBlobBytes(db, v.rows.hash);
  return bytes ? (readShareableRows(new Uint8Array(bytes)).rows as StoredRow[]) : [];
}

/** Whether a version's rows can be read on this device (stored here, or their synced blob complete). */
export async function versionRowsHere(db: OutpostDb, v: DatasetVersion): Promise<'here' | 'synced' | 'missing'> {
  if (await db.datasetRows.where('datasetId').equals(v.id).count()) return 'here';
  return v.rows && (await completeBlobBytes(db, v.rows.hash)) ? 'synced' : 'missing';
}

/**
 * Which columns of a version's rows on this device hold codes rather than values, and which
 * columns the rows have: all the version's for rows made here; for rows that came from another
 * device's shared rows, those the blob kept, its hashed columns being codes.
 */
export async function rowsCoding(db: OutpostDb, v: DatasetVersion): Promise<{ coded: string[]; names: string[] }> {
  const first = await db.datasetRows.get([v.id, 0]);
  const all = v.columns.map((c) => c.name);
  if (first) return { coded: first.coded ?? [], names: all };
  if (!v.rows) return { coded: [], names: all };
  return { coded: v.rows.hashed, names: all.filter((n) => !v.rows!.removed.includes(n)) };
}

/** The dataset's current version and its rows, or a sentence saying why there are none. */
async function head(
  db: OutpostDb,
  datasetId: string,
): Promise<{ dataset: DatasetMeta; version: DatasetVersion; rows: Row[]; coded: string[]; names: string[] }> {
  await ensureFirstVersions(db);
  const dataset = await db.datasets.get(datasetId);
  if (!dataset || dataset.deleted) throw new SaidError('not_found', { key: 'error.datasetNotHere' });
  const version = dataset.versionId ? await db.dataset_versions.get(dataset.versionId) : undefined;
  if (!version) throw new SaidError('not_found', { key: 'error.datasetVersionNotHere' });
  const rows = await loadVersionRows(db, version.id);
  if (!rows.length && version.rowCount > 0) throw new SaidError('not_found', { key: 'error.rowsNotHere' });
  return { dataset, version, rows, ...(await rowsCoding(db, version)) };
}

type Make = (rows: Row[], names: string[]) => { rows: Row[]; names: string[]; kind: VersionChangeKind; rowsChanged?: number; what?: string };

async function next(db: OutpostDb, datasetId: string, make: Make, now: number, join = false) {
  const h = await head(db, datasetId);
  if (join) {
    const joined = await joinOpenBatch(db, h, make, now);
    if (joined) return joined;
  }
  const out = make(h.rows, h.names);
  const p = await prepare(
    db,
    { dataset: h.dataset, parent: h.version, parentRows: h.rows, parentNames: h.names, by: await whoIsHere(db), coded: h.coded, ...out },
    now,
  );
  await write(db, p, h.dataset, true, now);
  return p.version;
}

/** The batch stopped being open between the first look and the write (a sync took it, a run used it). */
class BatchClosed extends Error {}

/**
 * Whether an `entries` version is still this sitting's batch: made here and not sent (every
 * outbox row of its record queued after the push in flight), no run trained on it and no version
 * grew from it. Inside the write's transaction this is the guard; outside, a first look.
 */
async function batchOpen(db: OutpostDb, v: DatasetVersion): Promise<boolean> {
  if (v.change.kind !== 'entries' || !v.parentId || v.mergedFrom?.length || v.deleted) return false;
  if (!(await unsentRows(db, 'dataset_versions', v.id))) return false;
  if (
    await db.runs
      .where('datasetId')
      .equals(v.datasetId)
      .filter((r) => r.datasetVersionId === v.id)
      .count()
  )
    return false;
  const siblings = await db.dataset_versions.where('datasetId').equals(v.datasetId).toArray();
  return !siblings.some((x) => x.parentId === v.id || x.mergedFrom?.includes(v.id));
}

/**
 * Form entries saved between two syncs make one version, not one each: an entry joins the
 * current version when it is this sitting's open batch (batchOpen), by writing a version with
 * the batch's parent, all its rows and the new ones, in place of it. Without this, 300 entries
 * saved offline kept 300 versions, each a full copy one row longer (quadratic storage). Null when
 * there is no open batch, and the caller starts one.
 */
async function joinOpenBatch(db: OutpostDb, h: Awaited<ReturnType<typeof head>>, make: Make, now: number): Promise<DatasetVersion | null> {
  const batch = h.version;
  if (!(await db.transaction('r', [db.outbox, db.kv, db.runs, db.dataset_versions], () => batchOpen(db, batch)))) return null;
  const parent = await db.dataset_versions.get(batch.parentId!);
  if (!parent) return null;
  const parentRows = await loadVersionRows(db, parent.id);
  if (!parentRows.length && parent.rowCount > 0) return null;
  const { names: parentNames } = await rowsCoding(db, parent);
  const out = make(h.rows, h.names);
  const p = await prepare(db, { dataset: h.dataset, parent, parentRows, parentNames, by: await whoIsHere(db), coded: h.coded, ...out }, now);
  try {
    await write(db, p, h.dataset, true, now, false, batch);
  } catch (e) {
    if (e instanceof BatchClosed) return null;
    throw e;
  }
  return p.version;
}

/** Take out a batch being replaced, in the write's transaction: its rows, record, queued changes and rows file. */
async function dropOpenBatch(db: OutpostDb, v: DatasetVersion, dataset: DatasetMeta): Promise<void> {
  const current = await db.datasets.get(dataset.id);
  if (current?.versionId !== v.id || !(await batchOpen(db, v))) throw new BatchClosed();
  await db.datasetRows.where('datasetId').equals(v.id).delete();
  await db.dataset_versions.delete(v.id);
  await db.outbox.bulkDelete((await unsentRows(db, 'dataset_versions', v.id))!.map((r) => r.seq!));
  // The dataset's moves to the batch go too; the move to its replacement follows.
  const headFields = new Set(['versionId', 'rowCount', 'columns']);
  const moves = (await unsentRows(db, 'datasets', dataset.id)) ?? [];
  const stale = moves.filter((r) => r.fields.versionId === v.id && Object.keys(r.fields).every((k) => headFields.has(k)));
  await db.outbox.bulkDelete(stale.map((r) => r.seq!));
  if (v.rows && !(await db.dataset_versions.filter((x) => x.rows?.hash === v.rows!.hash).count())) {
    await db.blobState.delete(v.rows.hash);
    await db.blobBytes.delete(v.rows.hash);
  }
}

/** Cleaning: a new version without the rows that miss a value in any of `columns` (every column when none are given). */
export async function dropRowsWithMissing(db: OutpostDb, datasetId: string, columns?: string[], now = Date.now()): Promise<DatasetVersion> {
  return next(
    db,
    datasetId,
    (rows, names) => {
      const cols = columns?.length ? columns : names;
      return { rows: rows.filter((r) => cols.every((c) => !isMissing(r[c]))), names, kind: 'clean', what: 'with missing values' };
    },
    now,
  );
}

/** Cleaning: a new version without one column. */
export async function dropColumn(db: OutpostDb, datasetId: string, column: string, now = Date.now()): Promise<DatasetVersion> {
  return next(
    db,
    datasetId,
    (rows, names) => {
      if (!names.includes(column)) throw new SaidError('bad_request', { key: 'error.noColumn', values: { column } });
      if (names.length < 2) throw new SaidError('bad_request', { key: 'error.oneColumn' });
      return { rows: rows.map(({ [column]: _, ...rest }) => rest), names: names.filter((n) => n !== column), kind: 'clean' };
    },
    now,
  );
}

/**
 * New rows at the end (form entries): a new version with them, new columns added. `kind`
 * `entries` unless the caller says otherwise. Nothing is written when there are no rows. With
 * `joinBatch`, entries join this sitting's open batch when there is one (joinOpenBatch).
 */
export async function appendRows(
  db: OutpostDb,
  datasetId: string,
  added: Row[],
  now = Date.now(),
  kind: VersionChangeKind = 'entries',
  opts: { joinBatch?: boolean } = {},
): Promise<DatasetVersion> {
  if (!added.length) throw new SaidError('bad_request', { key: 'error.noNewRows' });
  return next(
    db,
    datasetId,
    (rows, names) => {
      const extra = [...new Set(added.flatMap((r) => Object.keys(r)))].filter((n) => !names.includes(n));
      return { rows: [...rows, ...added], names: [...names, ...extra], kind };
    },
    now,
    opts.joinBatch && kind === 'entries',
  );
}

/**
 * Labels given or changed (the labeling work): `changes` are row positions in the current version
 * and the new value of `column` (created when absent). Rows whose label is already that value do
 * not count as changed.
 */
export async function changeLabels(
  db: OutpostDb,
  datasetId: string,
  column: string,
  changes: { index: number; value: string | null }[],
  now = Date.now(),
): Promise<DatasetVersion> {
  return next(
    db,
    datasetId,
    (rows, names) => {
      const out = rows.slice();
      let changed = 0;
      for (const { index, value } of changes) {
        if (!Number.isInteger(index) || index < 0 || index >= rows.length)
          throw new SaidError('conflict', { key: 'error.rowGone', values: { row: index + 1 } });
        if ((out[index][column] ?? null) === value) continue;
        out[index] = { ...out[index], [column]: value };
        changed++;
      }
      return { rows: out, names: names.includes(column) ? names : [...names, column], kind: 'labels', rowsChanged: changed };
    },
    now,
  );
}

/** A dataset's versions, newest first. */
export async function datasetVersions(db: OutpostDb, datasetId: string): Promise<DatasetVersion[]> {
  return (await db.dataset_versions.where('[datasetId+createdAt]').between([datasetId, -Infinity], [datasetId, Infinity]).reverse().toArray()).filter(
    (v) => !v.deleted,
  );
}

/** Mark columns personal (or not): the synced summaries drop their values; later shared rows follow the choice. */
export async function setPersonal(db: OutpostDb, datasetId: string, column: string, choice: PersonalChoice | null, now = Date.now()): Promise<void> {
  const d = await db.datasets.get(datasetId);
  if (!d) throw new SaidError('not_found', { key: 'error.datasetNotHere' });
  const personal = { ...(d.personal ?? {}) };
  if (choice) personal[column] = choice;
  else delete personal[column];
  await patchRecord(db, 'datasets', datasetId, { personal, columns: publicColumns(d.columns, personal) }, now);
  // The current version's synced summary and shared rows follow the choice from now on.
  if (d.versionId) {
    const v = await db.dataset_versions.get(d.versionId);
    if (v) await patchRecord(db, 'dataset_versions', v.id, { columns: publicColumns(v.columns, personal) }, now);
  }
}

/** A dataset's current version, read only (screens read it through live(), where nothing may be written). */
export async function currentVersion(db: OutpostDb, datasetId: string): Promise<DatasetVersion | undefined> {
  const d = await db.datasets.get(datasetId);
  return d?.versionId ? db.dataset_versions.get(d.versionId) : undefined;
}

/** The version training uses: the dataset's current one (datasets from before versions get theirs first). */
export async function trainingVersion(db: OutpostDb, datasetId: string): Promise<DatasetVersion | undefined> {
  await ensureFirstVersions(db);
  return currentVersion(db, datasetId);
}

/** The sentences of a version's failing data tests (none when it passes or has no tests). */
export function failedChecks(v: DatasetVersion | undefined): string[] {
  return v?.checks && !v.checks.passed ? v.checks.results.filter((r) => !r.passed).map((r) => r.sentence) : [];
}

/**
 * The shared-rows blobs this device should download: for each project that lets rows sync, the
 * current version of each dataset and every version a run trained on, when their rows are not
 * here already. Older versions nobody trained on stay on the server until asked for.
 */
export async function wantedRowBlobs(db: OutpostDb): Promise<Map<string, number>> {
  const wanted = new Map<string, number>();
  const sharing = new Set((await db.projects.toArray()).filter((p) => p.shareRows && !p.deleted).map((p) => p.id));
  if (!sharing.size) return wanted;
  const ids = new Set<string>();
  for (const d of await db.datasets.toArray()) if (sharing.has(d.projectId) && !d.deleted && d.versionId) ids.add(d.versionId);
  for (const r of await db.runs.toArray()) if (sharing.has(r.projectId) && r.datasetVersionId) ids.add(r.datasetVersionId);
  for (const v of await db.dataset_versions.bulkGet([...ids])) {
    if (!v?.rows || v.deleted) continue;
    if (await db.datasetRows.where('datasetId').equals(v.id).count()) continue;
    wanted.set(v.rows.hash, v.rows.size);
  }
  return wanted;
}
