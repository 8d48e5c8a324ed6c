import { z } from 'zod';
import {
  ColumnInfo,
  EpochMetrics,
  EvalMetrics,
  ModelArtifacts,
  PredictionOutput,
  QuantizedWeights,
  TfjsArtifacts,
  TreesArtifacts,
  Task,
  TrainParams,
} from '@shared/schema/records.js';
import { FeaturePipeline } from '@shared/schema/pipeline.js';
import type { Explanation, Importance } from '@shared/explain/shapley.js';
import type { ModelDescription } from '@shared/registry/import.js';
import { ErrorCodeSchema } from './error-code.js';

/** A worker's sentence as a catalogue message (a SaidError's), so the page says it in the person's language. */
const SaidWire = z.object({ key: z.string(), values: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).optional();

/**
 * Messages between the main thread and the ML workers. Both sides parse everything they receive
 * with these schemas (house rule 4), so a stale worker from an older release or a stray message
 * fails loudly instead of corrupting a run.
 */
const Cell = z.union([z.string(), z.number(), z.null()]);
const Rows = z.array(z.record(z.string(), Cell));
export const BackendName = z.enum(['wasm', 'webgl', 'cpu']);
export type BackendName = z.infer<typeof BackendName>;

// ---- training worker ----

const WeightSpecs = TfjsArtifacts.shape.weightSpecs;

/**
 * Where training starts instead of fresh seeded weights: a registered version's weights (a
 * fine-tune, docs/runs.md), or a run's last checkpoint with its Adam state and the epochs it had
 * done (carrying on). The weights are those of a layers model of the same topology, in order.
 */
export const TrainInit = z.object({
  weightSpecs: WeightSpecs,
  weights: z.instanceof(ArrayBuffer),
  /** Carrying on: the optimizer's own state (optimizer.getWeights()), encoded the same way. */
  optimizer: z.object({ weightSpecs: WeightSpecs, weights: z.instanceof(ArrayBuffer) }).optional(),
  /** Carrying on: the epochs already done, whose shuffles are replayed so the next sees the same order. */
  epochs: z.array(EpochMetrics).max(100_000).optional(),
  /** Carrying on: time already spent training, added to the run's duration. */
  elapsedMs: z.number().nonnegative().optional(),
});
export type TrainInit = z.infer<typeof TrainInit>;

/** A run's state after an epoch, enough to carry on from it (kept in kv by the session). */
export const TrainCheckpointSchema = z.object({
  weightSpecs: WeightSpecs,
  weights: z.instanceof(ArrayBuffer),
  optimizer: z.object({ weightSpecs: WeightSpecs, weights: z.instanceof(ArrayBuffer) }),
  epochs: z.array(EpochMetrics),
  pipeline: FeaturePipeline,
  elapsedMs: z.number().nonnegative(),
});
export type TrainCheckpoint = z.infer<typeof TrainCheckpointSchema>;

export const TrainRequest = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('train'),
    rows: Rows,
    columns: z.array(ColumnInfo),
    params: TrainParams,
    backend: BackendName.optional(),
    /** Also make the trained weights smaller in this form (the project asks for smaller downloads). */
    quantization: QuantizedWeights.shape.dtype.optional(),
    /** Start from these weights (a network of the same topology) instead of fresh ones. */
    init: TrainInit.optional(),
    /** Use this fitted pipeline (the parent version's, or the run's own) instead of fitting one, so the weights mean the same. */
    pipeline: FeaturePipeline.optional(),
    /** Post a checkpoint after an epoch at most this often (and always after the last). */
    checkpointEveryMs: z.number().nonnegative().optional(),
  }),
  /** Photos (docs/images.md): each a PNG of side×side pixels, its class index and its part of the split. */
  z.object({
    type: z.literal('train-photos'),
    photos: z
      .array(z.object({ png: z.instanceof(ArrayBuffer), label: z.number().int().nonnegative(), part: z.enum(['train', 'validation', 'test']) }))
      .max(50_000),
    classes: z.array(z.string().max(200)).min(1).max(100),
    side: z.number().int().min(8).max(256),
    params: TrainParams,
    backend: BackendName.optional(),
  }),
  z.object({ type: z.literal('cancel') }),
]);
export type TrainRequest = z.infer<typeof TrainRequest>;

export const TrainResultSchema = z.object({
  status: z.enum(['completed', 'cancelled']),
  pipeline: FeaturePipeline,
  /** A network or linear model as TensorFlow.js layers, or a forest's trees (docs/model-families.md). */
  artifacts: z.discriminatedUnion('format', [TfjsArtifacts, TreesArtifacts]),
  /** Transferred, not copied: the worker's buffer is detached after posting. */
  weights: z.instanceof(ArrayBuffer),
  epochs: z.array(EpochMetrics),
  metrics: EvalMetrics,
  trainRows: z.number().int().nonnegative(),
  validationRows: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** The backend actually used (`tf.getBackend()`), e.g. 'wasm' after a WebGL request fell back. */
  backend: z.string(),
  /**
   * The same weights made smaller (shared/src/registry/quantize.ts), when asked for and the weights
   * allow it (a half float cannot hold a weight past 65504). Transferred like `weights`.
   */
  quantized: z.object({ dtype: QuantizedWeights.shape.dtype, weightSpecs: QuantizedWeights.shape.weightSpecs, weights: z.instanceof(ArrayBuffer) }).optional(),
});
/** What a training produces: the model with its pipeline, metrics and provenance. */
export type TrainResult = z.infer<typeof TrainResultSchema>;

export const TrainMessage = z.discriminatedUnion('type', [
  /** Posted once the backend is ready, before the first batch. */
  z.object({ type: z.literal('started'), backend: z.string() }),
  z.object({ type: z.literal('epoch'), epoch: EpochMetrics }),
  z.object({ type: z.literal('progress'), fraction: z.number().min(0).max(1) }),
  z.object({ type: z.literal('checkpoint'), checkpoint: TrainCheckpointSchema }),
  z.object({ type: z.literal('done'), result: TrainResultSchema }),
  z.object({ type: z.literal('error'), code: ErrorCodeSchema, message: z.string(), said: SaidWire }),
]);
export type TrainMessage = z.infer<typeof TrainMessage>;

// ---- prediction worker ----

export const LoadableModelSchema = z.object({
  task: Task,
  pipeline: FeaturePipeline,
  artifacts: ModelArtifacts,
  weights: z.instanceof(ArrayBuffer),
  /** A binary model's decision threshold (the positive class from this probability up). */
  threshold: z.number().min(0).max(1).optional(),
  /** The weight manifest of `weights` when they are not the version's own (its quantized weights). */
  weightSpecs: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.string() }).passthrough()).optional(),
});
/** What a runtime needs to load a model version: its metadata and its weight bytes. */
export type LoadableModel = z.infer<typeof LoadableModelSchema>;

/**
 * The scalar an explanation explains: the probability of one class (the predicted one, unless
 * the person asks about another) for a classifier, the predicted value for a regression.
 */
export const ExplainTarget = z.discriminatedUnion('kind', [z.object({ kind: z.literal('class'), label: z.string() }), z.object({ kind: z.literal('value') })]);
export type ExplainTarget = z.infer<typeof ExplainTarget>;

// Sample counts and seeds are checked by the estimator (shared/src/explain), which says what to
// do in a sentence; the schema only makes sure they are numbers.
const ExplainParams = { background: Rows, samples: z.number(), seed: z.number(), explain: ExplainTarget };

export const PredictRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('load'), model: LoadableModelSchema, backend: BackendName.optional() }),
  z.object({ type: z.literal('predict'), id: z.number().int(), rows: Rows }),
  /** Items of a model that reads a tensor: each a nested array of its input shape. */
  z.object({ type: z.literal('predict-tensors'), id: z.number().int(), items: z.array(z.unknown()).max(100_000) }),
  /** Shapley values of one row's output against background rows (usually training rows). */
  z.object({ type: z.literal('explain'), id: z.number().int(), row: z.record(z.string(), Cell), ...ExplainParams }),
  /** Mean |Shapley value| per input over `rows`. */
  z.object({ type: z.literal('importance'), id: z.number().int(), rows: Rows, ...ExplainParams }),
  /** Live tensor count and bytes in the worker, to check that nothing leaks. */
  z.object({ type: z.literal('stats'), id: z.number().int() }),
  /** Open a model file being imported and say what its inputs and outputs are (nothing is kept loaded). */
  z.object({
    type: z.literal('describe'),
    id: z.number().int(),
    file: z.discriminatedUnion('format', [
      z.object({ format: z.literal('onnx'), bytes: z.instanceof(ArrayBuffer) }),
      z.object({
        format: z.literal('tfjs-layers'),
        modelTopology: z.unknown(),
        weightSpecs: TfjsArtifacts.shape.weightSpecs,
        weights: z.instanceof(ArrayBuffer),
      }),
    ]),
  }),
]);
export type PredictRequest = z.infer<typeof PredictRequest>;

export const ExplanationSchema = z.object({
  features: z.array(z.object({ name: z.string(), value: Cell, contribution: z.number(), stderr: z.union([z.number(), z.nan()]) })),
  baseline: z.number(),
  output: z.number(),
  samples: z.number().int().positive(),
  backgroundRows: z.number().int().positive(),
}) satisfies z.ZodType<Explanation>;

export const ImportanceSchema = z.object({
  features: z.array(z.object({ name: z.string(), meanAbs: z.number().nonnegative() })),
  rows: z.number().int().positive(),
  samples: z.number().int().positive(),
  backgroundRows: z.number().int().positive(),
}) satisfies z.ZodType<Importance>;

const TensorInfoSchema = z.object({ name: z.string(), type: z.string(), shape: z.array(z.union([z.number(), z.string()])) });
export const ModelDescriptionSchema = z.object({
  format: z.enum(['onnx', 'tfjs-layers']),
  inputs: z.array(TensorInfoSchema),
  outputs: z.array(TensorInfoSchema),
  producer: z.string().optional(),
  opset: z.number().optional(),
}) satisfies z.ZodType<ModelDescription>;

export const PredictMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('loaded'), backend: z.string() }),
  z.object({
    type: z.literal('result'),
    id: z.number().int(),
    outputs: z.array(PredictionOutput),
    /**
     * Per row. Rows are predicted in one batched call, so each row's latency is its share of the
     * batch; for a single row it is the whole call (pipeline transform + network).
     */
    latencyMs: z.array(z.number().nonnegative()),
    batchMs: z.number().nonnegative(),
  }),
  z.object({ type: z.literal('stats'), id: z.number().int(), numTensors: z.number(), numBytes: z.number() }),
  z.object({ type: z.literal('described'), id: z.number().int(), description: ModelDescriptionSchema }),
  z.object({ type: z.literal('explanation'), id: z.number().int(), explanation: ExplanationSchema, durationMs: z.number().nonnegative() }),
  z.object({ type: z.literal('importance'), id: z.number().int(), importance: ImportanceSchema, durationMs: z.number().nonnegative() }),
  /** Without an id, the error answers a 'load' (or a message too garbled to carry one). */
  z.object({ type: z.literal('error'), id: z.number().int().optional(), code: ErrorCodeSchema, message: z.string(), said: SaidWire }),
]);
export type PredictMessage = z.infer<typeof PredictMessage>;
