import { DaySummary } from '@shared/monitor/summary.js';
import type { DeviceVerdict, MonitorUpload, MonitorUploadResponse } from '@shared/sync/protocol.js';
import { findUnstorableText } from '@shared/sync/text.js';
import type { Db, Queryable } from './db.js';
import { lockRecords, type DeviceRef } from './record-writes.js';
import { daysFollowingMarks } from './day-marks.js';
import { issueText } from './push-check.js';

/** Day rows one device may keep on the server (a year of ten versions is 3,650); past it new days are refused. */
export const MAX_DAYS_PER_DEVICE = 20_000;

/**
 * Store a device's monitor upload: each day checked on its own (a bad one is refused with a
 * reason, the rest stored), kept as the newest copy of that day of that device; verdicts replace
 * the device's previous verdict per version. One transaction.
 */
export async function storeMonitorUpload(db: Db, device: DeviceRef, upload: MonitorUpload, maxDays = MAX_DAYS_PER_DEVICE): Promise<MonitorUploadResponse> {
  const rejected: MonitorUploadResponse['rejected'] = [];
  const valid: DaySummary[] = [];
  for (const raw of upload.days) {
    const day = DaySummary.safeParse(raw);
    const label = (k: string) => {
      const v = (raw as Record<string, unknown> | null)?.[k];
      return typeof v === 'string' ? v.slice(0, 64) : '';
    };
    if (!day.success) rejected.push({ modelVersionId: label('modelVersionId'), day: label('day'), message: issueText(day.error) });
    else if (findUnstorableText(day.data)) rejected.push({ modelVersionId: '', day: day.data.day, message: 'contains a character that cannot be stored' });
    else valid.push(day.data);
  }
  return db.tx(async (q) => {
    const [{ n }] = await q.query<{ n: number }>(`select count(*)::int as n from monitor_days where org_id = $1 and device_id = $2`, [device.orgId, device.id]);
    let room = maxDays - n;
    let stored = 0;
    for (const d of await daysFollowingMarks(q, device.orgId, valid, () => lockRecords(q, device.orgId))) {
      const params = [device.orgId, device.id, d.modelVersionId, d.day, JSON.stringify(d)];
      // An upsert, so two tabs of one device sending the same day at once both succeed.
      if (room > 0) {
        const [row] = await q.query<{ inserted: boolean }>(
          `insert into monitor_days (org_id, device_id, model_version_id, day, data) values ($1, $2, $3, $4, $5::jsonb)
           on conflict (org_id, device_id, model_version_id, day) do update set data = excluded.data, updated_at = now()
           returning (xmax = 0) as inserted`,
          params,
        );
        if (row.inserted) room--;
      } else {
        const updated = await q.query(
          `update monitor_days set data = $5::jsonb, updated_at = now() where org_id = $1 and device_id = $2 and model_version_id = $3 and day = $4 returning 1`,
          params,
        );
        if (!updated.length) {
          const message = `This device already keeps ${maxDays} days of counts on the server.`;
          rejected.push({ modelVersionId: d.modelVersionId, day: d.day, message });
          continue;
        }
      }
      stored++;
    }
    for (const v of upload.verdicts) {
      await q.query(
        `insert into monitor_verdicts (org_id, device_id, model_version_id, data) values ($1, $2, $3, $4::jsonb)
         on conflict (org_id, device_id, model_version_id) do update set data = excluded.data, updated_at = now()`,
        [device.orgId, device.id, v.modelVersionId, JSON.stringify(v)],
      );
    }
    return { stored, rejected };
  });
}

export interface StoredDay {
  deviceId: string;
  summary: DaySummary;
}

/**
 * The day counts of an organisation, optionally of one model version, as stored (parsed again:
 * rows written by an older server are read through the schema, and one that no longer parses is
 * left out rather than breaking the fleet view).
 */
export async function monitorDays(db: Queryable, orgId: string, modelVersionId?: string): Promise<StoredDay[]> {
  const rows = await db.query<{ device_id: string; data: unknown }>(
    modelVersionId
      ? `select device_id, data from monitor_days where org_id = $1 and model_version_id = $2 order by day`
      : `select device_id, data from monitor_days where org_id = $1 order by day`,
    modelVersionId ? [orgId, modelVersionId] : [orgId],
  );
  const out: StoredDay[] = [];
  for (const r of rows) {
    const parsed = DaySummary.safeParse(r.data);
    if (parsed.success) out.push({ deviceId: r.device_id, summary: parsed.data });
  }
  return out;
}

export interface StoredVerdict {
  deviceId: string;
  verdict: DeviceVerdict;
  updatedAt: string;
}

/** Each device's latest verdict per model version. */
export async function monitorVerdicts(db: Queryable, orgId: string): Promise<StoredVerdict[]> {
  const rows = await db.query<{ device_id: string; data: DeviceVerdict; updated_at: string }>(
    `select device_id, data, updated_at::text as updated_at from monitor_verdicts where org_id = $1`,
    [orgId],
  );
  return rows.map((r) => ({ deviceId: r.device_id, verdict: r.data, updatedAt: r.updated_at }));
}
