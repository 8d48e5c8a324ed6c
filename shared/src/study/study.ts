import { z } from 'zod';
import { Count, DurationMs, Id, Millis } from '../schema/primitives.js';
import { TrainParams } from '../schema/records.js';
import { SearchSpace } from '../search/space.js';

/**
 * A hyperparameter search over one project's dataset (docs/search.md). The study is a
 * last-writer-wins record (its status moves running → stopped/finished); each finished trial is its
 * own append-only record (`Trial`), as Optuna's journal storage keeps a study as an append-only
 * log, so a study closed midway resumes from the trials already written, on this device or after a
 * restore, and every device and the console see the same history.
 *
 * `base` holds what the search does not change (task, target, features, validation and test
 * shares, seed); each trial's training parameters are `base` with the trial's values laid over it
 * (trialParams in train-params.ts). The objective is the validation loss, or the validation metric
 * (accuracy, maximised; the typical error for a regression, minimised), at the trial's last epoch;
 * the same figure after each epoch is what the median pruner compares.
 */
export const StudyObjective = z.enum(['valLoss', 'valMetric']);
export const StudyStatus = z.enum(['running', 'stopped', 'finished']);

export const StudyBudget = z
  .object({
    trials: z.number().int().min(1).max(1000).optional(),
    minutes: z
      .number()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
  })
  .refine((b) => b.trials !== undefined || b.minutes !== undefined, { message: 'A budget needs a number of trials or of minutes.' });

export const Study = z.object({
  id: Id,
  projectId: Id,
  datasetId: Id,
  /** The dataset version every trial trains on: the one current when the search started. */
  datasetVersionId: Id.optional(),
  name: z.string().max(200),
  base: TrainParams,
  space: SearchSpace,
  objective: StudyObjective,
  direction: z.enum(['minimize', 'maximize']),
  budget: StudyBudget,
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  sampler: z.object({ kind: z.literal('tpe'), nStartupTrials: z.number().int().min(0).max(1000), nEiCandidates: z.number().int().min(1).max(1000) }),
  pruner: z.object({
    kind: z.enum(['median', 'none']),
    nStartupTrials: z.number().int().min(0).max(1000),
    nWarmupSteps: z.number().int().min(0).max(10_000),
    intervalSteps: z.number().int().min(1).max(10_000),
  }),
  backend: z.string().max(20),
  /** Set when the person trained on a version that failed its data tests (the runs say so too). */
  override: z.boolean().optional(),
  status: StudyStatus,
  /** Why it stopped: the budget was spent, the person stopped it, or a trial could not run. */
  stopReason: z.enum(['budget', 'person', 'error']).optional(),
  createdAt: Millis,
  finishedAt: Millis.optional(),
  deleted: z.boolean().optional(),
});

export const TrialState = z.enum(['complete', 'pruned', 'failed']);

/** One finished trial. Its id is `<study id>.<number>`, so a trial recorded twice is one record. */
export const Trial = z.object({
  id: Id,
  studyId: Id,
  projectId: Id,
  number: z.number().int().min(0).max(100_000),
  state: TrialState,
  params: z.record(z.string().max(60), z.union([z.number(), z.string().max(200)])),
  value: z.number().optional(),
  /** The objective after each epoch; null where it was not a number. */
  intermediate: z.array(z.number().nullable()).max(10_000),
  /** The training run of the trial (a run the person can open, compare and register). */
  runId: Id.optional(),
  error: z.string().max(500).optional(),
  startedAt: Millis,
  finishedAt: Millis,
  durationMs: DurationMs,
  epochs: Count.optional(),
});

export type StudyObjective = z.infer<typeof StudyObjective>;
export type StudyStatus = z.infer<typeof StudyStatus>;
export type StudyBudget = z.infer<typeof StudyBudget>;
export type Study = z.infer<typeof Study>;
export type TrialState = z.infer<typeof TrialState>;
export type Trial = z.infer<typeof Trial>;

/** The id of trial `number` of a study (see Trial). */
export const trialId = (studyId: string, number: number): string => `${studyId}.${number}`;
