import { z } from 'zod';
import type { DatasetMeta, Project } from '@shared/schema/records.js';
import type { DatasetVersion, SharedRows } from '@shared/schema/dataset-version.js';
import { inferColumns, isMissing, type Row } from '@shared/data/columns.js';
import { canonicalCell, canonicalColumns, describeChange, diffRows, versionHash } from '@shared/data/versions.js';
import { publicColumns, readShareableRows, saltedHash, saltId, type SharedRowsFile } from '@shared/data/privacy.js';
import { checkRules } from '@shared/data/rules.js';
import { sha256Hex } from '@shared/data/hash.js';
import { BLOB_CHUNK_BYTES } from '@shared/sync/protocol.js';
import { mergeId, mergeRows, versionHeads } from '@shared/forms/merge.js';
import type { OutpostDb } from '../db/db.js';
import { patchRecord, putRecord } from '../db/mutate.js';
import { blobState, completeBlobBytes, discardBlob, partialBlobBytes, saveDownloadedBlob, saveLocalBlob } from '../db/blobs.js';
import { CHUNK_ROWS, ensureSalt, storedRows } from '../db/dataset-versions.js';
import type { Transport } from '../sync/transport.js';

/**
 * Entries made offline on several phones, joined (docs/forms.md). After a sync, each dataset of a
 * project that lets rows sync whose versions have more than one head (versions nobody built on),
 * all of them entries or merges, gets one merge version computed from the heads alone
 * (shared/src/forms/merge.ts): its id from the heads' ids, its rows the union of their entries in
 * their shared form, its time the newest head's. Every phone that has the same heads makes the
 * very same record, so the server keeps one, and a phone that receives it first simply moves to it.
 */

export interface MergeSummary {
  /** Merge versions made here. */
  merged: number;
  /** Datasets moved to a merge another phone made. */
  recognised: number;
  /** Datasets with heads whose rows are not on this phone yet (they come with a later sync). */
  waiting: number;
}

const MERGEABLE = new Set(['entries', 'merge']);
/** Who a merge is by: nobody in particular (every phone makes the same one). */
export const MERGED_BY = 'Outpost';

/**
 * Rows in their shared form, the form every phone can read: columns marked `never` left out,
 * columns marked `hash` as their salted code (unless they are codes already), cells canonical.
 * A phone merging its own rows with another's therefore hashes its own the way the other's came.
 */
async function sharedForm(rows: Row[], names: string[], personal: Record<string, 'never' | 'hash'>, salt: string | undefined, coded: string[]): Promise<Row[]> {
  const kept = names.filter((n) => personal[n] !== 'never');
  const toHash = kept.filter((n) => personal[n] === 'hash' && !coded.includes(n));
  if (toHash.length && !salt) throw new Error('A column is to be sent as a hash but the project has no salt yet.');
  const codes = new Map<string, string>();
  for (const c of toHash) for (const r of rows) if (!isMissing(canonicalCell(r[c]))) codes.set(String(canonicalCell(r[c])).trim(), '');
  for (const v of codes.keys()) codes.set(v, await saltedHash(salt!, v));
  return rows.map((r) => {
    const out: Row = {};
    for (const c of kept) {
      const v = canonicalCell(r[c]);
      out[c] = toHash.includes(c) && v !== null && !isMissing(v) ? codes.get(String(v).trim())! : v;
    }
    return out;
  });
}

/** A head's rows in shared form, or null when they are not on this phone (neither made here nor downloaded). */
async function headRows(db: OutpostDb, d: DatasetMeta, p: Project, v: DatasetVersion): Promise<{ id: string; rows: Row[]; columns: string[] } | null> {
  const personal = d.personal ?? {};
  const names = v.columns.map((c) => c.name);
  const local = await storedRows(db, v.id);
  if (local.length || v.rowCount === 0) {
    const first = (await db.datasetRows.get([v.id, 0])) as { coded?: string[] } | undefined;
    const needsSalt = names.some((n) => personal[n] === 'hash');
    const salt = needsSalt ? (p.rowSalt ?? (await ensureSalt(db, p.id))) : undefined;
    return { id: v.id, rows: await sharedForm(local, names, personal, salt, first?.coded ?? []), columns: names.filter((n) => personal[n] !== 'never') };
  }
  const bytes = v.rows ? await completeBlobBytes(db, v.rows.hash) : undefined;
  if (!bytes) return null;
  const got = readShareableRows(new Uint8Array(bytes));
  // The blob's hashed columns are codes already; sharedForm leaves them as they are.
  const rows = await sharedForm(got.rows, got.columns, personal, p.rowSalt, v.rows?.hashed ?? got.columns);
  return { id: v.id, rows, columns: names.filter((n) => got.columns.includes(n)) };
}

/** The heads of each dataset of a sharing project, when there is more than one of them. */
async function forkedDatasets(db: OutpostDb): Promise<{ dataset: DatasetMeta; project: Project; versions: DatasetVersion[]; heads: DatasetVersion[] }[]> {
  const out = [];
  for (const d of await db.datasets.toArray()) {
    if (d.deleted) continue;
    const project = await db.projects.get(d.projectId);
    if (!project?.shareRows || project.deleted) continue;
    const versions = await db.dataset_versions.where('datasetId').equals(d.id).toArray();
    const ids = versionHeads(versions);
    const heads = ids.map((id) => versions.find((v) => v.id === id)!);
    out.push({ dataset: d, project, versions, heads });
  }
  return out;
}

/** A merge's change says it joined versions, then what changed from its parent: "Joined 2 versions made on different phones; added 3 rows." */
function mergeChange(n: number, c: DatasetVersion['change']): DatasetVersion['change'] {
  const rest = c.sentence[0].toLowerCase() + c.sentence.slice(1);
  return { ...c, sentence: `Joined ${n} versions made on different phones; ${rest}`.slice(0, 500) };
}

/** The shared-rows blob of some rows already in shared form, and what it says about them. */
async function blobOf(rows: Row[], names: string[], d: DatasetMeta, p: Project): Promise<{ meta: SharedRows; bytes: Uint8Array }> {
  const cols = canonicalColumns(names);
  const file: SharedRowsFile = { format: 'outpost-rows-1', columns: cols, rows: rows.map((r) => cols.map((c) => canonicalCell(r[c]))) };
  const bytes = new TextEncoder().encode(JSON.stringify(file));
  const personal = d.personal ?? {};
  const all = d.columns.map((c) => c.name);
  const hashed = cols.filter((c) => personal[c] === 'hash');
  return {
    bytes,
    meta: {
      format: 'outpost-rows-1',
      hash: await sha256Hex(bytes),
      size: bytes.length,
      removed: canonicalColumns(all.filter((c) => personal[c] === 'never')),
      hashed,
      ...(hashed.length && p.rowSalt ? { salt: await saltId(p.rowSalt) } : {}),
    },
  };
}

/**
 * Make (or recognise) the merge of every dataset whose versions forked: see the module comment.
 * Safe to run any number of times: a merge already here is not made again, and a dataset with one
 * head is left as it is (moved to it only when that head is a merge of the version it is at).
 */
export async function mergeArrivedEntries(db: OutpostDb, now = Date.now()): Promise<MergeSummary> {
  const summary: MergeSummary = { merged: 0, recognised: 0, waiting: 0 };
  for (const { dataset: d, project: p, heads } of await forkedDatasets(db)) {
    if (heads.length === 1) {
      const h = heads[0];
      const parents = [h.parentId, ...(h.mergedFrom ?? [])];
      if (h.change.kind === 'merge' && d.versionId !== h.id && d.versionId && parents.includes(d.versionId)) {
        await patchRecord(db, 'datasets', d.id, { versionId: h.id, rowCount: h.rowCount, columns: h.columns }, now);
        summary.recognised++;
      }
      continue;
    }
    if (heads.length < 2 || !heads.every((h) => MERGEABLE.has(h.change.kind))) continue;
    const id = await mergeId(heads.map((h) => h.id));
    if (await db.dataset_versions.get(id)) continue;
    const inputs = await Promise.all(heads.map((h) => headRows(db, d, p, h)));
    if (inputs.some((x) => !x)) {
      summary.waiting++;
      continue;
    }
    const plan = mergeRows(inputs as { id: string; rows: Row[]; columns: string[] }[]);
    const parent = inputs.find((x) => x!.id === plan.parentId)!;
    const createdAt = Math.max(...heads.map((h) => h.createdAt));
    const personal = d.personal ?? {};
    const columns = publicColumns(inferColumns(plan.rows, plan.columns), personal);
    const rules = d.rules ?? [];
    const blob = await blobOf(plan.rows, plan.columns, d, p);
    const version: DatasetVersion = {
      id,
      projectId: d.projectId,
      datasetId: d.id,
      number: Math.max(...heads.map((h) => h.number)) + 1,
      parentId: plan.parentId,
      mergedFrom: plan.mergedFrom,
      hash: await versionHash(plan.rows, plan.columns),
      rowCount: plan.rows.length,
      columns,
      change: mergeChange(
        heads.length,
        describeChange('merge', diffRows(parent.rows, parent.columns, plan.rows, plan.columns), plan.rows.length, plan.columns.length),
      ),
      createdAt,
      createdBy: MERGED_BY,
      ...(rules.length ? { checks: checkRules(plan.rows, plan.columns, rules, createdAt) } : {}),
      rows: blob.meta,
    };
    const coded = blob.meta.hashed;
    await db.transaction('rw', [db.datasets, db.dataset_versions, db.datasetRows, db.outbox, db.kv, db.blobState, db.blobBytes], async () => {
      for (let c = 0; c * CHUNK_ROWS < plan.rows.length; c++) {
        const chunk = { datasetId: id, chunk: c, rows: plan.rows.slice(c * CHUNK_ROWS, (c + 1) * CHUNK_ROWS), ...(coded.length ? { coded } : {}) };
        await db.datasetRows.put(chunk as Parameters<typeof db.datasetRows.put>[0]);
      }
      await saveLocalBlob(db, blob.meta.hash, blob.bytes.slice().buffer);
      await putRecord(db, 'dataset_versions', version, now);
      await patchRecord(db, 'datasets', d.id, { versionId: id, rowCount: version.rowCount, columns }, now);
    });
    summary.merged++;
  }
  return summary;
}

const BlobAnswer = z.unknown();

/**
 * Download the shared rows of every head of a forked dataset that are not here yet, so this
 * phone can compute the merge itself (the sync downloads only each dataset's current version).
 * Ranged requests of one chunk each; the bytes are checked against their SHA-256 before use.
 */
export async function fetchHeadRows(db: OutpostDb, t: Transport): Promise<number> {
  let done = 0;
  for (const { heads } of await forkedDatasets(db)) {
    if (heads.length < 2) continue;
    for (const v of heads) {
      if (!v.rows || v.rowCount === 0) continue;
      if (await db.datasetRows.where('datasetId').equals(v.id).count()) continue;
      const { hash, size } = v.rows;
      if ((await blobState(db, hash))?.state === 'complete') continue;
      const partial = await partialBlobBytes(db, hash);
      let have = partial ? new Uint8Array(partial) : new Uint8Array(0);
      while (have.length < size) {
        const res = await t.request('GET', `/api/blobs/${hash}`, {
          headers: { range: `bytes=${have.length}-${Math.min(size, have.length + BLOB_CHUNK_BYTES) - 1}` },
        });
        if (res.status !== 206 && res.status !== 200) {
          BlobAnswer.parse(await res.text());
          break;
        }
        const part = new Uint8Array(await res.arrayBuffer());
        if (!part.length) break;
        const next = res.status === 200 ? part : new Uint8Array(have.length + part.length);
        if (res.status !== 200) {
          next.set(have, 0);
          next.set(part, have.length);
        }
        have = next;
        await saveDownloadedBlob(db, hash, size, have.slice().buffer, false);
      }
      if (have.length !== size) continue;
      if ((await sha256Hex(have)) !== hash) {
        await discardBlob(db, hash);
        continue;
      }
      await saveDownloadedBlob(db, hash, size, have.slice().buffer, true);
      done++;
    }
  }
  return done;
}

/** What runs after each sync: the heads' rows fetched, then the merges made or recognised. */
export async function afterSync(db: OutpostDb, t?: Transport, now = Date.now()): Promise<MergeSummary> {
  if (t) await fetchHeadRows(db, t).catch(() => 0);
  return mergeArrivedEntries(db, now);
}
