import type { Deployment } from '@shared/schema/deployment.js';
import type { ModelVersion } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';
import { weightsToLoad } from './smaller-weights.js';

/**
 * Deployments on the device: each project's deployment as the server last wrote it (pulled, never
 * written here, never queued), the version this device last answered with for each project, and
 * which versions it can run now.
 */

const LAST_SERVED = 'deploy:lastServed:';

/** Whether `incoming` is newer than what is held: a greater revision (equal: a later change, after a server restored from a backup reused the number). */
export function isNewerDeployment(incoming: Deployment, held: Deployment | undefined): boolean {
  if (!held) return true;
  return incoming.revision > held.revision || (incoming.revision === held.revision && incoming.at > held.at);
}

/**
 * Keep a pulled deployment when it is newer than the one held (inside the caller's transaction):
 * a page delivered out of order, or a server restored from an older backup, never moves a device
 * back to an older revision.
 */
export async function keepPulledDeployment(db: OutpostDb, d: Deployment): Promise<boolean> {
  if (!isNewerDeployment(d, await db.deployments.get(d.id))) return false;
  await db.deployments.put(d);
  return true;
}

/** A project's deployment, if the team has made one. */
export async function projectDeployment(db: OutpostDb, projectId: string): Promise<Deployment | undefined> {
  return (await db.deployments.where('projectId').equals(projectId).toArray()).sort((a, b) => b.revision - a.revision)[0];
}

/** Whether a version's weights (full or smaller) are complete here, so it can answer offline. */
export async function versionReady(db: OutpostDb, mv: ModelVersion): Promise<boolean> {
  return (await weightsToLoad(db, mv)) !== undefined;
}

/** The ids of every version whose weights are complete on this device. */
export async function readyVersionIds(db: OutpostDb): Promise<Set<string>> {
  const out = new Set<string>();
  for (const v of await db.model_versions.toArray()) if (await versionReady(db, v)) out.add(v.id);
  return out;
}

/** The version this device last answered with for a project (its fallback while behind). */
export async function lastServed(db: OutpostDb, projectId: string): Promise<string | null> {
  const v = (await db.kv.get(LAST_SERVED + projectId))?.value;
  return typeof v === 'string' ? v : null;
}

export async function rememberServed(db: OutpostDb, projectId: string, versionId: string): Promise<void> {
  if ((await lastServed(db, projectId)) !== versionId) await db.kv.put({ key: LAST_SERVED + projectId, value: versionId });
}

/**
 * What this device falls back to when a version the deployment asks for is not here: the version
 * it last answered with, else the project's production version, if its weights are here.
 */
export async function fallbackVersion(db: OutpostDb, projectId: string, ready: ReadonlySet<string>): Promise<string | null> {
  const last = await lastServed(db, projectId);
  if (last && ready.has(last)) return last;
  const prod = (await db.model_versions.where('projectId').equals(projectId).toArray()).find((v) => v.stage === 'production' && !v.deleted);
  return prod && ready.has(prod.id) ? prod.id : null;
}

/** The versions a deployment names (champion and challenger). */
export function deploymentVersions(d: Deployment): string[] {
  return [d.state.champion, d.state.challenger].filter((v): v is string => v !== null);
}
