import { OutpostError } from '@shared/errors.js';
import { ModelVersion, Prediction } from '@shared/schema/records.js';
import type { Db, Queryable } from './db.js';
import { insertAppend, lockRecords, type DeviceRef } from './record-writes.js';
import type { CheckedChange } from './push-check.js';
import { loggablePushedPredictions } from './withdraw-rows.js';

/** What serving reads and writes in the store: versions to load, a project's log settings, the prediction log. */

/** A version record of an organisation; undefined when there is none or it was deleted. */
export async function servedVersion(q: Queryable, orgId: string, id: string): Promise<ModelVersion | undefined> {
  const [row] = await q.query<{ data: Record<string, unknown> }>(`select data from records where org_id = $1 and tbl = 'model_versions' and id = $2`, [
    orgId,
    id,
  ]);
  if (!row || row.data.deleted === true) return undefined;
  const v = ModelVersion.safeParse(row.data);
  if (!v.success)
    throw new OutpostError('bad_request', 'This model version is incomplete on the server (its record does not describe a model); register it again.');
  return v.data;
}

/** What a project says about its prediction log (see ProjectMonitoring). */
export interface LogSettings {
  shareInputs?: boolean;
  fairness?: { attribute?: string };
  /** The project's salt for hashed personal columns (Project.rowSalt), when a device has made it. */
  rowSalt?: string;
}

export { personalMarks } from './personal-marks.js';

export async function logSettings(q: Queryable, orgId: string, projectId: string): Promise<LogSettings> {
  const [row] = await q.query<{ data: LogSettings }>(`select data from records where org_id = $1 and tbl = 'projects' and id = $2`, [orgId, projectId]);
  return row?.data ?? {};
}

/**
 * Append predictions as records of the organisation, with its next sequence numbers (one
 * transaction, its record lock). They are cleaned of personal values again under the lock, as a
 * pushed prediction is (loggablePushedPredictions): a mark that committed after the caller read
 * the marks is followed too, and one that commits later scrubs these rows in its own transaction.
 */
export async function appendPredictions(db: Db, device: DeviceRef, rows: Prediction[], hlc: string): Promise<void> {
  const changes: CheckedChange[] = rows.map((p) => ({ table: 'predictions', id: p.id, hlc, fields: Prediction.parse(p) }));
  await db.tx(async (q) => {
    const seq = await lockRecords(q, device.orgId);
    await insertAppend(q, seq, device, await loggablePushedPredictions(q, device.orgId, changes));
  });
}

/** The organisation's projects a model can be imported into, by name. */
export async function importProjects(q: Queryable, orgId: string): Promise<{ id: string; name: string }[]> {
  return q.query(
    `select id, data->>'name' as name from records where org_id = $1 and tbl = 'projects' and coalesce(data->>'deleted', 'false') <> 'true' order by data->>'name' limit 500`,
    [orgId],
  );
}
