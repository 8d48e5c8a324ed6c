import type { ModelVersion, PredictionOutput } from '@shared/schema/records.js';
import type { EvaluationReport } from '@shared/metrics/evaluation-schema.js';
import { evaluationReport } from '@shared/metrics/report.js';
import { inputColumns } from '@shared/features/pipeline.js';
import { SaidError } from '../said-error.js';
import type { OutpostDb } from '../db/db.js';
import { loadRows } from '../db/datasets.js';
import { patchRecord } from '../db/mutate.js';
import { predictorFor } from './predict.js';

/**
 * A version's evaluation report on a dataset a person picks (the rows must carry the column the
 * version predicts). The rows are predicted in the worker without being logged: this is a test,
 * not serving. The baseline is fitted on the same rows (an imported version's training rows are
 * not here), which the report shows as "on these rows". Seeded, so the same dataset gives the same
 * report.
 */
export async function evaluateOnDataset(
  db: OutpostDb,
  mv: ModelVersion,
  datasetId: string,
  onProgress?: (fraction: number) => void,
): Promise<{ report: EvaluationReport; evaluatedOn: NonNullable<ModelVersion['evaluatedOn']> }> {
  if (mv.artifacts.input?.kind === 'tensor') throw new SaidError('bad_request', { key: 'error.evalTensor' });
  const meta = await db.datasets.get(datasetId);
  if (!meta) throw new SaidError('not_found', { key: 'error.evalDatasetNotHere' });
  const target = mv.pipeline.target.name;
  if (!meta.columns.some((c) => c.name === target)) {
    throw new SaidError('bad_request', { key: 'error.evalNoTarget', values: { dataset: meta.name, target } });
  }
  const missing = inputColumns(mv.pipeline).filter((n) => !meta.columns.some((c) => c.name === n));
  if (missing.length)
    throw new SaidError('bad_request', {
      key: 'error.evalLacksInputs',
      values: { dataset: meta.name, count: missing.length, inputs: missing.map((m) => `“${m}”`).join(', ') },
    });
  const rows = await loadRows(db, datasetId);
  const predictor = await predictorFor(db, mv);
  const outputs: PredictionOutput[] = [];
  const CHUNK = 1000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    outputs.push(...(await predictor.predict(rows.slice(i, i + CHUNK))).outputs);
    onProgress?.(Math.min(1, (i + CHUNK) / rows.length));
  }
  const report = evaluationReport({ pipeline: mv.pipeline, testRows: rows, outputs, trainRows: rows, seed: 0 });
  if (!report) throw new SaidError('bad_request', { key: 'error.evalNothing', values: { dataset: meta.name, target } });
  return { report, evaluatedOn: { datasetId, datasetName: meta.name, datasetHash: meta.hash, rows: rows.length, at: Date.now() } };
}

/**
 * Keep a dataset's report as the version's evaluation: only for a version that has none (an
 * imported one), so a trained version's report stays the one on rows it never saw in training.
 */
export async function keepEvaluation(db: OutpostDb, mv: ModelVersion, result: Awaited<ReturnType<typeof evaluateOnDataset>>): Promise<void> {
  if (mv.evaluation && !mv.evaluatedOn) throw new SaidError('conflict', { key: 'error.evalOwnReport' });
  if (mv.stage === 'production') throw new SaidError('conflict', { key: 'error.evalProduction' });
  await patchRecord(db, 'model_versions', mv.id, { evaluation: result.report, evaluatedOn: result.evaluatedOn });
}
