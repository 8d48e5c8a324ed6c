import { z } from 'zod';
import { FeaturePipeline } from './pipeline.js';
import { ByteSize, Count, DurationMs, Id, Millis } from './primitives.js';
import { ProjectMonitoring, ReferenceProfile } from './monitoring.js';
import { Gates } from '../registry/gates.js';
import { EvaluationReport } from '../metrics/evaluation-schema.js';

/**
 * Every record that a device makes and syncs. Ids are UUIDv7 made on the device; times are epoch
 * milliseconds from the device clock (display only: ordering uses hybrid logical clocks).
 * `orgId` and `deviceId` are never trusted from a body: the server takes them from the credential.
 */
export { Id, MAX_MILLIS, Millis, Count, DurationMs, ByteSize } from './primitives.js';

export const Project = z.object({
  id: Id,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  createdAt: Millis,
  deleted: z.boolean().optional(),
  ...ProjectMonitoring.shape,
  /** The checks a version must pass before it may become the production version. */
  gates: Gates.optional(),
});

export const ColumnType = z.enum(['numeric', 'categorical']);
export const ColumnInfo = z.object({
  name: z.string(),
  type: ColumnType,
  missing: Count,
  distinct: Count,
  /** Values that do not parse as the column's inferred type (e.g. "abc" in a numeric column). */
  invalid: Count.default(0),
  min: z.number().optional(),
  max: z.number().optional(),
  mean: z.number().optional(),
  /** Most frequent values with counts (categorical), at most 20. */
  top: z
    .array(z.tuple([z.string(), Count]))
    .max(100)
    .optional(),
});

/** Metadata of an imported dataset; the rows themselves stay on the device. */
export const DatasetMeta = z.object({
  id: Id,
  projectId: Id,
  name: z.string().min(1).max(200),
  fileName: z.string().max(300),
  /** SHA-256 (hex) of the file's bytes as imported. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  rowCount: Count,
  columns: z.array(ColumnInfo),
  target: z.string().optional(),
  createdAt: Millis,
  deleted: z.boolean().optional(),
});

export const Task = z.enum(['classification', 'regression']);

export const TrainParams = z.object({
  task: Task,
  target: z.string(),
  features: z.array(z.string()).min(1),
  epochs: z.number().int().min(1).max(10000),
  batchSize: z.number().int().min(1).max(65536),
  learningRate: z.number().positive().max(10),
  hiddenLayers: z.array(z.number().int().min(1).max(4096)).max(8),
  validationFraction: z.number().gt(0).lt(1),
  /**
   * Share of the rows held apart before anything else, never seen by training or validation, for
   * the version's evaluation report (runs from before it had none).
   */
  testFraction: z.number().min(0).max(0.5).optional(),
  seed: z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 32),
});

export const EpochMetrics = z.object({
  epoch: z.number().int().min(0).max(100_000),
  loss: z.number(),
  valLoss: z.number().optional(),
  /** accuracy (classification) or MAE (regression) on the training and validation rows. */
  metric: z.number().optional(),
  valMetric: z.number().optional(),
});

export const ClassificationMetrics = z.object({
  task: z.literal('classification'),
  accuracy: z.number(),
  f1: z.number(),
  /** Which F1: binary (positive label = second label) for two classes, macro otherwise. */
  f1Average: z.enum(['binary', 'macro', 'weighted']),
  precision: z.number(),
  recall: z.number(),
  labels: z.array(z.string()),
  /** confusion[i][j] = rows whose true label is labels[i] and predicted label is labels[j]. */
  confusion: z.array(z.array(Count)),
  logLoss: z.number().optional(),
});
export const RegressionMetrics = z.object({
  task: z.literal('regression'),
  mae: z.number(),
  rmse: z.number(),
  r2: z.number(),
});
export const EvalMetrics = z.discriminatedUnion('task', [ClassificationMetrics, RegressionMetrics]);

export const RunStatus = z.enum(['running', 'completed', 'cancelled', 'failed']);

export const Run = z.object({
  id: Id,
  projectId: Id,
  datasetId: Id,
  datasetHash: z.string(),
  status: RunStatus,
  params: TrainParams,
  epochs: z.array(EpochMetrics).max(10_000),
  metrics: EvalMetrics.optional(),
  /** The report on the rows held out for testing (see TrainParams.testFraction). */
  evaluation: EvaluationReport.optional(),
  testRows: Count.optional(),
  pipeline: FeaturePipeline.optional(),
  backend: z.string(),
  appVersion: z.string(),
  trainRows: Count.optional(),
  validationRows: Count.optional(),
  durationMs: DurationMs.optional(),
  error: z.string().optional(),
  startedAt: Millis,
  finishedAt: Millis.optional(),
  deleted: z.boolean().optional(),
});

export const Stage = z.enum(['none', 'staging', 'production', 'archived']);

/** The in-memory, serialisable form of a TensorFlow.js Layers model minus its weight bytes. */
export const TfjsArtifacts = z.object({
  format: z.literal('tfjs-layers'),
  modelTopology: z.unknown(),
  weightSpecs: z.array(z.object({ name: z.string(), shape: z.array(Count), dtype: z.string() }).passthrough()),
});

export const ModelVersion = z.object({
  id: Id,
  projectId: Id,
  modelName: z.string().min(1).max(200),
  version: z.number().int().min(1).max(1_000_000),
  runId: Id.optional(),
  task: Task,
  pipeline: FeaturePipeline,
  artifacts: TfjsArtifacts,
  /** SHA-256 (hex) of the weight bytes; the bytes travel as a content-addressed blob. */
  weightsHash: z.string().regex(/^[0-9a-f]{64}$/),
  weightsSize: ByteSize,
  metrics: EvalMetrics.optional(),
  /** The evaluation report on held-out test rows, from its run. */
  evaluation: EvaluationReport.optional(),
  /**
   * Binary models: the positive class is answered when its probability reaches this (0.5 when
   * unset), chosen from the prices of a missed case and of a false alarm on the test rows.
   */
  decision: z
    .object({
      threshold: z.number().min(0).max(1),
      missCost: z.number().min(0).max(1e12),
      falseAlarmCost: z.number().min(0).max(1e12),
      expectedCost: z.number().min(0).max(1e12),
    })
    .optional(),
  /** What the version keeps of its training rows to compare the field with (versions from before monitoring have none). */
  reference: ReferenceProfile.optional(),
  stage: Stage,
  schemaVersion: z.literal(1),
  appVersion: z.string(),
  createdAt: Millis,
  deleted: z.boolean().optional(),
});

export const PredictionOutput = z.object({
  label: z.string().optional(),
  value: z.number().optional(),
  probabilities: z.record(z.string(), z.number()).optional(),
});

/** One logged prediction. Append-only: never changed after it is written. */
export const Prediction = z.object({
  id: Id,
  projectId: Id,
  modelVersionId: Id,
  inputs: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  output: PredictionOutput,
  latencyMs: DurationMs,
  source: z.enum(['form', 'batch']),
  createdAt: Millis,
  /** Why the prediction failed (its output is then empty); failures are logged for the error monitor. */
  error: z.string().max(300).optional(),
  /**
   * Values of columns the project monitors that the model does not read (the protected attribute
   * of the fairness monitor), kept beside the inputs.
   */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
});

export type Project = z.infer<typeof Project>;
export type ColumnInfo = z.infer<typeof ColumnInfo>;
export type DatasetMeta = z.infer<typeof DatasetMeta>;
export type Task = z.infer<typeof Task>;
export type TrainParams = z.infer<typeof TrainParams>;
export type EpochMetrics = z.infer<typeof EpochMetrics>;
export type ClassificationMetrics = z.infer<typeof ClassificationMetrics>;
export type RegressionMetrics = z.infer<typeof RegressionMetrics>;
export type EvalMetrics = z.infer<typeof EvalMetrics>;
export type Run = z.infer<typeof Run>;
export type Stage = z.infer<typeof Stage>;
export type TfjsArtifacts = z.infer<typeof TfjsArtifacts>;
export type ModelVersion = z.infer<typeof ModelVersion>;
export type PredictionOutput = z.infer<typeof PredictionOutput>;
export type Prediction = z.infer<typeof Prediction>;
