import type { DatasetMeta, ModelVersion } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';
import { patchRecord } from './mutate.js';
import { runHashes, versionHashes } from './blob-refs.js';
import type { Message } from '../i18n/catalogue.js';
import { SaidError } from '../said-error.js';

/**
 * Deleting projects, datasets, runs, model versions and searches. A deletion is a tombstone (`deleted:
 * true`), a synced field that once set is never cleared (docs/sync.md), so every device and the
 * server drop the thing at their next sync; there is no undo, which is why the screens ask first
 * and say what goes with it (`whatGoes`). The bytes the deleted thing held on this device (rows,
 * weights no live record uses) are freed at once, and on other devices when the tombstone arrives
 * (`sweepDeleted`). A version in production, or one a deployment names, cannot be deleted.
 */

/** What goes with a deletion, for the confirmation: counts of what it takes with it. */
export interface Consequences {
  datasets: number;
  runs: number;
  versions: number;
  /** Hyperparameter searches (their tries go with them). */
  studies: number;
  /** Runs or versions that used the dataset and stay (their figures stay; its rows go). */
  usedBy: number;
}

const none = (): Consequences => ({ datasets: 0, runs: 0, versions: 0, studies: 0, usedBy: 0 });

/** Why a version cannot be deleted (as the version's own deletion, or its project's, says it), or null. */
async function versionBlocked(db: OutpostDb, v: ModelVersion, of: 'version' | 'project' = 'version'): Promise<Message | null> {
  const values = { model: v.modelName, version: v.version };
  if (v.stage === 'production') return { key: of === 'project' ? 'error.deleteProjectProduction' : 'error.deleteProduction', values };
  const d = await db.deployments.where('projectId').equals(v.projectId).toArray();
  const newest = d.sort((a, b) => b.revision - a.revision)[0];
  if (newest && (newest.state.champion === v.id || newest.state.challenger === v.id))
    return { key: of === 'project' ? 'error.deleteProjectDeployed' : 'error.deleteDeployed', values };
  return null;
}

/** A blob no live model version or kept run model on this device refers to any more. */
async function unusedWeights(db: OutpostDb, hashes: string[], except: { versions: Set<string>; runs: Set<string> }): Promise<string[]> {
  if (!hashes.length) return [];
  const used = new Set<string>();
  for (const v of await db.model_versions.toArray()) if (!v.deleted && !except.versions.has(v.id)) versionHashes(v).forEach((h) => used.add(h));
  for (const r of await db.runs.toArray()) {
    if (r.deleted || except.runs.has(r.id)) continue;
    for (const h of await runHashes(db, r.id)) used.add(h);
  }
  return [...new Set(hashes)].filter((h) => !used.has(h));
}

async function freeBlobs(db: OutpostDb, hashes: string[]): Promise<void> {
  if (!hashes.length) return;
  await db.transaction('rw', [db.blobState, db.blobBytes], async () => {
    await db.blobState.bulkDelete(hashes);
    await db.blobBytes.bulkDelete(hashes);
  });
}

/** What deleting a thing takes with it (the confirmation's counts). */
export async function whatGoes(db: OutpostDb, kind: 'project' | 'dataset' | 'run' | 'version', id: string): Promise<Consequences> {
  const c = none();
  if (kind === 'project') {
    c.datasets = (await db.datasets.where('projectId').equals(id).toArray()).filter((d) => !d.deleted).length;
    c.runs = (await db.runs.where('projectId').equals(id).toArray()).filter((r) => !r.deleted).length;
    c.versions = (await db.model_versions.where('projectId').equals(id).toArray()).filter((v) => !v.deleted).length;
    c.studies = (await db.studies.where('projectId').equals(id).toArray()).filter((s) => !s.deleted).length;
  } else if (kind === 'dataset') {
    const runs = (await db.runs.where('datasetId').equals(id).toArray()).filter((r) => !r.deleted);
    c.usedBy = runs.length;
  } else if (kind === 'run') {
    c.versions = (await db.model_versions.where('runId').equals(id).toArray()).filter((v) => !v.deleted).length;
  }
  return c;
}

/** Delete a model version (refused while it is in production or in the deployment). */
export async function deleteVersion(db: OutpostDb, id: string, now = Date.now()): Promise<void> {
  const v = await db.model_versions.get(id);
  if (!v || v.deleted) return;
  const blocked = await versionBlocked(db, v);
  if (blocked) throw new SaidError('conflict', blocked);
  await patchRecord(db, 'model_versions', id, { deleted: true }, now);
  await freeBlobs(db, await unusedWeights(db, versionHashes(v), { versions: new Set([id]), runs: new Set() }));
}

/**
 * Delete a run. A version registered from it stays (it carries its own weights and figures) unless
 * `withVersions`, which deletes those too (refused, deleting nothing, if one is in production).
 */
export async function deleteRun(db: OutpostDb, id: string, opts: { withVersions?: boolean } = {}, now = Date.now()): Promise<void> {
  const run = await db.runs.get(id);
  if (!run || run.deleted) return;
  const versions = (await db.model_versions.where('runId').equals(id).toArray()).filter((v) => !v.deleted);
  if (opts.withVersions) {
    for (const v of versions) {
      const blocked = await versionBlocked(db, v);
      if (blocked) throw new SaidError('conflict', blocked);
    }
    for (const v of versions) await patchRecord(db, 'model_versions', v.id, { deleted: true }, now);
  }
  const hashes = [...(await runHashes(db, id)), ...(opts.withVersions ? versions.flatMap(versionHashes) : [])];
  await patchRecord(db, 'runs', id, { deleted: true }, now);
  await db.kv.delete(`run-model:${id}`);
  await freeBlobs(db, await unusedWeights(db, hashes, { versions: new Set(opts.withVersions ? versions.map((v) => v.id) : []), runs: new Set([id]) }));
}

/** The rows a dataset keeps on this device (its versions' stored rows), freed. */
/** The photos a photo dataset's versions kept here name (content hashes), for freeing their bytes. */
async function photoHashesOf(db: OutpostDb, d: DatasetMeta, versionIds: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (!d.images) return out;
  for (const c of await db.datasetRows.where('datasetId').anyOf(versionIds).toArray())
    for (const r of c.rows) if (typeof r[d.images.column] === 'string') out.add(r[d.images.column] as string);
  return out;
}

async function freeDatasetRows(db: OutpostDb, datasetId: string): Promise<void> {
  const d = await db.datasets.get(datasetId);
  const versions = await db.dataset_versions.where('datasetId').equals(datasetId).toArray();
  const ids = [datasetId, ...versions.map((v) => v.id)];
  // A photo can be in two photo datasets (the same picture chosen twice): its bytes stay while a
  // live one names it. Read before the rows that name them go.
  const photos = d ? await photoHashesOf(db, d, ids) : new Set<string>();
  if (photos.size) {
    for (const other of await db.datasets.toArray()) {
      if (other.id === datasetId || other.deleted || !other.images) continue;
      const otherIds = [other.id, ...(await db.dataset_versions.where('datasetId').equals(other.id).primaryKeys())];
      for (const h of await photoHashesOf(db, other, otherIds)) photos.delete(h);
    }
  }
  await db.datasetRows.where('datasetId').anyOf(ids).delete();
  // Two datasets with the same rows share one blob: keep it while a live version uses it.
  const live = new Set((await db.dataset_versions.toArray()).filter((v) => !v.deleted && v.datasetId !== datasetId && v.rows).map((v) => v.rows!.hash));
  await freeBlobs(db, [...versions.flatMap((v) => (v.rows && !live.has(v.rows.hash) ? [v.rows.hash] : [])), ...photos]);
  // Labels people gave its rows go from this device too; those not sent yet still go (the server
  // keeps them beside the dataset's tombstone, and nothing here shows them again).
  await db.labels.where('datasetId').equals(datasetId).delete();
}

/** Delete a dataset and all its versions. Runs and versions made from it keep their figures. */
export async function deleteDataset(db: OutpostDb, id: string, now = Date.now()): Promise<void> {
  const d = await db.datasets.get(id);
  if (!d || d.deleted) return;
  for (const v of await db.dataset_versions.where('datasetId').equals(id).toArray())
    if (!v.deleted) await patchRecord(db, 'dataset_versions', v.id, { deleted: true }, now);
  await patchRecord(db, 'datasets', id, { deleted: true }, now);
  await freeDatasetRows(db, id);
}

/**
 * Delete a project with its datasets, runs, versions and searches. Refused, deleting nothing, while
 * one of its versions is in production or named by its deployment. Logged predictions stay in the
 * log (append-only, for the central team's audit); this device drops the copies the server has. A
 * search is deleted by its study's tombstone: its trials are append-only records that cannot
 * carry one, and nothing reads a trial but through its study (docs/search.md). A search running
 * here notices its tombstone before its next try and stops. The project's pipeline gets a
 * tombstone too (it never runs again); its runs stay, as lineage of the versions they made.
 */
export async function deleteProject(db: OutpostDb, id: string, now = Date.now()): Promise<void> {
  const p = await db.projects.get(id);
  if (!p || p.deleted) return;
  const versions = (await db.model_versions.where('projectId').equals(id).toArray()).filter((v) => !v.deleted);
  for (const v of versions) {
    const blocked = await versionBlocked(db, v, 'project');
    if (blocked) throw new SaidError('conflict', blocked);
  }
  for (const v of versions) await deleteVersion(db, v.id, now);
  for (const r of await db.runs.where('projectId').equals(id).toArray()) await deleteRun(db, r.id, {}, now);
  for (const d of await db.datasets.where('projectId').equals(id).toArray()) await deleteDataset(db, d.id, now);
  for (const s of await db.studies.where('projectId').equals(id).toArray()) if (!s.deleted) await patchRecord(db, 'studies', s.id, { deleted: true }, now);
  for (const pl of await db.pipelines.where('projectId').equals(id).toArray())
    if (!pl.deleted) await patchRecord(db, 'pipelines', pl.id, { deleted: true }, now);
  await patchRecord(db, 'projects', id, { deleted: true }, now);
  await dropSyncedPredictions(db, id);
}

async function dropSyncedPredictions(db: OutpostDb, projectId: string): Promise<void> {
  await db.transaction('rw', [db.predictions, db.outbox], async () => {
    const pending = new Set((await db.outbox.where('[table+id]').between(['predictions', ''], ['predictions', '\uffff']).toArray()).map((r) => r.id));
    const ids = (await db.predictions.where('projectId').equals(projectId).primaryKeys()).filter((k) => !pending.has(k));
    await db.predictions.bulkDelete(ids);
  });
}

/**
 * Free on this device what tombstones that arrived from elsewhere leave behind: the rows of
 * deleted datasets, the weights of deleted versions and runs no live record uses. Run after each
 * sync; doing it twice frees nothing more.
 */
export async function sweepDeleted(db: OutpostDb): Promise<{ datasets: number; blobs: number }> {
  let datasets = 0;
  for (const d of await db.datasets.toArray()) {
    if (!d.deleted) continue;
    const versions = await db.dataset_versions.where('datasetId').equals(d.id).toArray();
    const ids = [d.id, ...versions.map((v) => v.id)];
    if (await db.datasetRows.where('datasetId').anyOf(ids).count()) datasets++;
    await freeDatasetRows(db, d.id);
  }
  const deletedVersions = (await db.model_versions.toArray()).filter((v) => v.deleted);
  const deletedRuns = (await db.runs.toArray()).filter((r) => r.deleted);
  const hashes = [...deletedVersions.flatMap(versionHashes), ...(await Promise.all(deletedRuns.map((r) => runHashes(db, r.id)))).flat()];
  const have = (await db.blobState.bulkGet(hashes)).filter((b) => b).map((b) => b!.hash);
  const unused = await unusedWeights(db, have, { versions: new Set(), runs: new Set() });
  await freeBlobs(db, unused);
  for (const r of deletedRuns) await db.kv.delete(`run-model:${r.id}`);
  return { datasets, blobs: unused.length };
}
