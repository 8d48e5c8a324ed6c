import { z } from 'zod';
import { Id, Millis } from './primitives.js';
import { Actor } from './registry.js';
import { AutomationLevel, DeploymentMode } from './prediction-deployment.js';

export { Arm, AutomationLevel, DeploymentMode, PredictionDeployment } from './prediction-deployment.js';

/**
 * Deployments: how a project's models meet the world. One per project, owned by the server (only
 * a person who may promote changes it; devices pull it and follow it offline until the next
 * change). A deployment names a champion version, optionally a challenger, a mode and a level of
 * automation; every change is a new `revision`, made by compare-and-set, and kept in the
 * deployment's history (`deployment_events`, server only).
 *
 * Modes:
 * - `single`: the champion answers every case.
 * - `shadow`: the challenger runs hidden on every case beside the champion (or beside the person's
 *   own decision when there is no champion); both are logged, only the champion's or the person's
 *   answer is shown.
 * - `canary`: a share of subjects (patients, fields: the values of `canary.keyColumn`) gets the
 *   challenger, by a stable hash of the key (shared/src/deploy/assign.ts) so a subject never flips
 *   between models while the share only grows; the share follows a ramp, advanced by a person or
 *   by rules, and rolled back automatically when one of the chosen monitors alerts.
 * - `blue_green`: the champion answers; the challenger is the other colour, downloaded and kept
 *   ready on every device. The switch swaps the two in one change; switching back is one change
 *   too and needs no download.
 *
 * Levels of automation (Google's "Rules of ML" / the course texts' human-in-the-loop ladder):
 * - `human`: the model's answer is hidden and logged; the person decides (shadow for the person);
 * - `assist`: the answer is shown as a suggestion; the person decides and their decision is kept;
 * - `partial`: the model decides when its top probability is at least `confidence`; otherwise the
 *   case is deferred to the person (classification only);
 * - `full`: the model decides.
 * A person's decision is recorded as an outcome (`source: 'decision'`), so it feeds the quality
 * monitors until the real result arrives, and it is compared with that result for the human baseline.
 */

/** The monitors whose alert rolls a canary back (keys of shared/src/monitor/states.ts). */
export const RollbackMonitor = z.enum(['errorRate', 'latencyP95Ms', 'quality', 'drift']);
export type RollbackMonitor = z.infer<typeof RollbackMonitor>;
export const ROLLBACK_MONITORS: readonly RollbackMonitor[] = RollbackMonitor.options;

/** A share of subjects, 0 (none) to 1 (all). */
const Share = z.number().min(0).max(1);

/** The ramp a canary follows when no one says otherwise. */
export const DEFAULT_RAMP: readonly number[] = [0.05, 0.25, 0.5, 1];

export const CanarySettings = z.object({
  /** The column whose value names a subject (a patient id, a field code). Rows without it get the champion. */
  keyColumn: z.string().trim().min(1).max(200),
  /** Shares of subjects, each greater than the one before (for example 5% -> 25% -> 50% -> 100%). */
  ramp: z
    .array(Share.refine((s) => s > 0, 'each step of the ramp gives the new version some share (above 0%)'))
    .min(1)
    .max(10)
    .refine((r) => r.every((s, i) => i === 0 || s > r[i - 1]), 'each step of the ramp must give a larger share than the one before'),
  /** Where on the ramp the canary is now (an index into `ramp`). */
  step: z.number().int().min(0).max(9),
  /**
   * Advance to the next step by rule: once the challenger has answered at least `minPredictions`
   * cases and `minHours` have passed at this step with none of `rollbackOn` in alert. Null: only a
   * person advances it.
   */
  advance: z
    .object({
      minPredictions: z.number().int().min(1).max(10_000_000),
      minHours: z
        .number()
        .min(0)
        .max(24 * 365),
    })
    .nullable(),
  /** Monitors of the challenger whose alert stops the canary (the champion then answers everyone). */
  rollbackOn: z.array(RollbackMonitor).max(4),
  /** When the canary reached its current step (rules count hours from it). */
  stepSince: Millis,
});
export type CanarySettings = z.infer<typeof CanarySettings>;

/** What a deployment says, without who changed it or when (a change proposes one of these). */
export const DeploymentState = z
  .object({
    mode: DeploymentMode,
    /** The version that answers. Null only in shadow mode with people deciding (no model answers yet). */
    champion: Id.nullable(),
    /** Shadow: runs hidden beside; canary: answers a share; blue-green: the other colour. Null in `single`. */
    challenger: Id.nullable(),
    level: AutomationLevel,
    /** Partial automation: the model decides when its top probability is at least this. */
    confidence: z.number().min(0).max(1).optional(),
    canary: CanarySettings.optional(),
  })
  .superRefine((d, ctx) => {
    const issue = (message: string, path: string) => ctx.addIssue({ code: 'custom', message, path: [path] });
    if (d.mode === 'single' && d.challenger !== null) issue('a single model has no second version: choose shadow, canary or blue-green for two', 'challenger');
    if (d.mode !== 'single' && d.challenger === null) issue('this mode needs a second version (the challenger)', 'challenger');
    if (d.champion === null && d.mode !== 'shadow')
      issue('only shadow mode can run without a champion (people decide while the new version is watched)', 'champion');
    if (d.champion !== null && d.champion === d.challenger) issue('the champion and the challenger must be different versions', 'challenger');
    if (d.mode === 'canary' && !d.canary) issue('a canary needs its key column and ramp', 'canary');
    if (d.mode === 'canary' && d.canary && d.canary.step >= d.canary.ramp.length) issue('the canary step is past the end of its ramp', 'canary');
    if (d.level === 'partial' && d.confidence === undefined)
      issue('partial automation needs the confidence at which the model decides on its own', 'confidence');
  });
export type DeploymentState = z.infer<typeof DeploymentState>;

/** The deployment record every device pulls: its state, its revision, and the last change. */
export const Deployment = z.object({
  /** The project's id: one deployment per project. */
  id: Id,
  projectId: Id,
  /** 1 for the first; every change adds one (compare-and-set on it). */
  revision: z.number().int().min(1).max(1_000_000_000),
  state: DeploymentState,
  changedBy: Actor,
  /** Why, in the person's words, or the monitor reading that rolled a canary back. */
  why: z.string().max(1000),
  at: Millis,
});
export type Deployment = z.infer<typeof Deployment>;

/** Kinds of change in a deployment's history. */
export const DeploymentEventKind = z.enum(['changed', 'advanced', 'switched', 'rolled_back', 'refused']);

/** One entry of a deployment's history, written by the server in the same transaction as the change. */
export const DeploymentEvent = z.object({
  id: Id,
  projectId: Id,
  kind: DeploymentEventKind,
  /** The revision this made (a refusal: the revision it was refused against). */
  revision: z.number().int().min(0).max(1_000_000_000),
  before: DeploymentState.nullable(),
  after: DeploymentState.nullable(),
  actor: Actor,
  why: z.string().max(1000),
  at: Millis,
});
export type DeploymentEvent = z.infer<typeof DeploymentEvent>;

/**
 * A request to change a deployment (console form or `PUT /api/deployments/{projectId}`):
 * `expectedRevision` is the revision the person saw (0 when there is none yet); when someone else
 * changed it meanwhile, the change is refused with `conflict` and who made the newer one.
 * `force` switches blue-green even when some devices have not yet downloaded the new colour
 * (they keep answering with the version they have until they do).
 */
export const DeploymentChangeRequest = z.object({
  expectedRevision: z.number().int().min(0).max(1_000_000_000),
  state: z.unknown(),
  why: z.string().max(1000),
  force: z.boolean().optional(),
});
export type DeploymentChangeRequest = z.infer<typeof DeploymentChangeRequest>;

/** What a device tells the fleet view about one project's deployment (in its status report). */
export const DeviceDeploymentStatus = z.object({
  projectId: Id,
  /** The newest revision this device has pulled. */
  revision: z.number().int().min(1).max(1_000_000_000),
  /** The version it answers with now (null: people decide). */
  serving: Id.nullable(),
  /** It cannot yet follow the revision (a version's weights are not downloaded). */
  behind: z.boolean(),
});
export type DeviceDeploymentStatus = z.infer<typeof DeviceDeploymentStatus>;
