import type { Queryable } from './db.js';
import { listDevices, type Device } from './orgs.js';

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
