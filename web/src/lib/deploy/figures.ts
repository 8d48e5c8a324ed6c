import type { Deployment } from '@shared/schema/deployment.js';
import type { Prediction } from '@shared/schema/records.js';
import type { Outcome } from '@shared/schema/monitoring.js';
import { deploymentFigures, type DeploymentFigures } from '@shared/deploy/figures.js';
import type { OutpostDb } from '../db/db.js';
import { logPages } from '../db/pages.js';

/** At most this many of the newest deployed predictions are read for the figures. */
export const FIGURES_MAX = 50_000;

/**
 * Whether a logged prediction belongs to the deployment's current pairing: the challenger's
 * answers, and the champion's (or what a device behind it answered with instead). Earlier
 * pairings (before a blue-green switch, say) would mix the two arms' figures.
 */
function ofPairing(d: Deployment, p: Prediction): boolean {
  const at = p.deployment;
  if (!at) return false;
  if (at.arm === 'challenger') return p.modelVersionId === d.state.challenger;
  return p.modelVersionId === d.state.champion || !!at.behind;
}

/** This device's figures per arm of a deployment, over its own log and the outcomes recorded for it (shared/src/deploy/figures.ts). */
export async function deviceFigures(db: OutpostDb, d: Deployment): Promise<DeploymentFigures & { read: number }> {
  let mine: Prediction[] = [];
  for await (const page of logPages(db, '[projectId+createdAt]', d.projectId)) {
    mine.push(...page.filter((p) => ofPairing(d, p)));
    // Oldest first: keep the newest when the log is longer than the figures read.
    if (mine.length > 2 * FIGURES_MAX) mine = mine.slice(-FIGURES_MAX);
  }
  mine = mine.slice(-FIGURES_MAX);
  const outcomes: Outcome[] = [];
  for (let i = 0; i < mine.length; i += 1000) {
    outcomes.push(
      ...(await db.outcomes
        .where('predictionId')
        .anyOf(mine.slice(i, i + 1000).map((p) => p.id))
        .toArray()),
    );
  }
  return { ...deploymentFigures(mine, outcomes), read: mine.length };
}
