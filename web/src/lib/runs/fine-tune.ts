import type { ColumnInfo, ModelVersion, Run, TrainParams } from '@shared/schema/records.js';
import type { FeaturePipeline, FeatureSpec } from '@shared/schema/pipeline.js';
import { isMissing } from '@shared/data/columns.js';
import type { Message } from '../i18n/catalogue.js';
import type { OutpostDb } from '../db/db.js';
import { loadWeights } from '../db/models.js';
import { loadVersionRows } from '../db/dataset-versions.js';
import type { BackendName } from '../ml/protocol.js';
import { SaidError } from '../said-error.js';
import type { TrainingSession } from './training.svelte.js';

/**
 * "Train more on newer data" (docs/runs.md): a new run that starts from a registered version's
 * weights and keeps its fitted feature pipeline (the same scaling and encoding, so the weights
 * mean what they meant), with the parent run's settings, on a dataset version the person picks.
 * Only a neural network trained here can: a linear fit or a forest finds its answer from the
 * start on any data, so training it again is the way (and an imported model has no run).
 */
export function canFineTune(v: ModelVersion): boolean {
  return v.artifacts.format === 'tfjs-layers' && (v.artifacts.family ?? 'network') === 'network' && !v.imported && !v.artifacts.input && Boolean(v.runId);
}

/** The column a feature reads, and the kinds of column it can read. */
function needs(f: FeatureSpec): { column: string; kinds: ColumnInfo['type'][] } {
  if (f.kind === 'categorical') return { column: f.name, kinds: ['categorical', 'text'] };
  if (!f.source) return { column: f.name, kinds: ['numeric'] };
  return { column: f.source.column, kinds: f.source.part === 'length' || f.source.part === 'words' ? ['text'] : ['date'] };
}

/**
 * Why a version's inputs do not match a dataset's columns, as a sentence: a column the model reads
 * (or answers) missing, of another kind, or an answer it never learnt. Undefined when they match.
 * `labels` are the answers found in the new rows, when they are at hand (the columns' summaries
 * list only the most frequent values).
 */
export function fineTuneRefusal(pipeline: FeaturePipeline, columns: ColumnInfo[], labels: string[] = []): Message | undefined {
  const byName = new Map(columns.map((c) => [c.name, c]));
  for (const f of pipeline.features) {
    const { column, kinds } = needs(f);
    const c = byName.get(column);
    if (!c) return { key: 'fineTune.missingColumn', values: { column } };
    if (!kinds.includes(c.type)) return { key: 'fineTune.otherKind', values: { column, kind: c.type, wanted: kinds[0] } };
  }
  const target = byName.get(pipeline.target.name);
  if (!target) return { key: 'fineTune.missingColumn', values: { column: pipeline.target.name } };
  if (pipeline.target.kind === 'numeric') {
    if (target.type !== 'numeric') return { key: 'fineTune.otherKind', values: { column: target.name, kind: target.type, wanted: 'numeric' } };
    return undefined;
  }
  const known = new Set(pipeline.target.labels);
  const seen = [...(target.top ?? []).map(([v]) => v), ...labels];
  const unknown = seen.find((l) => l !== '' && !known.has(l));
  if (unknown !== undefined) return { key: 'fineTune.newAnswer', values: { column: target.name, answer: unknown } };
  return undefined;
}

/** The answers a classifier's target column holds in a dataset version's rows on this device (none for a regression). */
async function answersIn(db: OutpostDb, versionId: string, pipeline: FeaturePipeline): Promise<string[]> {
  if (pipeline.target.kind !== 'categorical') return [];
  const name = pipeline.target.name;
  const seen = new Set<string>();
  for (const r of await loadVersionRows(db, versionId)) if (r[name] !== undefined && !isMissing(r[name])) seen.add(String(r[name]).trim());
  return [...seen];
}

export interface FineTuneChoice {
  datasetId: string;
  /** The dataset version to train on (default: the dataset's current one). */
  datasetVersionId?: string;
  epochs: number;
  learningRate: number;
  backend?: BackendName;
}

/** The parent run's settings with the person's epochs and learning rate. */
export function childParams(parent: Run, choice: Pick<FineTuneChoice, 'epochs' | 'learningRate'>): TrainParams {
  return { ...parent.params, epochs: choice.epochs, learningRate: choice.learningRate };
}

/**
 * Start the fine-tune through the app's training session. Refused with a sentence when the
 * version cannot be fine-tuned, its weights or its run are not on this device, or its inputs do
 * not match the dataset version's columns.
 */
export async function startFineTune(db: OutpostDb, session: TrainingSession, v: ModelVersion, choice: FineTuneChoice): Promise<Run | undefined> {
  if (!canFineTune(v) || v.artifacts.format !== 'tfjs-layers') throw new SaidError('bad_request', { key: 'fineTune.networkOnly' });
  const parent = v.runId ? await db.runs.get(v.runId) : undefined;
  const dataset = await db.datasets.get(choice.datasetId);
  const weights = await loadWeights(db, v);
  if (!parent || !dataset || dataset.deleted) throw new SaidError('not_found', { key: 'fineTune.runGone' });
  if (!weights) throw new SaidError('not_found', { key: 'fineTune.weightsGone' });
  const versionId = choice.datasetVersionId ?? dataset.versionId;
  const version = versionId ? await db.dataset_versions.get(versionId) : undefined;
  const refusal = fineTuneRefusal(v.pipeline, version?.columns ?? dataset.columns, version ? await answersIn(db, version.id, v.pipeline) : []);
  if (refusal) throw new SaidError('bad_request', refusal);
  return session.start(dataset, childParams(parent, choice), choice.backend ?? 'wasm', false, {
    ...(version ? { versionId: version.id } : {}),
    fineTune: {
      fromVersionId: v.id,
      ...(v.runId ? { fromRunId: v.runId } : {}),
      init: { weightSpecs: v.artifacts.weightSpecs, weights },
      pipeline: v.pipeline,
    },
  });
}
