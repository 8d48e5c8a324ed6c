import type { Deployment } from '@shared/schema/deployment.js';
import type { ModelVersion, Prediction } from '@shared/schema/records.js';
import type { Outcome } from '@shared/schema/monitoring.js';
import { decidedCases, deploymentFigures, type DeploymentFigures } from '@shared/deploy/figures.js';
import type { HumanBaseline } from '@shared/schema/human.js';
import { measureHumanBaseline, type RunOptions } from '../db/human.js';
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

/** The newest deployed predictions of the deployment's current pairing on this device, and their outcomes. */
async function deploymentLog(db: OutpostDb, d: Deployment): Promise<{ predictions: Prediction[]; outcomes: Outcome[] }> {
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
  return { predictions: mine, outcomes };
}

/** This device's figures per arm of a deployment, over its own log and the outcomes recorded for it (shared/src/deploy/figures.ts). */
export async function deviceFigures(db: OutpostDb, d: Deployment): Promise<DeploymentFigures & { read: number }> {
  const { predictions, outcomes } = await deploymentLog(db, d);
  return { ...deploymentFigures(predictions, outcomes), read: predictions.length };
}

export const RESULT_COLUMN = 'real result';
export const DECISION_COLUMN = 'people’s decision';

/**
 * People's decisions under the deployment, scored against the real results that came later, as a
 * human baseline of the version people are compared with (the champion; the challenger when
 * people decide with no champion), with that version on the same cases' inputs when it can run
 * here. Null when no decided case has its result yet. Not stored: saveHumanBaseline keeps it.
 */
export async function measureDecisionBaseline(
  db: OutpostDb,
  d: Deployment,
  opts: RunOptions = {},
): Promise<{ version: ModelVersion; baseline: HumanBaseline } | null> {
  const id = d.state.champion ?? d.state.challenger;
  const version = id ? await db.model_versions.get(id) : undefined;
  if (!version) return null;
  const { predictions, outcomes } = await deploymentLog(db, d);
  const cases = decidedCases(predictions, outcomes);
  if (!cases.length) return null;
  const rows = cases.map((c) => ({ ...c.inputs, [RESULT_COLUMN]: c.result, [DECISION_COLUMN]: c.decision }));
  const baseline = await measureHumanBaseline(
    db,
    { version, rows, targetColumn: RESULT_COLUMN, decisionColumn: DECISION_COLUMN, fileName: `decisions under revision ${d.revision}` },
    opts,
  );
  return { version, baseline };
}
