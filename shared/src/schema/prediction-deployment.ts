import { z } from 'zod';
import { Id } from './primitives.js';

/**
 * The part of a deployment a logged prediction carries (kept apart from deployment.ts so that the
 * prediction record does not depend on the registry's schemas). See deployment.ts for the modes
 * and levels.
 */

export const DeploymentMode = z.enum(['single', 'shadow', 'canary', 'blue_green']);
export type DeploymentMode = z.infer<typeof DeploymentMode>;

export const AutomationLevel = z.enum(['human', 'assist', 'partial', 'full']);
export type AutomationLevel = z.infer<typeof AutomationLevel>;

/** Which version answered a case: the deployment's champion or its challenger. */
export const Arm = z.enum(['champion', 'challenger']);
export type Arm = z.infer<typeof Arm>;

/**
 * What a logged prediction records of the deployment it followed. In shadow mode one case is two
 * predictions (one per arm) with the same `caseId`; `shown` tells which answer the person saw.
 */
export const PredictionDeployment = z.object({
  revision: z.number().int().min(1).max(1_000_000_000),
  mode: DeploymentMode,
  level: AutomationLevel,
  arm: Arm,
  caseId: Id,
  /** Whether this answer was shown (or acted on); a shadow's or a human-only level's is not. */
  shown: z.boolean(),
  /** Partial automation: the model was not sure enough, and a person decided. */
  deferred: z.boolean().optional(),
  /** The device did not yet have the version the deployment asks for and answered with this one. */
  behind: z.boolean().optional(),
  /** Canary: the row had no value in the key column, so it got the champion. */
  keyMissing: z.boolean().optional(),
});
export type PredictionDeployment = z.infer<typeof PredictionDeployment>;
