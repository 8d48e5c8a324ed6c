import { checkGates, gateRefusal } from '@shared/registry/gates.js';
import { withPrivilegedCode } from '@shared/monitor/privileged-code.js';
import { ModelVersion, Project } from '@shared/schema/records.js';
import { totalOf } from '@shared/monitor/summary.js';
import { versionFigures } from '@shared/monitor/figures.js';
import type { Queryable } from './db.js';
import type { GateCheck } from './registry.js';
import { monitorDays } from './monitors.js';

/**
 * The project's promotion gates as the server runs them when a version is promoted (in the
 * console, by a person's device, or on approving a proposal): the same checks the device shows
 * (shared/src/registry/gates.ts), with the version's fairness score from every device's counts.
 */
export function serverGates(): GateCheck {
  return async (q: Queryable, orgId, data, s) => {
    const version = ModelVersion.safeParse(data);
    if (!version.success)
      return {
        message: 'This version cannot be read on the server, so its gates cannot be checked; register it again.',
        reason: { code: 'gates_failed', params: {} },
      };
    const [projectRow] = await q.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'projects' and id = $2`, [
      orgId,
      version.data.projectId,
    ]);
    const project = Project.safeParse(projectRow?.data);
    const gates = project.success ? project.data.gates : undefined;
    if (!gates) return null;
    const [prodRow] = await q.query<{ data: unknown }>(
      `select data from records where org_id = $1 and tbl = 'model_versions' and data->>'projectId' = $2 and data->>'stage' = 'production' and id <> $3 limit 1`,
      [orgId, version.data.projectId, version.data.id],
    );
    const production = ModelVersion.safeParse(prodRow?.data);
    let fairnessScore: number | null = null;
    if (gates.minFairnessScore !== undefined && project.success && project.data.fairness) {
      const total = totalOf((await monitorDays(q, orgId, version.data.id)).map((d) => d.summary));
      fairnessScore = total
        ? (versionFigures(total, version.data, await withPrivilegedCode({ fairness: project.data.fairness }, project.data.rowSalt)).fairness?.score ?? null)
        : null;
    }
    return gateRefusal(
      checkGates(gates, { version: version.data, production: production.success ? production.data : null, measurements: s.measurements, fairnessScore }),
    );
  };
}
