import { saltedHash, type PersonalChoice } from '@shared/data/privacy.js';
import { rawGroups, withoutRawGroups } from '@shared/monitor/day-groups.js';
import type { DaySummary } from '@shared/monitor/summary.js';
import type { Queryable } from './db.js';
import { projectMarks, projectSalt } from './personal-marks.js';

/**
 * Day counts name a fairness attribute's groups by the values people typed. Once that attribute's
 * column is marked personal, the server keeps them as the phones now do (withoutRawGroups): each
 * raw name becomes the project's salted code, or is dropped with its counts for `never` or while
 * the project has no salt. Two doors: the days already stored when the mark arrives (a phone that
 * never syncs again would otherwise leave its copies as they were), and days a phone still sends
 * from before it heard of the mark.
 */

/** Days with their groups named as the marks want; `changed` holds the indices of those rewritten. */
async function followMarks(
  days: DaySummary[],
  personal: Record<string, PersonalChoice>,
  salt: string | undefined,
): Promise<{ days: DaySummary[]; changed: number[] }> {
  const codes = new Map<string, string>();
  const out: DaySummary[] = [];
  const changed: number[] = [];
  for (const [i, d] of days.entries()) {
    const mark = d.groupAttribute ? personal[d.groupAttribute] : undefined;
    if (!mark) {
      out.push(d);
      continue;
    }
    const hashing = mark === 'hash' && salt;
    if (hashing) for (const g of rawGroups(d)) if (!codes.has(g)) codes.set(g, await saltedHash(salt, g));
    const clean = withoutRawGroups(d, hashing ? codes : null);
    if (clean !== d) changed.push(i);
    out.push(clean);
  }
  return { days: out, changed };
}

/**
 * Rewrite the stored day counts of a project's versions whose fairness attribute is now marked
 * personal. Run in the transaction that stores the mark. Returns how many days changed.
 */
export async function scrubStoredDays(q: Queryable, orgId: string, projectId: string, personal: Record<string, PersonalChoice> | undefined): Promise<number> {
  const columns = Object.keys(personal ?? {});
  if (!personal || !columns.length) return 0;
  const rows = await q.query<{ device_id: string; model_version_id: string; day: string; data: DaySummary }>(
    `select m.device_id, m.model_version_id, m.day, m.data from monitor_days m
       join records r on r.org_id = m.org_id and r.tbl = 'model_versions' and r.id = m.model_version_id
      where m.org_id = $1 and r.data->>'projectId' = $2 and m.data->>'groupAttribute' = any($3::text[])`,
    [orgId, projectId, columns],
  );
  if (!rows.length) return 0;
  const { days, changed } = await followMarks(
    rows.map((r) => r.data),
    personal,
    await projectSalt(q, orgId, projectId),
  );
  for (const i of changed) {
    const r = rows[i];
    await q.query(`update monitor_days set data = $5::jsonb, updated_at = now() where org_id = $1 and device_id = $2 and model_version_id = $3 and day = $4`, [
      orgId,
      r.device_id,
      r.model_version_id,
      r.day,
      JSON.stringify(days[i]),
    ]);
  }
  return changed.length;
}

/**
 * Days a phone sends with raw group names of an attribute its project has marked personal (it
 * counted them before it heard of the mark): cleaned before they are stored, so the server never
 * holds the names. Days without raw group names pass untouched, with no query. `lock` takes the
 * organisation's record lock first, so a mark being stored at the same moment is either seen here
 * or commits after these days and rewrites them (scrubStoredDays).
 */
export async function daysFollowingMarks(q: Queryable, orgId: string, days: DaySummary[], lock: () => Promise<unknown>): Promise<DaySummary[]> {
  const named = days.filter((d) => d.groupAttribute && rawGroups(d).length);
  if (!named.length) return days;
  await lock();
  const versions = [...new Set(named.map((d) => d.modelVersionId))];
  const owners = await q.query<{ id: string; project_id: string }>(
    `select id, data->>'projectId' as project_id from records where org_id = $1 and tbl = 'model_versions' and id = any($2::text[])`,
    [orgId, versions],
  );
  const projectOf = new Map(owners.map((o) => [o.id, o.project_id]));
  const out = [...days];
  for (const projectId of new Set(owners.map((o) => o.project_id))) {
    const personal = await projectMarks(q, orgId, projectId);
    if (!Object.keys(personal).length) continue;
    const at = out.flatMap((d, i) => (projectOf.get(d.modelVersionId) === projectId ? [i] : []));
    const { days: clean } = await followMarks(
      at.map((i) => out[i]),
      personal,
      await projectSalt(q, orgId, projectId),
    );
    at.forEach((i, j) => (out[i] = clean[j]));
  }
  return out;
}
