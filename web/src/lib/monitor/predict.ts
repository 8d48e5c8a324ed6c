import type { ModelVersion, Prediction, PredictionOutput } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { completeBlobBytes } from '../db/blobs.js';
import { weightsToLoad } from '../db/smaller-weights.js';
import { newId } from '../db/mutate.js';
import { logPredictions } from '../db/monitoring.js';
import { Predictor } from '../ml/client.js';
import { userMessage } from '../messages.js';
import { SaidError } from '../said-error.js';
import { tensorInputName, tensorLogValue } from '@shared/features/model-io.js';
import { featureRow, inputColumns } from '@shared/features/pipeline.js';
import type { PredictionDeployment } from '@shared/schema/prediction-deployment.js';

type Row = Record<string, string | number | null>;

interface Loaded {
  id: string;
  threshold: number | undefined;
  weights: string;
  predictor: Predictor;
}

/**
 * Loaded models, most recently used first, reused across predictions. Two stay loaded, so a
 * shadow deployment (champion and challenger on every case) never reloads either; the one that
 * falls out is released.
 */
const LOADED_MAX = 2;
let loaded: Loaded[] = [];

/**
 * The loaded model of a version (loading it once), for predictions and explanations: with its
 * smaller weights when those are what this device keeps for it (smaller-weights.ts).
 */
export async function predictorFor(db: OutpostDb, mv: ModelVersion): Promise<Predictor> {
  const served = await weightsToLoad(db, mv);
  // A new decision threshold of the same version, or its other weights arriving, loads it again.
  const hit = loaded.find((l) => l.id === mv.id && l.threshold === mv.decision?.threshold && l.weights === served?.hash);
  if (hit) {
    loaded = [hit, ...loaded.filter((l) => l !== hit)];
    return hit.predictor;
  }
  const weights = served && (await completeBlobBytes(db, served.hash));
  if (!served || !weights) throw new SaidError('not_found', { key: 'error.versionWeightsNotHere' });
  // The same version loaded with an older threshold or other weights is stale: release it first.
  for (const l of loaded.filter((l) => l.id === mv.id)) l.predictor.dispose();
  loaded = loaded.filter((l) => l.id !== mv.id);
  const predictor = await Predictor.load(mv, weights, served.weightSpecs ? { weightSpecs: served.weightSpecs } : {});
  loaded = [{ id: mv.id, threshold: mv.decision?.threshold, weights: served.hash, predictor }, ...loaded];
  for (const l of loaded.splice(LOADED_MAX)) l.predictor.dispose();
  return predictor;
}

/** How many models are loaded now (tests check that at most two are kept). */
export function loadedModelCount(): number {
  return loaded.length;
}

/** Keep only the model's inputs, as the log should hold what the model saw (a date as its parts). */
function inputsOf(mv: ModelVersion, row: Row): Prediction['inputs'] {
  return featureRow(mv.pipeline, row);
}

/** Columns the project monitors that the model does not read (the protected attribute), when the row has them. */
function attributesOf(mv: ModelVersion, row: Row, monitored: string[]): Prediction['attributes'] {
  const read = inputColumns(mv.pipeline);
  const extra = monitored.filter((c) => !mv.pipeline.features.some((f) => f.name === c) && !read.includes(c) && c in row);
  return extra.length ? Object.fromEntries(extra.map((c) => [c, row[c] ?? null])) : undefined;
}

/** A prediction's answer with the id it was logged under (outcomes are recorded against it). */
export interface LoggedOutput {
  predictionId: string;
  output: PredictionOutput;
}

export interface PredictOptions {
  /** Columns kept beside the inputs for monitors (the fairness monitor's protected attribute). */
  monitored?: string[];
  onProgress?: (fraction: number) => void;
  /** The deployment field of row `i`'s prediction, from its answer (null: the prediction failed). */
  deployment?: (i: number, output: PredictionOutput | null) => PredictionDeployment;
}

/** What one run of a model over rows left in the log. */
export interface LoggedRun {
  /** One per row predicted (a failed row too, with `error`), in the order of the rows. */
  logged: (LoggedOutput & { error?: string })[];
  /** The first failure, if a chunk failed (its rows are logged as failed). */
  failure?: unknown;
}

/**
 * Predict rows with a model version and log every prediction (inputs, output, version, latency,
 * time, and the deployment it followed) on the device in the same step, with its monitor counts.
 * A chunk that fails is logged too, with the reason (the error monitor counts it); `stopOnFailure`
 * ends the run there, otherwise the next chunks are still tried.
 */
export async function runAndLog(
  db: OutpostDb,
  mv: ModelVersion,
  rows: Row[],
  source: Prediction['source'],
  opts: PredictOptions,
  stopOnFailure: boolean,
): Promise<LoggedRun> {
  const out: LoggedRun = { logged: [] };
  const CHUNK = 1000;
  const record = (i: number, output: PredictionOutput, latencyMs: number, now: number, error?: string): Prediction => {
    const row = rows[i];
    const p: Prediction = { id: newId(), projectId: mv.projectId, modelVersionId: mv.id, inputs: inputsOf(mv, row), output, latencyMs, source, createdAt: now };
    const attributes = attributesOf(mv, row, opts.monitored ?? []);
    if (attributes) p.attributes = attributes;
    if (error) p.error = error.slice(0, 300);
    const deployment = opts.deployment?.(i, error ? null : output);
    if (deployment) p.deployment = deployment;
    return p;
  };
  // A model that cannot be loaded (weights not here yet) never served anything: that is not logged.
  const predictor = await predictorFor(db, mv);
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const started = performance.now();
    let logged: Prediction[];
    try {
      const answer = await predictor.predict(part);
      const now = Date.now();
      logged = part.map((_, j) => record(i + j, answer.outputs[j], answer.latencyMs[j] ?? 0, now));
    } catch (err) {
      const failedAfter = (performance.now() - started) / part.length;
      const now = Date.now();
      logged = part.map((_, j) => record(i + j, {}, failedAfter, now, userMessage(err)));
      out.failure ??= err;
    }
    await logPredictions(db, mv, logged);
    out.logged.push(...logged.map((p) => ({ predictionId: p.id, output: p.output, ...(p.error ? { error: p.error } : {}) })));
    opts.onProgress?.(Math.min(1, (i + part.length) / rows.length));
    if (out.failure && stopOnFailure) break;
  }
  return out;
}

/**
 * Predict rows with a model version and log every prediction on the device in the same step, with
 * its monitor counts; the log syncs like everything else. A prediction that fails is logged too,
 * with the reason (the error monitor counts it), and the error is then raised for the screen.
 */
export async function predictAndLog(
  db: OutpostDb,
  mv: ModelVersion,
  rows: Row[],
  source: Prediction['source'],
  opts: PredictOptions = {},
): Promise<LoggedOutput[]> {
  const run = await runAndLog(db, mv, rows, source, opts, true);
  if (run.failure) throw run.failure;
  return run.logged.map(({ predictionId, output }) => ({ predictionId, output }));
}

/**
 * Predict items of a model that reads a tensor (each a nested array of its input shape) and log
 * each like any prediction; the log keeps each item's shape and hash, not its values.
 */
export async function predictTensorsAndLog(db: OutpostDb, mv: ModelVersion, items: unknown[]): Promise<LoggedOutput[]> {
  const input = mv.artifacts.input;
  if (input?.kind !== 'tensor') throw new SaidError('bad_request', { key: 'error.tensorNotRows' });
  const name = tensorInputName(mv.artifacts);
  const inputs = await Promise.all(items.map(async (item) => ({ [name]: await tensorLogValue(input.shape, item) })));
  const predictor = await predictorFor(db, mv);
  const record = (i: number, output: PredictionOutput, latencyMs: number, now: number, error?: string): Prediction => ({
    id: newId(),
    projectId: mv.projectId,
    modelVersionId: mv.id,
    inputs: inputs[i],
    output,
    latencyMs,
    source: 'form',
    createdAt: now,
    ...(error ? { error: error.slice(0, 300) } : {}),
  });
  const started = performance.now();
  let answer: Awaited<ReturnType<Predictor['predictTensors']>>;
  try {
    answer = await predictor.predictTensors(items);
  } catch (err) {
    const each = (performance.now() - started) / Math.max(1, items.length);
    const now = Date.now();
    await logPredictions(
      db,
      mv,
      items.map((_, i) => record(i, {}, each, now, userMessage(err))),
    );
    throw err;
  }
  const now = Date.now();
  const logged = items.map((_, i) => record(i, answer.outputs[i], answer.latencyMs[i] ?? 0, now));
  await logPredictions(db, mv, logged);
  return logged.map((p) => ({ predictionId: p.id, output: p.output }));
}

/**
 * Results as CSV: the prediction's id (to record outcomes against later, from a file with an
 * `outcome` column), the input columns, then the prediction and one column per class probability.
 */
export function resultsCsv(mv: ModelVersion, rows: Row[], results: LoggedOutput[]): string {
  const inputCols = inputColumns(mv.pipeline);
  const labels = mv.pipeline.target.kind === 'categorical' ? mv.pipeline.target.labels : [];
  const header = ['prediction_id', ...inputCols, 'prediction', ...labels.map((l) => `p_${l}`)];
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [header.map(esc).join(',')];
  rows.forEach((row, i) => {
    const { predictionId, output: o } = results[i];
    lines.push([predictionId, ...inputCols.map((c) => row[c]), o.label ?? o.value, ...labels.map((l) => o.probabilities?.[l])].map(esc).join(','));
  });
  return lines.join('\n') + '\n';
}
