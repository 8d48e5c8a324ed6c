import { z } from 'zod';

/**
 * A fitted feature pipeline: what training learned from the training rows only (means, standard
 * deviations, category lists, imputation values) and what serving applies to every input row.
 * It travels with every model version so that training and serving transform rows identically.
 * Numeric: x' = ((x ?? impute) - mean) / std (std of 0 is stored as 1).
 * Categorical: one-hot over `categories`; an unseen or missing value imputes `impute` (the mode).
 */
/**
 * Where a derived numeric feature comes from: a part of a date column (year, month, day, weekday
 * 1–7 from Monday, day of the year; dd/mm/yyyy-style values read in `order`) or the length in
 * characters or words of a text column. The feature's own name ("visit (year)") is what a model
 * card and a form show; the row is read at `column`.
 */
export const FeatureSource = z.object({
  column: z.string(),
  part: z.enum(['year', 'month', 'day', 'weekday', 'yearday', 'length', 'words']),
  order: z.enum(['dmy', 'mdy']).optional(),
});
export const NumericFeature = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  mean: z.number(),
  std: z.number().positive(),
  impute: z.number(),
  /** Absent: the column of the same name, read as a number (every pipeline of version 1). */
  source: FeatureSource.optional(),
});
export const CategoricalFeature = z.object({
  name: z.string(),
  kind: z.literal('categorical'),
  categories: z.array(z.string()).min(1),
  impute: z.string(),
});
export const FeatureSpec = z.discriminatedUnion('kind', [NumericFeature, CategoricalFeature]);

export const ClassificationTarget = z.object({
  name: z.string(),
  kind: z.literal('categorical'),
  labels: z.array(z.string()).min(2),
});
/** Regression targets are standardised for training; predictions are mapped back with mean/std. */
export const RegressionTarget = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  mean: z.number(),
  std: z.number().positive(),
});
export const TargetSpec = z.discriminatedUnion('kind', [ClassificationTarget, RegressionTarget]);

export const FeaturePipeline = z.object({
  /** 2 when some feature is derived (`source`), so that an older app refuses the model instead of reading it wrongly. */
  version: z.union([z.literal(1), z.literal(2)]),
  /** Empty only for a model that reads a tensor rather than rows (see ModelInput). */
  features: z.array(FeatureSpec),
  target: TargetSpec,
});

export type FeatureSource = z.infer<typeof FeatureSource>;
export type NumericFeature = z.infer<typeof NumericFeature>;
export type CategoricalFeature = z.infer<typeof CategoricalFeature>;
export type FeatureSpec = z.infer<typeof FeatureSpec>;
export type TargetSpec = z.infer<typeof TargetSpec>;
export type FeaturePipeline = z.infer<typeof FeaturePipeline>;
