import { ModelVersion, Project } from '@shared/schema/records.js';
import { withPrivilegedCode } from '@shared/monitor/privileged-code.js';
import type { FleetInput } from '@shared/monitor/fleet.js';
import type { Queryable } from './db.js';
import { listDevices, type Device } from './orgs.js';
import { monitorDays, monitorVerdicts } from './monitors.js';

/** A synced record as the console shows it: its data as stored (not trusted to have any shape). */
export interface ConsoleRecord {
  data: unknown;
  updatedAt: string;
}

export interface ConsoleOverview {
  devices: Device[];
  versions: ConsoleRecord[];
  runs: ConsoleRecord[];
  predictions: number;
}

/** How many of an organisation's newest runs and model versions the console lists. */
export const CONSOLE_LIST_LIMIT = 100;

async function newest(db: Queryable, orgId: string, tbl: string): Promise<ConsoleRecord[]> {
  return db.query<ConsoleRecord>(`select data, updated_at::text as "updatedAt" from records where org_id = $1 and tbl = $2 order by seq desc limit $3`, [
    orgId,
    tbl,
    CONSOLE_LIST_LIMIT,
  ]);
}

/** Everything the console's front page shows for one organisation. */
export async function consoleOverview(db: Queryable, orgId: string): Promise<ConsoleOverview> {
  const devices = await listDevices(db, orgId);
  const versions = await newest(db, orgId, 'model_versions');
  const runs = await newest(db, orgId, 'runs');
  const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from records where org_id = $1 and tbl = 'predictions'`, [orgId]);
  return { devices, versions, runs, predictions: n };
}

/**
 * What the console's fleet monitoring needs: the model versions that have day counts, every
 * project (their monitor settings), the day counts and each device's verdicts, each record parsed
 * through its schema (one that no longer parses is left out rather than breaking the page).
 */
export async function fleetInput(db: Queryable, orgId: string, modelVersionId?: string): Promise<FleetInput> {
  const versionRows = await db.query<{ data: unknown }>(
    `select data from records where org_id = $1 and tbl = 'model_versions' and id in (select distinct model_version_id from monitor_days where org_id = $1)
       and ($2::text is null or id = $2)`,
    [orgId, modelVersionId ?? null],
  );
  const projectRows = await db.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'projects'`, [orgId]);
  const parsed = <T>(rows: { data: unknown }[], schema: { safeParse(x: unknown): { success: boolean; data?: T } }) =>
    rows.flatMap((r) => {
      const p = schema.safeParse(r.data);
      return p.success ? [p.data as T] : [];
    });
  return {
    versions: parsed(versionRows, ModelVersion).filter((v) => !v.deleted),
    // A fairness attribute logged hashed (a personal column) is grouped by codes: match those too.
    projects: await Promise.all(parsed<Project>(projectRows, Project).map((p) => withPrivilegedCode(p, p.rowSalt))),
    days: await monitorDays(db, orgId, modelVersionId),
    verdicts: await monitorVerdicts(db, orgId),
  };
}
