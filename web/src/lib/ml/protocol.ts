import { z } from 'zod';
import { ColumnInfo, EpochMetrics, EvalMetrics, PredictionOutput, TfjsArtifacts, Task, TrainParams } from '../../../../shared/src/schema/records.js';
import { FeaturePipeline } from '../../../../shared/src/schema/pipeline.js';

/** Messages between the main thread and the ML workers; both sides parse what they receive. */
const Cell = z.union([z.string(), z.number(), z.null()]);
const Rows = z.array(z.record(z.string(), Cell));
const Backend = z.enum(['wasm', 'webgl', 'cpu']);

export const TrainRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('train'), rows: Rows, columns: z.array(ColumnInfo), params: TrainParams, backend: Backend.optional() }),
  z.object({ type: z.literal('cancel') }),
]);
export type TrainRequest = z.infer<typeof TrainRequest>;

export const TrainMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('epoch'), epoch: EpochMetrics }),
  z.object({ type: z.literal('progress'), fraction: z.number() }),
  z.object({
    type: z.literal('done'),
    result: z.object({
      status: z.enum(['completed', 'cancelled']),
      pipeline: FeaturePipeline,
      artifacts: TfjsArtifacts,
      weights: z.instanceof(ArrayBuffer),
      epochs: z.array(EpochMetrics),
      metrics: EvalMetrics,
      trainRows: z.number(),
      validationRows: z.number(),
      durationMs: z.number(),
      backend: z.string(),
    }),
  }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type TrainMessage = z.infer<typeof TrainMessage>;

export const PredictRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('load'),
    model: z.object({ task: Task, pipeline: FeaturePipeline, artifacts: TfjsArtifacts, weights: z.instanceof(ArrayBuffer) }),
    backend: Backend.optional(),
  }),
  z.object({ type: z.literal('predict'), id: z.number(), rows: Rows }),
  z.object({ type: z.literal('stats'), id: z.number() }),
]);
export type PredictRequest = z.infer<typeof PredictRequest>;

export const PredictMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('loaded'), backend: z.string() }),
  z.object({ type: z.literal('result'), id: z.number(), outputs: z.array(PredictionOutput), latencyMs: z.array(z.number()) }),
  z.object({ type: z.literal('stats'), id: z.number(), numTensors: z.number(), numBytes: z.number() }),
  z.object({ type: z.literal('error'), id: z.number().optional(), code: z.string(), message: z.string() }),
]);
export type PredictMessage = z.infer<typeof PredictMessage>;
