import { inferColumns } from '@shared/data/columns.js';
import { sha256Hex } from '@shared/data/hash.js';
import { projectPersonal } from '@shared/data/privacy.js';
import type { DatasetMeta, ModelVersion } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { SaidError } from '../said-error.js';
import { importDataset, loadRows, type Row } from '../db/datasets.js';
import { loadVersionRows } from '../db/dataset-versions.js';
import { outcomesOf } from '../db/monitoring.js';
import { logPages } from '../db/pages.js';

/**
 * The newest labelled data for a retrain: the rows the version was trained on (when they are on
 * this device) and every prediction of the project with a real result recorded, as a row of its
 * inputs (and kept attributes) with the result in the target column. Failed predictions and those
 * still waiting are left out.
 */
export async function labelledRows(db: OutpostDb, mv: ModelVersion): Promise<{ rows: Row[]; fromTraining: number; fromField: number }> {
  const target = mv.pipeline.target.name;
  const run = mv.runId ? await db.runs.get(mv.runId) : undefined;
  // The rows of the exact version the model learnt from (runs from before versions: the dataset's rows).
  const training = run ? await (run.datasetVersionId ? loadVersionRows(db, run.datasetVersionId) : loadRows(db, run.datasetId)) : [];
  const field: Row[] = [];
  for await (const page of logPages(db, '[projectId+createdAt]', mv.projectId)) {
    const outcomes = await outcomesOf(
      db,
      page.map((p) => p.id),
    );
    for (const p of page) {
      const o = outcomes.get(p.id);
      if (!o || p.error) continue;
      field.push({ ...p.inputs, ...(p.attributes ?? {}), [target]: o.value });
    }
  }
  return { rows: [...training, ...field], fromTraining: training.length, fromField: field.length };
}

/**
 * Make the dataset a proposed retrain trains on (see labelledRows), as a new dataset of the
 * project with its target set; training and registration then go the usual way. Its columns keep
 * the project's personal marks (projectPersonal): the training rows it copies hold personal columns
 * as they were typed, and the new dataset must not sync them or offer them to learn from.
 */
export async function makeRetrainDataset(
  db: OutpostDb,
  mv: ModelVersion,
  now = Date.now(),
): Promise<{ dataset: DatasetMeta; fromTraining: number; fromField: number }> {
  const { rows, fromTraining, fromField } = await labelledRows(db, mv);
  if (!fromField) throw new SaidError('bad_request', { key: 'error.retrainNothingNew' });
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const full = rows.map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
  const columns = inferColumns(full, names);
  const marks = projectPersonal(await db.datasets.where('projectId').equals(mv.projectId).toArray());
  const personal = Object.fromEntries(names.filter((n) => marks[n]).map((n) => [n, marks[n]]));
  const day = new Date(now).toISOString().slice(0, 10);
  const dataset = await importDataset(
    db,
    {
      projectId: mv.projectId,
      name: `${mv.modelName} v${mv.version} + ${fromField} field results (${day})`,
      fileName: 'retrain.csv',
      hash: await sha256Hex(new TextEncoder().encode(JSON.stringify(full))),
      rows: full,
      columns,
      target: mv.pipeline.target.name,
      personal,
    },
    now,
  );
  return { dataset, fromTraining, fromField };
}
