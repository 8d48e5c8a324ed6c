import { z } from 'zod';
import { Count, Id, Millis } from './primitives.js';
import { TrainParams } from './records.js';
import { Gates } from '../registry/gates.js';

/**
 * A declared training pipeline (docs/pipelines.md): one project's fixed chain of steps from a
 * dataset to a registered model version, re-run by a person's tap or by a rule. Not the *feature*
 * pipeline (schema/pipeline.ts), which scales and encodes inputs inside one model.
 *
 * The steps always run in this order; each reads the outputs of the ones before it.
 */
export const PIPELINE_STEPS = ['ingest', 'validate', 'split', 'train', 'evaluate', 'gate', 'register'] as const;
export const StepName = z.enum(PIPELINE_STEPS);
export type StepName = z.infer<typeof StepName>;

/** Steps a person may switch off; ingest and train always run. */
export const OPTIONAL_STEPS: readonly StepName[] = ['validate', 'split', 'evaluate', 'gate', 'register'];

/**
 * What each step does, in its own settings. Train parameters carry the target, task and features;
 * the split's shares and seed are laid over them (`trainParamsOf`), so one seed names one split.
 */
export const PipelineSteps = z.object({
  ingest: z.object({ datasetId: Id }),
  validate: z.object({
    on: z.boolean(),
    /** Stop when any of the dataset's data tests fails on the version (else only note the failures). */
    requireTests: z.boolean(),
    /** Stop when the version has fewer rows than this. */
    minRows: Count.optional(),
  }),
  split: z.object({
    on: z.boolean(),
    validationFraction: z.number().gt(0).lt(1),
    testFraction: z.number().min(0).max(0.5),
    seed: z
      .number()
      .int()
      .min(-(2 ** 31))
      .max(2 ** 32),
  }),
  train: z.object({ params: TrainParams, backend: z.enum(['wasm', 'webgl', 'cpu']) }),
  evaluate: z.object({ on: z.boolean() }),
  gate: z.object({ on: z.boolean(), gates: Gates }),
  register: z.object({
    on: z.boolean(),
    modelName: z.string().trim().min(1).max(200),
    /** Make it the production version (a proposal on a device of an organisation). */
    makeProduction: z.boolean(),
  }),
});
export type PipelineSteps = z.infer<typeof PipelineSteps>;

/** When the pipeline runs again without a tap. */
export const PipelineRules = z.object({
  /** A new version of the pipeline's dataset with rows added or changed. */
  onNewRows: z.boolean(),
  /** The monitor proposes retraining the model the pipeline registers. */
  onRetrainProposal: z.boolean(),
});
export type PipelineRules = z.infer<typeof PipelineRules>;

/** One project's pipeline (at most one per project: its id is the project's). */
export const Pipeline = z.object({
  id: Id,
  projectId: Id,
  steps: PipelineSteps,
  rules: PipelineRules,
  createdAt: Millis,
  updatedAt: Millis,
  /** Set when its project is deleted: the tombstone syncs, and the pipeline never runs again. Its runs stay as lineage. */
  deleted: z.boolean().optional(),
});
export type Pipeline = z.infer<typeof Pipeline>;

/** A sentence not yet in words (said.ts): a catalogue key of the `pipeline.*` family and its values. */
export const PipelineSaid = z.object({
  key: z.string().min(1).max(100),
  values: z.record(z.string().max(100), z.union([z.string().max(4000), z.number()])).optional(),
});
export type PipelineSaid = z.infer<typeof PipelineSaid>;

export const StepStatus = z.enum(['done', 'reused', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

/** What a step made, by id or content hash (a version id, a split hash, a run id, weights hash...). */
export const StepOutputs = z.record(z.string().max(100), z.union([z.string().max(200), z.number(), z.boolean()]));
export type StepOutputs = z.infer<typeof StepOutputs>;

/**
 * One step of one run: its lineage. `inputKey` is the cache key (SHA-256 of the step's settings and
 * its inputs' output keys); `outputKey` the content key the next steps read. A reused step names
 * the run it was first done in (`reusedFrom`). A skipped step says why: switched off, or an
 * earlier step failed.
 */
export const StepRecord = z.object({
  name: StepName,
  status: StepStatus,
  inputKey: z.string().max(64).optional(),
  outputKey: z.string().max(200).optional(),
  outputs: StepOutputs,
  startedAt: Millis.optional(),
  finishedAt: Millis.optional(),
  reusedFrom: Id.optional(),
  skippedBecause: z.enum(['off', 'earlier_failed']).optional(),
  reason: PipelineSaid.optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

/** Why a run started. */
export const PipelineTrigger = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person') }),
  z.object({ kind: z.literal('new_rows'), versionId: Id }),
  z.object({ kind: z.literal('retrain'), modelVersionId: Id }),
]);
export type PipelineTrigger = z.infer<typeof PipelineTrigger>;

/** The version a run is for: named before it starts (the dataset's current one, by default). */
export const PipelineInput = z.object({
  versionId: Id.nullable(),
  /** SHA-256 of the dataset's data tests when the run started (a changed test re-validates). */
  rulesKey: z.string().max(64),
  /** The production version when the run started, read by a gate that compares with it. */
  productionId: Id.nullable(),
});
export type PipelineInput = z.infer<typeof PipelineInput>;

export const PipelineRun = z.object({
  id: Id,
  pipelineId: Id,
  projectId: Id,
  status: z.enum(['running', 'done', 'failed']),
  trigger: PipelineTrigger,
  input: PipelineInput,
  steps: z.array(StepRecord).max(PIPELINE_STEPS.length),
  /** The cache keys of the steps done in this run: where a later run finds outputs to reuse. */
  cacheKeys: z.array(z.string().max(64)).max(PIPELINE_STEPS.length),
  /** How many steps executed (the rest were reused or skipped). */
  executed: Count,
  startedAt: Millis,
  finishedAt: Millis.optional(),
  /** The first failed step's reason. */
  reason: PipelineSaid.optional(),
});
export type PipelineRun = z.infer<typeof PipelineRun>;
