import { splitRows } from '@shared/data/split.js';
import { sha256Hex } from '@shared/data/hash.js';
import { buildReference, referenceSample } from '@shared/monitor/reference.js';
import { evaluationReport } from '@shared/metrics/report.js';
import type { EvaluationReport } from '@shared/metrics/evaluation-schema.js';
import { ReferenceRows, type ReferenceProfile } from '@shared/schema/monitoring.js';
import type { ModelVersion, TrainParams } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { completeBlobBytes } from '../db/blobs.js';
import { gzip } from '../sync/compress.js';
import { createPredictor, type PredictableModel } from '../ml/client.js';

type Row = Record<string, string | number | null>;

/**
 * What a finished training leaves for monitoring and trust, from one load of the new model in
 * the prediction worker (so both hold what serving answers):
 * - the reference: the run's training rows (the same seeded split the worker made; sampled down
 *   to REFERENCE_MAX_ROWS), profiled, with the model's own answers on them; the rows become a
 *   content-addressed blob (gzip-compressed JSON);
 * - the evaluation report on the rows held out for testing, which training never saw.
 */
export async function afterTraining(
  rows: Row[],
  testRows: Row[],
  params: TrainParams,
  model: PredictableModel,
  weights: ArrayBuffer,
): Promise<{ profile: ReferenceProfile; bytes: ArrayBuffer; evaluation?: EvaluationReport }> {
  const { train } = splitRows(rows, params);
  const sample = referenceSample(train, params.seed) as Row[];
  const predictor = await createPredictor(model, weights);
  let outputs;
  let testOutputs;
  try {
    outputs = (await predictor.predict(sample)).outputs;
    testOutputs = testRows.length ? (await predictor.predict(testRows)).outputs : [];
  } finally {
    predictor.dispose();
  }
  const ref = buildReference(sample, model.pipeline, outputs, train.length);
  const json = JSON.stringify(ref.rows);
  const zipped = await gzip(json);
  const bytes = zipped ? zipped.slice().buffer : new TextEncoder().encode(json).buffer;
  const evaluation = testRows.length
    ? evaluationReport({ pipeline: model.pipeline, testRows, outputs: testOutputs, trainRows: train, seed: params.seed })
    : undefined;
  return { profile: { ...ref.profile, blob: { hash: await sha256Hex(bytes), size: bytes.byteLength } }, bytes, evaluation };
}

const isGzip = (b: Uint8Array) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

async function gunzip(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes.slice().buffer]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/**
 * The reference rows of a version, when its reference blob is on this device (it downloads with
 * the weights); undefined otherwise, or for versions made before references were kept.
 */
export async function loadReferenceRows(db: OutpostDb, mv: Pick<ModelVersion, 'reference'>): Promise<ReferenceRows | undefined> {
  if (!mv.reference) return undefined;
  const stored = await completeBlobBytes(db, mv.reference.blob.hash);
  if (!stored) return undefined;
  const bytes = new Uint8Array(stored);
  const text = isGzip(bytes) ? await gunzip(bytes) : new TextDecoder().decode(bytes);
  const parsed = ReferenceRows.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}
