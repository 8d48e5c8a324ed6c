import type { Deployment } from '@shared/schema/deployment.js';
import { withPrivilegedCode } from '@shared/monitor/privileged-code.js';
import { rollbackReason, rolledBack } from '@shared/deploy/changes.js';
import { versionMonitor } from '@shared/monitor/version.js';
import { dayOf } from '@shared/monitor/summary.js';
import type { OutpostDb } from '../db/db.js';
import { versionDays } from '../db/monitoring.js';

/**
 * A canary stopped on this phone before the server hears of it. The server rolls a canary back
 * when the fleet's counts of the new version alert, but a phone that is offline for days would
 * keep giving patients a failing version until it syncs. So the phone reads its own counts of the
 * challenger since the revision began, with the same rule (`rollbackReason`: failures, speed and
 * quality; drift needs the fleet's bins or the phone's own drift test and is left to the server),
 * and while one of the canary's chosen monitors is in alert here it answers everyone with the
 * champion. Its predictions say so by their mode (`single`) under the same revision; the next
 * revision from the server replaces the hold.
 */
export interface LocalHold {
  deployment: Deployment;
  /** The sentence for the screen. */
  reason: string;
}

export async function localHold(db: OutpostDb, d: Deployment): Promise<LocalHold | null> {
  const s = d.state;
  if (s.mode !== 'canary' || !s.canary || !s.challenger) return null;
  const stopped = rolledBack(s);
  const [mv, project] = await Promise.all([db.model_versions.get(s.challenger), db.projects.get(d.projectId)]);
  if (!stopped || !mv || !project) return null;
  // Only days of this revision count: an alert from an earlier trial of the same version is history.
  const since = dayOf(d.at);
  const days = (await versionDays(db, mv.id)).filter((x) => x.day >= since);
  if (!days.length) return null;
  const monitor = versionMonitor(mv, await withPrivilegedCode(project, project.rowSalt), days);
  const reason = rollbackReason(s, { states: monitor.states, drifted: false, predictionsAtStep: 0 });
  if (!reason) return null;
  return {
    deployment: { ...d, state: stopped },
    reason:
      reason.replace('Rolled back automatically:', 'This phone stopped the trial on its own:') + ' Everyone gets the current version until the team decides.',
  };
}
