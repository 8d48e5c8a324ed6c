import type { Deployment, DeviceDeploymentStatus } from '@shared/schema/deployment.js';
import type { DeviceStatus } from '@shared/sync/protocol.js';
import type { OutpostDb } from '../db/db.js';
import { deploymentVersions, fallbackVersion, readyVersionIds } from '../db/deployments.js';

/**
 * How this device follows its deployments: which of the versions a revision names are not here
 * yet, and what it answers with meanwhile. The predict screen says it in words; the status report
 * tells the fleet view and blue-green's switch.
 */

export interface Following {
  /** Versions the deployment names whose weights are not on this device yet. */
  missing: string[];
  /** The version that answers here now instead of the champion (null: the champion, or nothing can). */
  instead: string | null;
  /** The version that answers here now (null: people decide). */
  serving: string | null;
}

/** How this device follows `d`, given the versions whose weights are here. */
export async function following(db: OutpostDb, d: Deployment, ready: ReadonlySet<string>): Promise<Following> {
  const missing = deploymentVersions(d).filter((v) => !ready.has(v));
  const champion = d.state.champion;
  if (!champion) return { missing, instead: null, serving: null };
  if (ready.has(champion)) return { missing, instead: null, serving: champion };
  const instead = await fallbackVersion(db, d.projectId, ready);
  return { missing, instead, serving: instead };
}

/** One deployment's line of the status report. */
export async function deploymentStatus(db: OutpostDb, d: Deployment, ready: ReadonlySet<string>): Promise<DeviceDeploymentStatus> {
  const f = await following(db, d, ready);
  return { projectId: d.projectId, revision: d.revision, serving: f.serving, behind: f.missing.length > 0 };
}

/** What the status report says of deployments: the versions ready here, and how each deployment is followed. */
export async function deploymentReport(db: OutpostDb): Promise<Required<Pick<DeviceStatus, 'ready' | 'deployments'>>> {
  const ready = await readyVersionIds(db);
  const deployments: DeviceDeploymentStatus[] = [];
  for (const d of (await db.deployments.toArray()).slice(0, 200)) deployments.push(await deploymentStatus(db, d, ready));
  return { ready: [...ready].slice(0, 1000), deployments };
}
