import type { Deployment } from '@shared/schema/deployment.js';
import type { OutpostDb } from '../db/db.js';
import { projectDeployment, readyVersionIds } from '../db/deployments.js';
import { following, type Following } from './status.js';
import { localHold } from './hold.js';

// Apart from status.ts, which the sync engine imports for its status report: the hold reads the
// monitors (shared/src/monitor), which the first screen must not carry.

/** A project's deployment as the predict screen shows it: the record, and how this device follows it. */
export interface DeploymentView {
  deployment: Deployment;
  following: Following;
  /** Why this phone stopped a canary on its own (hold.ts), or null. */
  hold: string | null;
}

/** The predict and monitor screens' query (null: the project has no deployment). */
export async function projectDeploymentView(db: OutpostDb, projectId: string): Promise<DeploymentView | null> {
  const deployment = await projectDeployment(db, projectId);
  if (!deployment) return null;
  const ready = await readyVersionIds(db);
  return { deployment, following: await following(db, deployment, ready), hold: (await localHold(db, deployment))?.reason ?? null };
}
