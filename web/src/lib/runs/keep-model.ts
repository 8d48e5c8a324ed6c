import type { QuantizedWeights, TrainParams } from '@shared/schema/records.js';
import type { EvaluationReport } from '@shared/metrics/evaluation-schema.js';
import { sha256Hex } from '@shared/data/hash.js';
import { testHeadline } from '@shared/registry/quantize.js';
import { versionMetric } from '@shared/registry/gates.js';
import type { OutpostDb } from '../db/db.js';
import { saveTrainedModel } from '../db/models.js';
import { afterTraining } from '../monitor/reference.js';
import { Predictor, type PredictableModel } from '../ml/client.js';
import type { TrainResult } from '../ml/protocol.js';

type Row = Record<string, string | number | null>;

/**
 * The smaller weights as a version keeps them, with what they cost: the test rows are run through
 * them in the prediction worker (as serving would load them) and their headline figure (accuracy,
 * or R² for a regression) is set beside the full weights' figure from the evaluation report.
 */
export async function measureSmaller(
  model: PredictableModel,
  small: NonNullable<TrainResult['quantized']>,
  testRows: Row[],
  evaluation: EvaluationReport | undefined,
): Promise<QuantizedWeights> {
  const kept: QuantizedWeights = {
    dtype: small.dtype,
    weightsHash: await sha256Hex(small.weights),
    weightsSize: small.weights.byteLength,
    weightSpecs: small.weightSpecs,
  };
  if (!evaluation || !testRows.length) return kept;
  const predictor = await Predictor.load(model, small.weights, { weightSpecs: small.weightSpecs });
  let outputs;
  try {
    outputs = (await predictor.predict(testRows)).outputs;
  } finally {
    predictor.dispose();
  }
  const headline = testHeadline(model.pipeline, testRows, outputs);
  const full = headline && versionMetric({ evaluation }, headline.metric);
  if (!headline || full === null || full === undefined) return kept;
  return { ...kept, metric: headline.metric, full, quantized: headline.value };
}

/**
 * What a completed training leaves on the device until it is registered: the reference and the
 * evaluation on the test rows (monitor/reference.ts), the smaller weights with their figure when
 * the project asked for them, and all the blobs. Returns the evaluation report for the run.
 */
export async function keepTrainedModel(
  db: OutpostDb,
  runId: string,
  params: TrainParams,
  rows: Row[],
  testRows: Row[],
  result: TrainResult,
): Promise<EvaluationReport | undefined> {
  const model: PredictableModel = { task: params.task, pipeline: result.pipeline, artifacts: result.artifacts };
  const after = await afterTraining(rows, testRows, params, model, result.weights);
  const quantized = result.quantized ? await measureSmaller(model, result.quantized, testRows, after.evaluation) : undefined;
  await saveTrainedModel(
    db,
    runId,
    {
      artifacts: result.artifacts,
      weightsHash: await sha256Hex(result.weights),
      weightsSize: result.weights.byteLength,
      reference: after.profile,
      ...(quantized ? { quantized } : {}),
    },
    result.weights,
    after.bytes,
    result.quantized?.weights,
  );
  return after.evaluation;
}
