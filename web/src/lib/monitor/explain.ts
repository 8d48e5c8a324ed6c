import type { Explanation, Importance } from '@shared/explain/shapley.js';
import { mulberry32, shuffleInPlace } from '@shared/data/random.js';
import type { ReferenceRows } from '@shared/schema/monitoring.js';
import type { ModelVersion, PredictionOutput } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { SaidError } from '../said-error.js';
import { loadReferenceRows } from './reference.js';
import { predictorFor } from './predict.js';

type Row = Record<string, string | number | null>;

/** Permutations per explanation, and training rows each is measured against (stated on screen). */
export const EXPLAIN_SAMPLES = 100;
export const BACKGROUND_ROWS = 100;
/** A whole version: this many training rows explained, each with this many permutations. */
export const IMPORTANCE_ROWS = 50;
export const IMPORTANCE_SAMPLES = 20;
const SEED = 20261201;

/** `n` rows of the reference (a seeded sample), as rows of the model's inputs. */
export function referenceSampleRows(ref: ReferenceRows, n: number, seed = SEED): Row[] {
  const idx = shuffleInPlace(
    Array.from({ length: ref.rows }, (_, i) => i),
    mulberry32(seed),
  ).slice(0, n);
  return idx.map((i) => Object.fromEntries(Object.entries(ref.columns).map(([name, values]) => [name, values[i] ?? null])));
}

async function background(db: OutpostDb, mv: ModelVersion): Promise<ReferenceRows> {
  const ref = await loadReferenceRows(db, mv);
  if (!ref) {
    throw new SaidError('not_found', { key: mv.reference ? 'error.trainingDataNotHere' : 'error.explainTooOld' });
  }
  return ref;
}

const target = (mv: ModelVersion, output: PredictionOutput) =>
  mv.pipeline.target.kind === 'categorical' ? { kind: 'class' as const, label: output.label ?? mv.pipeline.target.labels[0] } : { kind: 'value' as const };

/**
 * Which inputs pushed one prediction which way: sampling Shapley values of the predicted class's
 * probability (or the value) against training rows, in the model's worker, offline.
 */
export async function explainPrediction(db: OutpostDb, mv: ModelVersion, row: Row, output: PredictionOutput): Promise<Explanation> {
  const ref = await background(db, mv);
  const predictor = await predictorFor(db, mv);
  const { explanation } = await predictor.explain(row, referenceSampleRows(ref, BACKGROUND_ROWS), {
    samples: EXPLAIN_SAMPLES,
    seed: SEED,
    explain: target(mv, output),
  });
  return explanation;
}

/** Which inputs matter most to a version overall: mean |Shapley value| over training rows. */
export async function versionImportance(db: OutpostDb, mv: ModelVersion): Promise<Importance> {
  const ref = await background(db, mv);
  const predictor = await predictorFor(db, mv);
  const explain =
    mv.pipeline.target.kind === 'categorical'
      ? { kind: 'class' as const, label: mv.pipeline.target.labels[mv.pipeline.target.labels.length - 1] }
      : { kind: 'value' as const };
  const { importance } = await predictor.importance(referenceSampleRows(ref, IMPORTANCE_ROWS, SEED + 1), referenceSampleRows(ref, BACKGROUND_ROWS), {
    samples: IMPORTANCE_SAMPLES,
    seed: SEED,
    explain,
  });
  return importance;
}
