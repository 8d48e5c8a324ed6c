import { z } from 'zod';

/**
 * A fitted feature pipeline: what training learned from the training rows only (means, standard
 * deviations, category lists, imputation values) and what serving applies to every input row.
 * It travels with every model version so that training and serving transform rows identically.
 * Numeric: x' = ((x ?? impute) - mean) / std (std of 0 is stored as 1).
 * Categorical: one-hot over `categories`; an unseen or missing value imputes `impute` (the mode).
 */
export const NumericFeature = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  mean: z.number(),
  std: z.number().positive(),
  impute: z.number(),
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
  version: z.literal(1),
  /** Empty only for a model that reads a tensor rather than rows (see ModelInput). */
  features: z.array(FeatureSpec),
  target: TargetSpec,
});

export type NumericFeature = z.infer<typeof NumericFeature>;
export type CategoricalFeature = z.infer<typeof CategoricalFeature>;
export type FeatureSpec = z.infer<typeof FeatureSpec>;
export type TargetSpec = z.infer<typeof TargetSpec>;
export type FeaturePipeline = z.infer<typeof FeaturePipeline>;
