import type { ModelVersion, Prediction, PredictionOutput } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { loadWeights } from '../db/models.js';
import { newId } from '../db/mutate.js';
import { logPredictions } from '../db/predictions.js';
import { createPredictor, type Predictor } from '../ml/client.js';

type Row = Record<string, string | number | null>;

/** One loaded model per version id, reused across predictions; released when another loads. */
let cached: { id: string; predictor: Predictor } | null = null;

async function predictorFor(db: OutpostDb, mv: ModelVersion): Promise<Predictor> {
  if (cached?.id === mv.id) return cached.predictor;
  const weights = await loadWeights(db, mv);
  if (!weights) throw new Error('The weights of this model version are not on this device yet. Connect to sync, then try again.');
  cached?.predictor.dispose();
  cached = { id: mv.id, predictor: await createPredictor(mv, weights) };
  return cached.predictor;
}

/** Keep only the model's input columns, as the log should hold what the model saw. */
function inputsOf(mv: ModelVersion, row: Row): Prediction['inputs'] {
  const out: Prediction['inputs'] = {};
  for (const f of mv.pipeline.features) out[f.name] = row[f.name] ?? null;
  return out;
}

/**
 * Predict rows with a model version and log every prediction (inputs, output, version, latency,
 * time) on the device in the same step; the log syncs like everything else.
 */
export async function predictAndLog(
  db: OutpostDb,
  mv: ModelVersion,
  rows: Row[],
  source: Prediction['source'],
  onProgress?: (fraction: number) => void,
): Promise<PredictionOutput[]> {
  const predictor = await predictorFor(db, mv);
  const outputs: PredictionOutput[] = [];
  const CHUNK = 1000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const part = rows.slice(i, i + CHUNK);
    const { outputs: outs, latencyMs } = await predictor.predict(part);
    const now = Date.now();
    await logPredictions(
      db,
      part.map((row, j) => ({
        id: newId(),
        projectId: mv.projectId,
        modelVersionId: mv.id,
        inputs: inputsOf(mv, row),
        output: outs[j],
        latencyMs: latencyMs[j] ?? 0,
        source,
        createdAt: now,
      })),
    );
    outputs.push(...outs);
    onProgress?.(Math.min(1, (i + part.length) / rows.length));
  }
  return outputs;
}

/** Results as CSV: the input columns, then the prediction (and one column per class probability). */
export function resultsCsv(mv: ModelVersion, rows: Row[], outputs: PredictionOutput[]): string {
  const inputCols = mv.pipeline.features.map((f) => f.name);
  const labels = mv.pipeline.target.kind === 'categorical' ? mv.pipeline.target.labels : [];
  const header = [...inputCols, 'prediction', ...labels.map((l) => `p_${l}`)];
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [header.map(esc).join(',')];
  rows.forEach((row, i) => {
    const o = outputs[i];
    lines.push([...inputCols.map((c) => row[c]), o.label ?? o.value, ...labels.map((l) => o.probabilities?.[l])].map(esc).join(','));
  });
  return lines.join('\n') + '\n';
}
