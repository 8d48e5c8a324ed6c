import type { DatasetMeta, Run } from '@shared/schema/records.js';
import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import type { OutpostDb } from '../db/db.js';
import { datasetVersions, ensureFirstVersions, versionRowsHere } from '../db/dataset-versions.js';
import { BackendName } from '../ml/protocol.js';
import { SaidError } from '../said-error.js';
import type { TrainingSession } from './training.svelte.js';

/** What "Run again" needs of the training session (the app's one, lib/runs/session.ts). */
export type RerunSession = Pick<TrainingSession, 'running' | 'start'>;

/**
 * The version an older run trained on, found by its hash: a run from before versions recorded
 * only its dataset and that dataset's hash, which is the hash of one of its versions, or the file's
 * as imported (the dataset's first version, whose rows are those it had then).
 */
async function versionByHash(db: OutpostDb, run: Run, dataset: DatasetMeta): Promise<DatasetVersion> {
  await ensureFirstVersions(db);
  const versions = await datasetVersions(db, dataset.id);
  const found = versions.find((v) => v.hash === run.datasetHash) ?? (run.datasetHash === dataset.hash ? versions.find((v) => v.number === 1) : undefined);
  if (!found) throw new SaidError('not_found', { key: 'rerun.dataChanged' });
  return found;
}

/**
 * "Run again": train once more exactly as the run `runId` did (the same dataset version with the
 * columns it had, the same settings and so the same seeded split, the backend it actually used,
 * the data-test override it was given), recording the new run as a re-run of it (`rerunOf`), so
 * that shared/src/runs/reproduce.ts can say whether its figures match. Refused with a sentence,
 * before anything is recorded, when the run cannot be reproduced here: the run, its dataset, its
 * version or that version's rows are not on this device (deleted, or not synced), an older run's
 * dataset has changed since, it is a photo run, or a training is already running.
 */
export async function runAgain(db: OutpostDb, session: RerunSession, runId: string): Promise<Run | undefined> {
  if (session.running) throw new SaidError('conflict', { key: 'rerun.busy' });
  const run = await db.runs.get(runId);
  if (!run || run.deleted) throw new SaidError('not_found', { key: 'rerun.runGone' });
  const dataset = await db.datasets.get(run.datasetId);
  if (!dataset || dataset.deleted) throw new SaidError('not_found', { key: 'rerun.datasetGone' });
  // Photo training (PhotoTrainingSession) trains on the current version only.
  if (dataset.images) throw new SaidError('bad_request', { key: 'rerun.photos' });
  let version: DatasetVersion;
  if (run.datasetVersionId) {
    const v = await db.dataset_versions.get(run.datasetVersionId);
    if (!v || v.deleted) throw new SaidError('not_found', { key: 'rerun.versionGone' });
    version = v;
  } else {
    version = await versionByHash(db, run, dataset);
  }
  if ((await versionRowsHere(db, version)) === 'missing') throw new SaidError('not_found', { key: 'rerun.rowsNotHere' });
  // A run cut off before it began training has no backend yet ('pending'): the default is WASM.
  const backend = BackendName.safeParse(run.backend);
  // The columns as they were in that version: their types decide how the pipeline reads them.
  const asThen: DatasetMeta = { ...dataset, columns: version.columns, rowCount: version.rowCount, versionId: version.id };
  return session.start(asThen, run.params, backend.success ? backend.data : 'wasm', run.checksOverride ? true : false, {
    versionId: version.id,
    rerunOf: run.id,
  });
}
