import { z } from 'zod';
import { FeaturePipeline } from './pipeline.js';
import { ByteSize, Count, DurationMs, Id, Millis } from './primitives.js';
import { ProjectMonitoring, ReferenceProfile } from './monitoring.js';
import { Gates } from '../registry/gates.js';
import { EvaluationReport } from '../metrics/evaluation-schema.js';
import { HumanBaseline } from './human.js';
import { PredictionDeployment } from './prediction-deployment.js';
import { DataRule } from './data-rules.js';
import { CanvasFields } from './canvas.js';
import { CollectionForm } from '../forms/form.js';

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
  /** The machine learning canvas, one synced field per block (canvas.ts). */
  ...CanvasFields.shape,
  /** The checks a version must pass before it may become the production version. */
  gates: Gates.optional(),
  /**
   * Smaller weights for 2G: versions registered in this project also keep their weights in this
   * form, and this project's devices download those instead of the full ones. Null: turned off
   * again (a synced field is cleared with null, as merges never drop a field).
   */
  quantization: z.enum(['float16', 'uint8']).nullable().optional(),
  /** Dataset rows sync (their shareable form, personal columns left out or hashed): off unless set. */
  shareRows: z.boolean().optional(),
  /**
   * The project's salt for hashed personal columns (hex, made by the first device that needs it),
   * synced so equal values hash equal on every device; the organisation's server holds it too.
   */
  rowSalt: z
    .string()
    .regex(/^[0-9a-f]{32,64}$/)
    .optional(),
});

/** `date`: calendar dates (stored as YYYY-MM-DD after import); `text`: free text, many distinct long values. */
export const ColumnType = z.enum(['numeric', 'categorical', 'date', 'text']);
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
  /** Numeric columns written with a decimal comma (36,6) or comma thousands (1,234.5); absent: a decimal point. */
  numberStyle: z.enum(['point', 'comma', 'thousands']).optional(),
  /** Date columns: how dd/mm/yyyy-style values were read (day first or month first). */
  dateOrder: z.enum(['dmy', 'mdy']).optional(),
  /** The values alone could not tell (03/04/2024, or 1,250): the choice shown at import decided. */
  ambiguous: z.boolean().optional(),
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
  /** How the file was read: format, text encoding (as TextDecoder names it) and CSV separator; older records have none. */
  source: z
    .object({
      format: z.enum(['csv', 'json', 'jsonl']),
      encoding: z.string().max(40),
      separator: z.string().max(4).optional(),
    })
    .optional(),
  createdAt: Millis,
  deleted: z.boolean().optional(),
  /** The version the dataset is at now (its newest on the device that changed it); absent before versions. */
  versionId: Id.optional(),
  /** The data tests a person declared, checked on every new version (shared/src/data/rules.ts). */
  rules: z.array(DataRule).max(100).optional(),
  /** Personal columns and what syncing does with them: never sent, or sent as a salted hash. */
  personal: z.record(z.string().max(200), z.enum(['never', 'hash'])).optional(),
  /**
   * A dataset of photos (docs/images.md): `column` holds each photo's SHA-256 (a blob, a side×side
   * RGB PNG), `label` its class or nothing yet; `labels` are the classes a person can pick.
   */
  images: z
    .object({
      column: z.string().min(1).max(200),
      label: z.string().min(1).max(200),
      side: z.number().int().min(8).max(256),
      labels: z.array(z.string().min(1).max(100)).max(100),
    })
    .optional(),
  /** The collection form that adds entries to this dataset (shared/src/forms/form.ts); null once removed. */
  form: CollectionForm.nullable().optional(),
});

export const Task = z.enum(['classification', 'regression']);

/**
 * Which kind of model a run trains (docs/model-families.md): the dense network, a linear model
 * (logistic regression for classes, ridge regression for values) or a random forest of CART trees.
 */
export const ModelFamily = z.enum(['network', 'linear', 'forest']);

export const TrainParams = z.object({
  task: Task,
  /** Absent on runs from before there was a choice: those trained the network. */
  family: ModelFamily.optional(),
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
  /** Linear: the L2 penalty, as scikit-learn's Ridge alpha and 1/C of its LogisticRegression (Σ loss + l2/2·‖w‖²). */
  l2: z.number().min(0).max(1e6).optional(),
  /** Forest: how many trees, how deep each may grow, and the fewest training rows a leaf may hold. */
  trees: z.number().int().min(1).max(500).optional(),
  maxDepth: z.number().int().min(1).max(32).optional(),
  minLeaf: z.number().int().min(1).max(1000).optional(),
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

/**
 * Which rows a run trained, validated and tested on: the seeded split (shared/src/data/lineage.ts)
 * recomputed from the version's rows and these parameters gives the same indices, and `indexHash`
 * (SHA-256 of the three index lists) proves it.
 */
export const RunSplit = z.object({
  method: z.literal('outpost-split-1'),
  train: Count,
  validation: Count,
  test: Count,
  indexHash: z.string().regex(/^[0-9a-f]{64}$/),
});

export const RunStatus = z.enum(['running', 'completed', 'cancelled', 'failed']);

/** Where a run trained: enough to tell two devices apart and to explain a figure that differs. */
export const RunDevice = z.object({
  userAgent: z.string().max(500),
  /** navigator.platform or the user-agent data's platform, when the browser tells. */
  platform: z.string().max(100).optional(),
  cores: z.number().int().min(1).max(1024).optional(),
  /** navigator.deviceMemory (GiB, rounded by the browser), when the browser tells. */
  memoryGb: z.number().min(0).max(4096).optional(),
});

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
  /** The exact dataset version trained on (runs from before versions have only the dataset and its hash). */
  datasetVersionId: Id.optional(),
  split: RunSplit.optional(),
  /** Set when a person trained on a version that failed its data tests: the rules that failed. */
  checksOverride: z.object({ failed: z.array(z.string().max(500)).max(100), at: Millis }).optional(),
  /** The hyperparameter search and trial number this run was (docs/search.md). */
  search: z.object({ studyId: Id, trial: z.number().int().min(0).max(100_000) }).optional(),
  /** A person's words on a run, for finding and comparing runs later (docs/runs.md). */
  tags: z.array(z.string().min(1).max(40)).max(20).optional(),
  note: z.string().max(2000).optional(),
  /** The device and browser the run trained on (runs from before it was recorded have none). */
  device: RunDevice.optional(),
  /** "Run again": the run this one reproduces (same dataset version, split, seed and backend). */
  rerunOf: Id.optional(),
  /** Fine-tuning: the registered version whose weights this run started from (same inputs). */
  fineTune: z.object({ fromVersionId: Id, fromRunId: Id.optional() }).optional(),
  /** Each time training was cut off and carried on from its last saved epoch. */
  resumed: z
    .array(z.object({ fromEpoch: z.number().int().min(0).max(100_000), at: Millis }))
    .max(1000)
    .optional(),
});

export const Stage = z.enum(['none', 'staging', 'production', 'archived']);

/**
 * How a model receives its input. `tabular`: rows of named columns, turned into one feature vector
 * per row by the version's pipeline. `tensor`: the caller supplies each item as a nested array of
 * this shape (image-like inputs), scaled as x * scale + offset before the model sees it.
 */
export const TensorInput = z.object({
  kind: z.literal('tensor'),
  /** The shape of one item, without the batch dimension (e.g. [1, 28, 28] or [30]). */
  shape: z.array(z.number().int().min(1).max(100_000)).min(1).max(6),
  scale: z.number().finite(),
  offset: z.number().finite(),
  /** For images: where the colour channels are in `shape` (channels first or last). */
  layout: z.enum(['nchw', 'nhwc']).optional(),
});
export const ModelInput = z.discriminatedUnion('kind', [z.object({ kind: z.literal('tabular') }), TensorInput]);

/**
 * What a model's output holds: class probabilities as they are, class scores (logits) that need a
 * softmax, or a regression's value (decoded through the pipeline's target). Absent means what
 * Outpost's own training makes: probabilities for classes, a standardised value for regression.
 */
export const ModelOutputKind = z.enum(['probabilities', 'logits', 'value']);

/** The in-memory, serialisable form of a TensorFlow.js Layers model minus its weight bytes. */
export const TfjsArtifacts = z.object({
  format: z.literal('tfjs-layers'),
  modelTopology: z.unknown(),
  weightSpecs: z.array(z.object({ name: z.string(), shape: z.array(Count), dtype: z.string() }).passthrough()),
  /** Imported models and models trained on photos (other trained ones read tabular rows and answer as described above). */
  input: ModelInput.optional(),
  output: ModelOutputKind.optional(),
  /** What Outpost trained into these layers: the network (when absent) or a linear model. */
  family: z.enum(['network', 'linear']).optional(),
});

/**
 * A random forest trained by Outpost (shared/src/models/forest.ts): the weight blob is the trees
 * as JSON (UTF-8), content-addressed like any weights; it answers class probabilities (vote
 * shares) or a standardised value, read like a network's.
 */
export const TreesArtifacts = z.object({
  format: z.literal('outpost-trees'),
  kind: z.literal('random-forest'),
  trees: z.number().int().min(1).max(500),
  /** Values the model reads per row (the pipeline's feature width) and answers per row. */
  inputWidth: Count,
  outputWidth: z.number().int().min(1).max(100),
  /** Never set: a forest reads tabular rows and answers as Outpost's training does (see ModelOutputKind). */
  input: z.object({ kind: z.literal('tabular') }).optional(),
  output: z.undefined().optional(),
});

/** An ONNX model: the weight blob is the .onnx file itself; this says how to feed and read it. */
export const OnnxArtifacts = z.object({
  format: z.literal('onnx'),
  /** The graph input that receives the features (or the tensor), and the output that is read. */
  inputName: z.string().min(1).max(200),
  outputName: z.string().min(1).max(200),
  input: ModelInput,
  output: ModelOutputKind,
  /** As the file names them, e.g. "pytorch 2.3.0", and the default-domain opset it needs. */
  producer: z.string().max(200).optional(),
  opset: z.number().int().min(1).max(1000).optional(),
});

export const ModelArtifacts = z.discriminatedUnion('format', [TfjsArtifacts, OnnxArtifacts, TreesArtifacts]);

/**
 * Smaller weights for slow links, made at registration: TensorFlow.js weights as float16 or uint8
 * (the weight manifest's own quantization, which TensorFlow.js undoes when it loads them).
 */
export const QuantizedWeights = z.object({
  dtype: z.enum(['float16', 'uint8']),
  weightsHash: z.string().regex(/^[0-9a-f]{64}$/),
  weightsSize: ByteSize,
  /** The weight manifest of the quantized bytes (each entry carries its `quantization`). */
  weightSpecs: z.array(z.object({ name: z.string(), shape: z.array(Count), dtype: z.string() }).passthrough()),
  /** The headline metric on the test rows with the full weights and with these (accuracy, or R² for regression). */
  metric: z.string().max(50).optional(),
  full: z.number().optional(),
  quantized: z.number().optional(),
});

/** Where a version came from when it was not trained by Outpost. */
export const ImportedFrom = z.object({
  fileName: z.string().max(300),
  format: z.enum(['onnx', 'tfjs-layers', 'outpost-trees']),
  /** Who brought it in: a person's name on the console, or "device". */
  by: z.string().max(200).optional(),
  at: Millis,
});

export const ModelVersion = z.object({
  id: Id,
  projectId: Id,
  modelName: z.string().min(1).max(200),
  version: z.number().int().min(1).max(1_000_000),
  runId: Id.optional(),
  task: Task,
  pipeline: FeaturePipeline,
  artifacts: ModelArtifacts,
  /** SHA-256 (hex) of the weight bytes (an ONNX model's file); the bytes travel as a content-addressed blob. */
  weightsHash: z.string().regex(/^[0-9a-f]{64}$/),
  weightsSize: ByteSize,
  metrics: EvalMetrics.optional(),
  /** The evaluation report on held-out test rows, from its run. */
  evaluation: EvaluationReport.optional(),
  /**
   * Set when `evaluation` was measured on a dataset a person picked rather than on the run's test
   * rows (an imported version has no run): which dataset, its content hash, and how many rows.
   */
  evaluatedOn: z
    .object({ datasetId: Id, datasetName: z.string().max(200), datasetHash: z.string().regex(/^[0-9a-f]{64}$/), rows: Count, at: Millis })
    .optional(),
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
  /** The same weights, smaller; devices of a project that asks for it download these instead. */
  quantized: QuantizedWeights.optional(),
  /** Set on versions brought in from a file (ONNX or TensorFlow.js) rather than trained here. */
  imported: ImportedFrom.optional(),
  /** What a person wrote for the version's model card: what it is for, and what it must not be used for. */
  card: z
    .object({
      intendedUse: z.string().max(4000).default(''),
      limitations: z.string().max(4000).default(''),
    })
    .optional(),
  /** How people did on a sample of cases with a known result, beside the model (shared/src/schema/human.ts). */
  humanBaseline: HumanBaseline.optional(),
  /** Fine-tuned: the version whose weights its run started from. */
  parentVersionId: Id.optional(),
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
  /** `server`: answered by POST /api/models/versions/{id}/predict. */
  source: z.enum(['form', 'batch', 'server']),
  createdAt: Millis,
  /** Why the prediction failed (its output is then empty); failures are logged for the error monitor. */
  error: z.string().max(300).optional(),
  /**
   * Values of columns the project monitors that the model does not read (the protected attribute
   * of the fairness monitor), kept beside the inputs.
   */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
  /** The project's deployment this prediction followed: its revision, mode, level and arm (shared/src/schema/deployment.ts). */
  deployment: PredictionDeployment.optional(),
});

export type Project = z.infer<typeof Project>;
export type ColumnInfo = z.infer<typeof ColumnInfo>;
export type DatasetMeta = z.infer<typeof DatasetMeta>;
export type Task = z.infer<typeof Task>;
export type RunSplit = z.infer<typeof RunSplit>;
export type TrainParams = z.infer<typeof TrainParams>;
export type EpochMetrics = z.infer<typeof EpochMetrics>;
export type ClassificationMetrics = z.infer<typeof ClassificationMetrics>;
export type RegressionMetrics = z.infer<typeof RegressionMetrics>;
export type EvalMetrics = z.infer<typeof EvalMetrics>;
export type Run = z.infer<typeof Run>;
export type RunDevice = z.infer<typeof RunDevice>;
export type Stage = z.infer<typeof Stage>;
export type TfjsArtifacts = z.infer<typeof TfjsArtifacts>;
export type OnnxArtifacts = z.infer<typeof OnnxArtifacts>;
export type TreesArtifacts = z.infer<typeof TreesArtifacts>;
export type ModelFamily = z.infer<typeof ModelFamily>;
export type ModelArtifacts = z.infer<typeof ModelArtifacts>;
export type TensorInput = z.infer<typeof TensorInput>;
export type ModelInput = z.infer<typeof ModelInput>;
export type ModelOutputKind = z.infer<typeof ModelOutputKind>;
export type QuantizedWeights = z.infer<typeof QuantizedWeights>;
export type ImportedFrom = z.infer<typeof ImportedFrom>;
export type ModelVersion = z.infer<typeof ModelVersion>;
export type PredictionOutput = z.infer<typeof PredictionOutput>;
export type Prediction = z.infer<typeof Prediction>;
