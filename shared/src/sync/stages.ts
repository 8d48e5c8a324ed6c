import { z } from 'zod';
import { Millis, Stage } from '../schema/records.js';
import { DeviceMeasurements } from '../schema/registry.js';

/**
 * Which stage moves a model version may make. Stage changes are not last-writer-wins: the server
 * applies each as a compare-and-set (it must find the version in `from`), so when the central team
 * and a device change the same version concurrently, whichever reaches the server first wins and
 * the other is rejected; the device then shows the server's state. `archived -> production` is a
 * rollback. Promoting a version to production archives the project's previous production version.
 */
export const ALLOWED_STAGE_MOVES: Record<Stage, Stage[]> = {
  none: ['staging', 'production', 'archived'],
  staging: ['production', 'archived', 'none'],
  production: ['archived'],
  archived: ['production', 'staging'],
};

export function stageMoveAllowed(from: Stage, to: Stage): boolean {
  return ALLOWED_STAGE_MOVES[from]?.includes(to) ?? false;
}

/** A request to move a model version from one stage to another (an append-only sync record). */
export const StageChange = z.object({
  id: z.string().min(1).max(64),
  modelVersionId: z.string().min(1).max(64),
  from: Stage,
  to: Stage,
  createdAt: Millis,
  /** Why, in the person's words (kept in the version's history). */
  why: z.string().max(1000).optional(),
  /** What the device measured of the version, for the latency and memory gates. */
  measurements: DeviceMeasurements.optional(),
});
export type StageChange = z.infer<typeof StageChange>;
