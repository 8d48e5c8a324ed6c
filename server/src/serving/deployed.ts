import { z } from 'zod';
import { v7 as uuidv7 } from 'uuid';
import { OutpostError } from '@shared/errors.js';
import type { ModelVersion, PredictionOutput } from '@shared/schema/records.js';
import { Arm } from '@shared/schema/deployment.js';
import { parsePredictBody } from '@shared/schema/serving.js';
import { applyLevel, planCase, predictionDeployment, type CasePlan, type LevelOutcome, type PlannedRun } from '@shared/deploy/plan.js';
import type { DeviceRef } from '../store/record-writes.js';
import { servedVersion } from '../store/serving.js';
import { readDeployment } from '../store/deployments.js';
import { runVersion, type ServeDeps } from './predict.js';

/**
 * The server answering as a project's deployment, POST /api/projects/{projectId}/predict: each
 * row is planned exactly as a device plans it (shared/src/deploy/plan.ts, with every version at
 * hand), each version it needs runs through the same cache and Predictor as the per-version
 * route, the level of automation applies to the case's answer, and every run is logged with the
 * deployment it followed (so the figures per arm count the server's answers beside the devices').
 */

const Output = z.object({ label: z.string().optional(), probabilities: z.record(z.string(), z.number()).optional(), value: z.number().optional() });

/** One case of a deployed answer. */
export const DeployedCase = z.object({
  caseId: z.string(),
  /** The arm that answered (null: no model answers, people decide). */
  arm: Arm.nullable(),
  versionId: z.string().nullable(),
  /** The answer, or null when the level of automation hides it (or the model failed). */
  output: Output.nullable(),
  /** A person decides this case (record their decision as an outcome with source "decision"). */
  personDecides: z.boolean(),
  /** Partial automation: the model was not sure enough. */
  deferred: z.boolean(),
  /** Canary: the row had no value in the key column, so the champion answered. */
  keyMissing: z.boolean(),
  /** Every logged prediction of the case (a shadow case has two). */
  predictionIds: z.array(z.string()),
});
export const DeployedResponse = z.object({ projectId: z.string(), revision: z.number().int(), cases: z.array(DeployedCase) });
export type DeployedResponse = z.infer<typeof DeployedResponse>;

/** Answer rows as the project's deployment says (see the module comment). */
export async function predictDeployed(deps: ServeDeps, device: DeviceRef, projectId: string, raw: unknown): Promise<DeployedResponse> {
  const body = parsePredictBody(raw);
  if (body.kind !== 'rows') throw new OutpostError('invalid_body', 'A deployment answers rows of columns: send {"rows": [{"column": value, ...}]}.');
  const d = await readDeployment(deps.db, device.orgId, projectId);
  if (!d) {
    throw new OutpostError(
      'not_found',
      'This project has no deployment yet. A person who may promote makes one in the console (the project’s Deployment page); until then, ask one version with POST /api/models/versions/{id}/predict.',
    );
  }
  const rows = body.rows;
  const plans: CasePlan[] = await Promise.all(rows.map((r) => planCase(d, r, () => true)));
  const caseIds = rows.map(() => uuidv7());
  const groups = new Map<string, { row: number; run: PlannedRun }[]>();
  plans.forEach((p, row) => p.runs.forEach((run) => groups.set(run.versionId, [...(groups.get(run.versionId) ?? []), { row, run }])));
  const versions = new Map<string, ModelVersion>();
  for (const id of groups.keys()) {
    const v = await servedVersion(deps.db, device.orgId, id);
    if (!v) throw new OutpostError('not_found', `The deployment names model version ${id}, which is not on the server any more; change the deployment.`);
    versions.set(id, v);
  }
  const outputs: (PredictionOutput | null)[] = rows.map(() => null);
  const levels: (LevelOutcome | null)[] = rows.map(() => null);
  const ids: string[][] = rows.map(() => []);
  for (const [id, group] of groups) {
    const sub = { kind: 'rows' as const, rows: group.map((g) => rows[g.row]) };
    const run = await runVersion(deps, device, versions.get(id)!, sub, (i, output) => {
      const { row, run: r } = group[i];
      const level = r.primary ? applyLevel(plans[row].level, d.state.confidence, output) : null;
      if (r.primary) {
        outputs[row] = output;
        levels[row] = level;
      }
      return predictionDeployment(d, plans[row], r, caseIds[row], level);
    });
    group.forEach((g, i) => ids[g.row].push(run.ids[i]));
  }
  const cases = rows.map((_, row) => {
    const primary = plans[row].runs.find((r) => r.primary);
    const level = levels[row];
    return {
      caseId: caseIds[row],
      arm: primary?.arm ?? null,
      versionId: primary?.versionId ?? null,
      output: level?.shown ? outputs[row] : null,
      personDecides: level ? level.personDecides : true,
      deferred: level?.deferred ?? false,
      keyMissing: plans[row].keyMissing,
      predictionIds: ids[row],
    };
  });
  return { projectId, revision: d.revision, cases };
}
