import { z } from 'zod';
import { Count, Id, Millis } from './primitives.js';

/**
 * Records of human evaluation: blind rating studies (two model versions' answers on the same cases,
 * rated by people who do not know which answer came from which version), the ratings people give,
 * and a version's human baseline (how a person did on cases with a known result). Dataset rows stay
 * on the device, so a study carries its cases' inputs and both answers as shown text.
 */

/** The most cases one study holds (a seeded sample of the compared rows above that). */
export const STUDY_MAX_ITEMS = 200;
/** The most input columns one case shows (the first ones of the two versions' inputs). */
export const STUDY_MAX_INPUTS = 60;
/** The longest text one shown value may be (longer values are cut on the device). */
export const STUDY_MAX_TEXT = 300;

/** One input value as shown: text, a number, or nothing. */
const Cell = z.union([z.string().max(STUDY_MAX_TEXT), z.number().finite(), z.null()]);

/** One case of a study: the inputs shown to the rater and the answer of each version, as text. */
export const RatingItem = z.object({
  inputs: z.record(z.string().max(200), Cell).refine((o) => Object.keys(o).length <= STUDY_MAX_INPUTS, `A case shows at most ${STUDY_MAX_INPUTS} inputs.`),
  /** Version A's answer, as shown (e.g. "malignant (82% sure)"). */
  a: z.string().max(STUDY_MAX_TEXT),
  /** Version B's answer, as shown. */
  b: z.string().max(STUDY_MAX_TEXT),
});

/**
 * A blind rating study between two versions of a project (last-writer-wins per field). `seed`
 * decides the sample of cases and, with each case and each rater, which answer is shown first
 * (shared/src/metrics/human.ts `shownFirstFor`).
 */
export const RatingStudy = z.object({
  id: Id,
  projectId: Id,
  name: z.string().min(1).max(200),
  versionA: Id,
  versionB: Id,
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  items: z.array(RatingItem).min(1).max(STUDY_MAX_ITEMS),
  /** The dataset the cases came from (its rows stay on the device that made the study). */
  datasetName: z.string().max(200).optional(),
  /** Rows compared, and how many of them the two versions answered differently. */
  compared: Count,
  disagreements: Count,
  /** Who made it: a person's name, or "device". */
  by: z.string().max(200).optional(),
  createdAt: Millis,
  /** No more ratings are asked for (ratings that arrive later still count). */
  closed: z.boolean().optional(),
  deleted: z.boolean().optional(),
});

/** What a rater pressed: the answer shown first, the one shown second, or "the same". */
export const RatingChoice = z.enum(['first', 'second', 'same']);
/** Which version's answer was shown first. */
export const ShownFirst = z.enum(['a', 'b']);
/** The answer de-randomised: the version preferred, or neither. */
export const Preferred = z.enum(['a', 'b', 'same']);

/** The version a rater preferred, from what they pressed and which answer was shown first. */
export function preferredOf(choice: RatingChoice, shownFirst: ShownFirst): Preferred {
  if (choice === 'same') return 'same';
  if (choice === 'first') return shownFirst;
  return shownFirst === 'a' ? 'b' : 'a';
}

/**
 * One person's rating of one case of a study. Append-only: rating the case again adds a newer
 * rating, and the rater's newest (greatest `createdAt`, then greatest id) counts. `preferred` is
 * the answer de-randomised; it must agree with `choice` and `shownFirst`, which are kept so that
 * the randomisation can be checked afterwards.
 */
export const Rating = z
  .object({
    id: Id,
    studyId: Id,
    itemIndex: z
      .number()
      .int()
      .min(0)
      .max(STUDY_MAX_ITEMS - 1),
    /** The signed-in person's id, or the device's. */
    rater: z.string().min(1).max(64),
    choice: RatingChoice,
    shownFirst: ShownFirst,
    preferred: Preferred,
    createdAt: Millis,
  })
  .refine((r) => r.preferred === preferredOf(r.choice, r.shownFirst), {
    message: 'preferred does not follow from choice and shownFirst.',
    path: ['preferred'],
  });

const Rate = z.number().min(0).max(1);
const Label = z.string().max(200);

/** Precision, recall and F1 of one label or one average. */
const Prf = z.object({ precision: Rate, recall: Rate, f1: Rate });

/**
 * The headline figures of a set of decisions against the known results, the same as a version's
 * test-split report has where no probabilities are needed (a person gives none): accuracy, macro and
 * weighted precision/recall/F1, the positive label's figures for two labels, the confusion matrix.
 */
export const HumanClassificationMetrics = z.object({
  task: z.literal('classification'),
  n: Count,
  labels: z.array(Label).min(2).max(200),
  accuracy: Rate,
  macro: Prf,
  weighted: Prf,
  binary: Prf.extend({ positive: Label }).nullable(),
  /** confusion[i][j] = cases whose result is labels[i] and whose decision was labels[j]. */
  confusion: z.array(z.array(Count).max(200)).max(200),
  /** Decisions that were none of the labels (e.g. "unsure"): counted as wrong. */
  otherDecisions: Count,
});
export const HumanRegressionMetrics = z.object({
  task: z.literal('regression'),
  n: Count,
  mae: z.number().min(0).finite(),
  rmse: z.number().min(0).finite(),
  r2: z.number().finite(),
});
export const HumanMetrics = z.discriminatedUnion('task', [HumanClassificationMetrics, HumanRegressionMetrics]);

/**
 * How people did on a sample of cases with a known result, kept on a model version: the person's
 * decisions scored like the model's test split, and the model's own figures on the same cases when
 * the file carried its inputs.
 */
export const HumanBaseline = z.object({
  /** Cases scored (rows with both a result and a decision). */
  rows: Count,
  /** Rows left out: no result, a result that is not one of the model's labels, or no decision. */
  skipped: Count,
  metrics: HumanMetrics,
  /** The model on the same cases (when the rows had every input it reads). */
  model: HumanMetrics.optional(),
  decisionColumn: z.string().min(1).max(200),
  targetColumn: z.string().min(1).max(200),
  fileName: z.string().max(300).optional(),
  recordedAt: Millis,
});

export type RatingItem = z.infer<typeof RatingItem>;
export type RatingStudy = z.infer<typeof RatingStudy>;
export type RatingChoice = z.infer<typeof RatingChoice>;
export type ShownFirst = z.infer<typeof ShownFirst>;
export type Preferred = z.infer<typeof Preferred>;
export type Rating = z.infer<typeof Rating>;
export type HumanClassificationMetrics = z.infer<typeof HumanClassificationMetrics>;
export type HumanRegressionMetrics = z.infer<typeof HumanRegressionMetrics>;
export type HumanMetrics = z.infer<typeof HumanMetrics>;
export type HumanBaseline = z.infer<typeof HumanBaseline>;
