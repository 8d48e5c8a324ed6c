import { z } from 'zod';
import { ByteSize, Count, Id, Millis } from './primitives.js';

/**
 * Records and settings of monitoring and the feedback loop: outcomes (the ground truth recorded
 * after a prediction), what a model version keeps of its training data to compare the field with
 * (its reference profile), a project's monitor settings, and the daily summaries a device keeps
 * and sends for the fleet view.
 */
const Name = z.string().min(1).max(200);
const Finite = z.number().finite();

/** The true answer for a classification (a label) or a regression (a number). */
export const OutcomeValue = z.union([z.string().trim().min(1).max(200), Finite]);

/**
 * The ground truth of one logged prediction, recorded later, perhaps on another device.
 * Append-only: recording again adds a newer outcome; the one with the greatest `recordedAt` (ties:
 * the greater id, ids being UUIDv7) is the prediction's outcome, and the older ones stay as history.
 */
export const Outcome = z.object({
  id: Id,
  projectId: Id,
  predictionId: Id,
  /** The prediction's model version, when the recording device knew the prediction. */
  modelVersionId: Id.optional(),
  value: OutcomeValue,
  /**
   * How it was recorded: from the prediction log, the follow-up list, or a CSV file; `decision`: the
   * person's own decision on the case at predict time (a deployment's human, assisted or deferred
   * case), which counts until a real result is recorded after it.
   */
  source: z.enum(['log', 'follow_up', 'csv', 'decision']),
  recordedAt: Millis,
});

/** Warning and alert levels of one monitor. `higherIsWorse` monitors warn above; the others below. */
export const Level = z.object({ warning: Finite, alert: Finite });

/** Every monitor with a threshold a person can change (see MONITOR_DEFAULTS for the defaults). */
export const MonitorThresholds = z.object({
  /** p95 of per-prediction latency, in milliseconds. */
  latencyP95Ms: Level,
  /** Share of predictions that failed. */
  errorRate: Level,
  /** Share of input values that were missing. */
  missingShare: Level,
  /** Share of numeric input values outside the training range. */
  outOfRangeShare: Level,
  /** Share of categorical input values never seen in training. */
  unseenShare: Level,
  /** Share of input values of the wrong type (text in a number field). */
  invalidShare: Level,
  /** How far the mean confidence fell below training's (classification). */
  confidenceDrop: Level,
  /** Quality over outcomes, in the unit of the quality metric (lower is worse; MAE: higher is worse). */
  quality: Level,
  /** OpenScale's fairness score, disparate impact x 100 (lower is worse). */
  fairnessScore: Level,
  /** Fewest predictions a day before the volume monitor warns (0: never). */
  minPerDay: Level,
});

export const QualityMetric = z.enum(['auc', 'accuracy', 'f1', 'r2', 'mae', 'rmse']);

export const DriftWindow = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('count'), size: z.number().int().min(10).max(100_000) }),
  z.object({ kind: z.literal('days'), days: z.number().int().min(1).max(365) }),
]);
export const DriftSettings = z.object({
  /** auto: Evidently's default test by column type and reference size; psi: PSI for every column. */
  method: z.enum(['auto', 'psi']),
  window: DriftWindow,
});

/** Which predictions a business figure counts: by predicted label and/or outcome. */
export const Kpi = z.object({
  id: Id,
  name: Name,
  /** Count predictions whose predicted label is this (any when absent). */
  predicted: z.string().max(200).optional(),
  /** ...and whose outcome is this (any, outcome or not, when absent). */
  outcome: z.string().max(200).optional(),
  /** What one counted case is worth (1 to count cases; a cost per case otherwise). */
  perCase: Finite,
  unit: z.string().max(40),
});

export const RetrainRules = z.object({
  onDrift: z.boolean(),
  /** Propose a retrain when quality over outcomes falls below this (null: never). */
  qualityBelow: Finite.nullable(),
  /** Propose a retrain when this many new outcomes arrived since the version was registered (null: never). */
  newOutcomes: z.number().int().min(1).max(1_000_000).nullable(),
});

export const FairnessSettings = z.object({
  /** The protected attribute: a column of the data, kept with every prediction even when the model does not use it. */
  attribute: Name,
  privileged: z.string().max(200),
  favourable: z.string().max(200),
});

/** The monitor settings of a project; each is its own synced field (last writer wins per setting). */
export const ProjectMonitoring = z.object({
  fairness: FairnessSettings.optional(),
  monitorThresholds: MonitorThresholds.partial().optional(),
  qualityMetric: QualityMetric.optional(),
  drift: DriftSettings.optional(),
  retrainRules: RetrainRules.optional(),
  kpis: z.array(Kpi).max(20).optional(),
  /**
   * Whether a prediction's inputs (and kept attributes) travel to the server with it. Unset or true:
   * they do. False: the server gets each prediction's answer, time and latency without what was
   * typed, and the monitors' day counts; the inputs stay on the device.
   */
  shareInputs: z.boolean().optional(),
});

// ---- the reference a model version keeps of its training data ----

export const NumericProfile = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  missing: Count,
  min: Finite,
  max: Finite,
  mean: Finite,
  /** Inner bin edges at the reference deciles (repeated edges merged); bins are open at both ends. */
  edges: z.array(Finite).max(9),
  /** Reference values per bin (edges.length + 1 bins). */
  counts: z.array(Count).max(10),
});
export const CategoricalProfile = z.object({
  name: z.string(),
  kind: z.literal('categorical'),
  missing: Count,
  /** Reference values per category, most frequent first. */
  counts: z.array(z.tuple([z.string(), Count])).max(200),
});
export const FeatureProfile = z.discriminatedUnion('kind', [NumericProfile, CategoricalProfile]);

/** The model's own answers on the reference rows: class shares and confidence, or the value's bins. */
export const OutputProfile = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('classes'),
    counts: z.record(z.string(), Count),
    /** Top-class probability per tenth: [0, 0.1), ..., [0.9, 1]. */
    confidence: z.array(Count).length(10),
    meanConfidence: Finite,
  }),
  z.object({ kind: z.literal('value'), min: Finite, max: Finite, mean: Finite, edges: z.array(Finite).max(9), counts: z.array(Count).max(10) }),
]);

/**
 * What a model version keeps of the rows it was trained on, to compare the field with: a small
 * profile inline (ranges, categories, decile bins, the model's answers on those rows) and the rows
 * themselves (at most REFERENCE_MAX_ROWS, a seeded sample above that) as a content-addressed blob
 * that syncs like the weights.
 */
export const ReferenceProfile = z.object({
  rows: Count,
  /** Training rows in all; more than `rows` when the reference is a sample. */
  ofRows: Count,
  features: z.array(FeatureProfile).max(500),
  output: OutputProfile,
  /** The target's values on the reference rows (label drift of outcomes is tested against them). */
  target: FeatureProfile,
  blob: z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), size: ByteSize }),
});

/** The rows of a reference (the blob's content, gzip-compressed JSON), column by column. */
export const ReferenceRows = z.object({
  version: z.literal(1),
  rows: Count,
  columns: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.null()]))),
  target: z.array(z.union([z.string(), z.number(), z.null()])),
  /** The model's answer per row: a label or a value. */
  predicted: z.array(z.union([z.string(), z.number()])),
  /** The top-class probability per row (classification). */
  confidence: z.array(Finite).optional(),
});

/** Rows kept in a reference; a larger training set is sampled (seeded) down to this. */
export const REFERENCE_MAX_ROWS = 5000;

export type Outcome = z.infer<typeof Outcome>;
export type OutcomeValue = z.infer<typeof OutcomeValue>;
export type Level = z.infer<typeof Level>;
export type MonitorThresholds = z.infer<typeof MonitorThresholds>;
export type QualityMetric = z.infer<typeof QualityMetric>;
export type DriftWindow = z.infer<typeof DriftWindow>;
export type DriftSettings = z.infer<typeof DriftSettings>;
export type Kpi = z.infer<typeof Kpi>;
export type RetrainRules = z.infer<typeof RetrainRules>;
export type FairnessSettings = z.infer<typeof FairnessSettings>;
export type ProjectMonitoring = z.infer<typeof ProjectMonitoring>;
export type NumericProfile = z.infer<typeof NumericProfile>;
export type CategoricalProfile = z.infer<typeof CategoricalProfile>;
export type FeatureProfile = z.infer<typeof FeatureProfile>;
export type OutputProfile = z.infer<typeof OutputProfile>;
export type ReferenceProfile = z.infer<typeof ReferenceProfile>;
export type ReferenceRows = z.infer<typeof ReferenceRows>;
