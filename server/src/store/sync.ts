import { z } from 'zod';
import { OutpostError } from '@shared/errors.js';
import { parseHlc } from '@shared/sync/hlc.js';
import { Change, MAX_CLOCK_DRIFT_MS, SYNC_TABLES, type PullResponse, type PushResponse, type SyncTable } from '@shared/sync/protocol.js';
import type { Db, Queryable } from './db.js';
import { StageChange, stageMoveAllowed } from '@shared/sync/stages.js';
import type { Stage } from '@shared/schema/records.js';

export interface DeviceRef {
  id: string;
  orgId: string;
}
type Rejected = PushResponse['rejected'][number];

const PULL_TABLES = (Object.keys(SYNC_TABLES) as SyncTable[]).filter((t) => SYNC_TABLES[t].pull);

/**
 * Apply one pushed batch in one transaction, together with the device's acknowledged position.
 * - A batch at or below the acknowledged position was applied before: answer without writing.
 * - A change stamped further ahead of the server's clock than MAX_CLOCK_DRIFT_MS refuses the batch.
 * - Each change is checked on its own; an invalid one is rejected with a reason, the rest apply,
 *   and the position still advances so the device is never blocked.
 * - Append tables insert-or-ignore by id; LWW tables merge per field by HLC; a tombstone stays.
 * - Pushes of one organisation are serialised by an advisory lock, so record sequence numbers
 *   become visible in order and a pull never skips a row committed late.
 */
export async function applyPush(db: Db, device: DeviceRef, batchSeq: number, rawChanges: unknown[], now: number): Promise<PushResponse> {
  return db.tx(async (q) => {
    await q.query(`select pg_advisory_xact_lock(hashtext($1))`, [device.orgId]);
    const [dev] = await q.query<{ acked: number }>(`select acked_batch_seq as acked from devices where id = $1 for update`, [device.id]);
    if (batchSeq <= dev.acked) return { ackedBatchSeq: dev.acked, applied: 0, ignored: rawChanges.length, rejected: [], serverTime: now };

    const rejected: Rejected[] = [];
    const valid: Change[] = [];
    for (const raw of rawChanges) {
      const parsed = Change.safeParse(raw);
      if (!parsed.success) {
        const r = (raw ?? {}) as Record<string, unknown>;
        rejected.push({
          table: String(r.table ?? '').slice(0, 64),
          id: String(r.id ?? '').slice(0, 64),
          code: 'invalid_body',
          message: issueText(parsed.error),
        });
        continue;
      }
      if (parseHlc(parsed.data.hlc).millis - now > MAX_CLOCK_DRIFT_MS) {
        throw new OutpostError(
          'clock_drift',
          `This device's clock is ahead of the server's by more than ${MAX_CLOCK_DRIFT_MS / 60000} minutes. Set the date and time correctly, then sync again.`,
        );
      }
      valid.push(parsed.data);
    }
    let applied = 0;
    let ignored = 0;
    const appendRows = valid.filter((c) => SYNC_TABLES[c.table].policy === 'append');
    const lwwRows = valid.filter((c) => SYNC_TABLES[c.table].policy === 'lww');
    const stageRows = valid.filter((c) => SYNC_TABLES[c.table].policy === 'stage');
    const good: Change[] = [];
    for (const c of appendRows) {
      const r = SYNC_TABLES[c.table].schema.safeParse(c.fields);
      if (!r.success || (r.data as { id: string }).id !== c.id)
        rejected.push({
          table: c.table,
          id: c.id,
          code: 'invalid_body',
          message: r.success ? 'The record id differs from the change id.' : issueText(r.error),
        });
      else good.push(c);
    }
    if (good.length) {
      const inserted = await q.query(
        `insert into records (org_id, tbl, id, data, hlc, seq, device_id)
         select $1, t.tbl, t.id, t.data::jsonb, jsonb_build_object('*', t.hlc), nextval('record_seq'), $2
         from unnest($3::text[], $4::text[], $5::text[], $6::text[]) as t(tbl, id, data, hlc)
         on conflict (org_id, tbl, id) do nothing returning id`,
        [device.orgId, device.id, good.map((c) => c.table), good.map((c) => c.id), good.map((c) => JSON.stringify(c.fields)), good.map((c) => c.hlc)],
      );
      applied += inserted.length;
      ignored += good.length - inserted.length;
    }
    for (const c of lwwRows) {
      const outcome = await mergeLww(q, device, c);
      if (outcome === 'applied') applied++;
      else if (outcome === 'ignored') ignored++;
      else rejected.push({ table: c.table, id: c.id, ...outcome });
    }
    // Stage moves come after the records they refer to (a version registered and promoted offline).
    for (const c of stageRows) {
      const parsed = StageChange.safeParse(c.fields);
      if (!parsed.success) {
        rejected.push({ table: c.table, id: c.id, code: 'invalid_body', message: issueText(parsed.error) });
        continue;
      }
      const outcome = await moveStage(q, device.orgId, parsed.data, c.hlc, device.id);
      if (outcome === 'applied') applied++;
      else rejected.push({ table: c.table, id: c.id, ...outcome });
    }
    await q.query(`update devices set acked_batch_seq = $2, last_seen_at = now() where id = $1`, [device.id, batchSeq]);
    return { ackedBatchSeq: batchSeq, applied, ignored, rejected, serverTime: now };
  });
}

async function mergeLww(q: Queryable, device: DeviceRef, c: Change): Promise<'applied' | 'ignored' | { code: string; message: string }> {
  const schema = SYNC_TABLES[c.table].schema as unknown as z.ZodObject<z.ZodRawShape>;
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(c.fields).filter((f) => !known.includes(f));
  if (unknown.length) return { code: 'invalid_body', message: `Unknown field(s) for ${c.table}: ${unknown.slice(0, 5).join(', ')}.` };
  const [row] = await q.query<{ data: Record<string, unknown>; hlc: Record<string, string> }>(
    `select data, hlc from records where org_id = $1 and tbl = $2 and id = $3 for update`,
    [device.orgId, c.table, c.id],
  );
  const check = row ? schema.partial().safeParse(c.fields) : schema.safeParse(c.fields);
  if (!check.success) return { code: 'invalid_body', message: issueText(check.error) };
  if ('id' in c.fields && c.fields.id !== c.id) return { code: 'invalid_body', message: 'The record id differs from the change id.' };
  if (c.table === 'model_versions' && typeof c.fields.weightsHash === 'string') {
    const owned = await q.query(`select 1 from blob_owners where hash = $1 and org_id = $2`, [c.fields.weightsHash, device.orgId]);
    if (!owned.length)
      return { code: 'blob_missing', message: 'The model weights have not been uploaded yet; upload the blob first, then push the model version.' };
  }
  const data = { ...(row?.data ?? {}) };
  const hlc = { ...(row?.hlc ?? {}) };
  let changed = false;
  const fields = { ...c.fields };
  // A version's stage moves only by compare-and-set (moveStage); a new version starts with none.
  if (c.table === 'model_versions') {
    if (row) delete fields.stage;
    else fields.stage = 'none';
  }
  for (const [field, value] of Object.entries(fields)) {
    if (hlc[field] && hlc[field] >= c.hlc) continue;
    // A tombstone is final: a concurrent or later update cannot bring the record back.
    if (field === 'deleted' && data.deleted === true && value !== true) continue;
    data[field] = value;
    hlc[field] = c.hlc;
    changed = true;
  }
  if (!changed) return 'ignored';
  await q.query(
    `insert into records (org_id, tbl, id, data, hlc, seq, device_id) values ($1, $2, $3, $4::jsonb, $5::jsonb, nextval('record_seq'), $6)
     on conflict (org_id, tbl, id) do update set data = excluded.data, hlc = excluded.hlc, seq = excluded.seq, device_id = excluded.device_id, updated_at = now()`,
    [device.orgId, c.table, c.id, JSON.stringify(data), JSON.stringify(hlc), device.id],
  );
  return 'applied';
}

/**
 * Move a model version's stage by compare-and-set: it must be in `from` now, and the move must be
 * allowed. Promoting to production archives the project's current production version in the same
 * transaction. A device's stale move is rejected (whoever reached the server first wins).
 */
export async function moveStage(
  q: Queryable,
  orgId: string,
  s: StageChange,
  hlc: string,
  actor: string | null,
): Promise<'applied' | { code: string; message: string }> {
  const [row] = await q.query<{ data: Record<string, unknown>; hlc: Record<string, string> }>(
    `select data, hlc from records where org_id = $1 and tbl = 'model_versions' and id = $2 for update`,
    [orgId, s.modelVersionId],
  );
  if (!row) return { code: 'not_found', message: 'That model version is not on the server.' };
  const current = row.data.stage as Stage;
  if (current !== s.from) {
    return { code: 'conflict', message: `This model version is now “${current}” on the server (changed elsewhere); your change to “${s.to}” was not applied.` };
  }
  if (!stageMoveAllowed(s.from, s.to)) return { code: 'conflict', message: `A version cannot move from “${s.from}” to “${s.to}”.` };
  const set = async (id: string, data: Record<string, unknown>, stamps: Record<string, string>, stage: Stage) =>
    q.query(
      `update records set data = $4::jsonb, hlc = $5::jsonb, seq = nextval('record_seq'), device_id = $6, updated_at = now() where org_id = $1 and tbl = $2 and id = $3`,
      [orgId, 'model_versions', id, JSON.stringify({ ...data, stage }), JSON.stringify({ ...stamps, stage: hlc }), actor],
    );
  if (s.to === 'production') {
    const others = await q.query<{ id: string; data: Record<string, unknown>; hlc: Record<string, string> }>(
      `select id, data, hlc from records where org_id = $1 and tbl = 'model_versions' and id <> $2 and data->>'projectId' = $3 and data->>'stage' = 'production' for update`,
      [orgId, s.modelVersionId, row.data.projectId],
    );
    for (const o of others) await set(o.id, o.data, o.hlc, 'archived');
  }
  await set(s.modelVersionId, row.data, row.hlc, s.to);
  return 'applied';
}

function issueText(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || 'record'}: ${i.message}`)
    .join('; ');
}

/** Records changed after `cursor` (server sequence), oldest first, for the tables devices pull. */
export async function pull(db: Queryable, orgId: string, cursor: number, limit: number): Promise<PullResponse> {
  const [{ max }] = await db.query<{ max: number }>(`select coalesce(max(seq), 0)::bigint as max from records where org_id = $1`, [orgId]);
  if (cursor > max) return { records: [], cursor: 0, more: true, reset: true };
  const rows = await db.query<{ tbl: SyncTable; id: string; seq: number; data: Record<string, unknown>; hlc: Record<string, string> }>(
    `select tbl, id, seq, data, hlc from records where org_id = $1 and seq > $2 and tbl = any($3::text[]) order by seq limit $4`,
    [orgId, cursor, PULL_TABLES, limit + 1],
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  return {
    records: page.map((r) => ({ table: r.tbl, id: r.id, seq: Number(r.seq), data: r.data, hlc: r.hlc })),
    cursor: page.length ? Number(page[page.length - 1].seq) : cursor,
    more,
  };
}
