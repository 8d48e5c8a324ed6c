import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import type { ModelVersion, Run } from '@shared/schema/records.js';
import { recomputeSplit } from '@shared/data/lineage.js';
import type { Row } from '@shared/data/columns.js';
import type { OutpostDb } from './db.js';
import { loadVersionRows } from './dataset-versions.js';

/**
 * Lineage on the device: from a model version back to the rows it learnt from, and from a dataset
 * version to the runs and model versions that used it. Runs from before versions name only their
 * dataset: they trained on it as imported, which is its first version.
 */

/** The version a run trained on, or undefined when it has not arrived here (or the run is older than versions and the dataset has none). */
export async function runVersion(db: OutpostDb, run: Run): Promise<DatasetVersion | undefined> {
  if (run.datasetVersionId) return db.dataset_versions.get(run.datasetVersionId);
  const first = await db.dataset_versions.get(run.datasetId);
  return first?.number === 1 ? first : undefined;
}

/** A version and its parents, newest first; `missing` names a parent that has not arrived on this device yet. */
export async function versionChain(db: OutpostDb, versionId: string, max = 100): Promise<{ chain: DatasetVersion[]; missing?: string }> {
  const chain: DatasetVersion[] = [];
  let id: string | null = versionId;
  while (id && chain.length < max) {
    const v: DatasetVersion | undefined = await db.dataset_versions.get(id);
    if (!v) return { chain, missing: id };
    chain.push(v);
    id = v.parentId;
  }
  return { chain };
}

/** The runs that trained on a version, and the model versions registered from them. */
export async function usedBy(db: OutpostDb, v: DatasetVersion): Promise<{ runs: Run[]; models: ModelVersion[] }> {
  const runs = (await db.runs.where('datasetId').equals(v.datasetId).toArray()).filter(
    (r) => !r.deleted && (r.datasetVersionId === v.id || (!r.datasetVersionId && v.number === 1 && v.id === v.datasetId)),
  );
  const ids = runs.map((r) => r.id);
  const models = ids.length ? (await db.model_versions.where('runId').anyOf(ids).toArray()).filter((m) => !m.deleted) : [];
  return { runs: runs.sort((a, b) => b.startedAt - a.startedAt), models };
}

export interface TrainedOn {
  model: ModelVersion;
  run?: Run;
  version?: DatasetVersion;
  chain: DatasetVersion[];
  missing?: string;
}

/** Walk back from a model version: its run, the dataset version, and that version's parents. */
export async function trainedOn(db: OutpostDb, modelVersionId: string): Promise<TrainedOn | undefined> {
  const model = await db.model_versions.get(modelVersionId);
  if (!model) return undefined;
  const run = model.runId ? await db.runs.get(model.runId) : undefined;
  if (!run) return { model, chain: [] };
  const id = run.datasetVersionId ?? run.datasetId;
  const { chain, missing } = await versionChain(db, id);
  const version = chain[0] && (await runVersion(db, run));
  return { model, run, version, chain: version ? chain : [], missing };
}

export type SplitPart = 'train' | 'validation' | 'test';

/**
 * The rows a run trained, validated or tested on: its version's rows, split again by its seed and
 * parameters, and shown only when the split matches what the run recorded. A sentence otherwise.
 */
export async function runSplitRows(db: OutpostDb, run: Run): Promise<{ rows: Record<SplitPart, Row[]> } | { reason: string }> {
  const v = await runVersion(db, run);
  if (!v) return { reason: 'The dataset version this model learnt from is not on this device yet. Sync, then look again.' };
  const rows = await loadVersionRows(db, v.id);
  if (!rows.length)
    return { reason: 'The rows of that version are not on this device. Turn on row sync for the project, or look on the device that imported them.' };
  if (!run.split) return { reason: 'This model was trained before splits were recorded, so which rows it validated on cannot be shown.' };
  const s = await recomputeSplit(rows, run.params, run.split);
  if (!s)
    return { reason: 'The rows here differ from the ones this model learnt from (for example, personal columns left out), so its split cannot be shown.' };
  return { rows: { train: s.train.map((i) => rows[i]), validation: s.validation.map((i) => rows[i]), test: s.test.map((i) => rows[i]) } };
}
