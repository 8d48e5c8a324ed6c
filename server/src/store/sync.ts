import { PROTOCOL, pulledTables, SYNC_TABLES, type PullResponse, type PushResponse, type RejectedChange, type SyncTable } from '@shared/sync/protocol.js';
import { StageChange } from '@shared/sync/stages.js';
import type { Db, Queryable } from './db.js';
import { batchFingerprint, checkChanges, rejection, type CheckedChange } from './push-check.js';
import { insertAppend, lockRecords, mergeLww, type DeviceRef, type RecordSeq, type WriteOutcome } from './record-writes.js';
import { loggablePushedPredictions } from './withdraw-rows.js';
import { moveStage } from './registry.js';
import { refusedLabels } from './labels.js';

export { moveStage, lockRecords, type DeviceRef };

interface Tally {
  applied: number;
  ignored: number;
  rejected: RejectedChange[];
}

/**
 * Apply one pushed batch in one transaction, together with the device's acknowledged position.
 * - The batch under the acknowledged number with the same changes (fingerprint) is a re-send:
 *   answered `duplicate` with the first answer's refusals, writing nothing. A different batch under
 *   that number, or any batch under a lower one, comes from an older copy of the device's storage:
 *   answered `renumber` (the device numbers it past the server's and sends it again).
 * - A change stamped further ahead of the server's clock than MAX_CLOCK_DRIFT_MS refuses the batch.
 * - Each change is checked on its own; an invalid one is rejected with a reason, the rest apply,
 *   and the position still advances so the device is never blocked. A change the database itself
 *   refuses (a data error) is found by writing one change at a time and rejected the same way.
 * - Writers of an organisation's records are serialised by its row lock (record-writes.ts).
 */
export async function applyPush(db: Db, device: DeviceRef, batchSeq: number, rawChanges: unknown[], now: number): Promise<PushResponse> {
  // The checks that need no database run before the organisation's lock is taken, so the pushes
  // it serialises wait only for each other's writes. A refusal of the whole batch (clock drift) is
  // raised where it was, after a re-send has been answered as before.
  const fingerprint = batchFingerprint(rawChanges);
  let checked: ReturnType<typeof checkChanges> | undefined;
  let refusal: unknown;
  try {
    checked = checkChanges(rawChanges, now);
  } catch (e) {
    refusal = e;
  }
  return db.tx(async (q): Promise<PushResponse> => {
    const seq = await lockRecords(q, device.orgId);
    const [dev] = await q.query<{ acked: number; hash: string | null; rejected: RejectedChange[] | null }>(
      `select acked_batch_seq as acked, acked_batch_hash as hash, acked_rejected as rejected from devices where id = $1 for update`,
      [device.id],
    );
    const answer = { ackedBatchSeq: dev.acked, applied: 0, ignored: rawChanges.length, serverTime: now };
    if (batchSeq === dev.acked && (dev.hash === null || dev.hash === fingerprint)) return { ...answer, outcome: 'duplicate', rejected: dev.rejected ?? [] };
    if (batchSeq <= dev.acked) return { ...answer, outcome: 'renumber', ignored: 0, rejected: [] };
    if (!checked) throw refusal;

    const { valid, rejected } = checked;
    const tally = await writeBatch(q, seq, device, valid);
    tally.rejected.unshift(...rejected);
    await q.query(`update devices set acked_batch_seq = $2, acked_batch_hash = $3, acked_rejected = $4::jsonb, last_seen_at = now() where id = $1`, [
      device.id,
      batchSeq,
      fingerprint,
      JSON.stringify(tally.rejected),
    ]);
    return { ackedBatchSeq: batchSeq, outcome: 'applied', serverTime: now, ...tally };
  });
}

/**
 * Write the checked changes: append-only records first, then mutable ones, then stage moves (a
 * version registered and promoted offline arrives with its move). If the database refuses a value
 * (a data error, SQLSTATE class 22 or 54), the batch is rolled back to a savepoint and written
 * again one change at a time, each in its own savepoint, so that only the change the database
 * cannot hold is rejected and the device's queue moves on. Other errors (a lost connection, a
 * serialization failure) fail the whole push, which the device retries.
 */
async function writeBatch(q: Queryable, seq: RecordSeq, device: DeviceRef, changes: CheckedChange[]): Promise<Tally> {
  const ordered = ['append', 'lww', 'stage'].flatMap((p) => changes.filter((c) => SYNC_TABLES[c.table].policy === p));
  await q.query('savepoint push_batch');
  try {
    const tally = await writeTogether(q, seq, device, ordered);
    await q.query('release savepoint push_batch');
    return tally;
  } catch (e) {
    if (!isDataError(e)) throw e;
    await q.query('rollback to savepoint push_batch');
  }
  const tally: Tally = { applied: 0, ignored: 0, rejected: [] };
  for (const c of ordered) {
    await q.query('savepoint push_change');
    try {
      count(tally, c, await writeOne(q, seq, device, c));
      await q.query('release savepoint push_change');
    } catch (e) {
      if (!isDataError(e)) throw e;
      await q.query('rollback to savepoint push_change');
      const why = (e as { message?: string }).message ?? 'refused';
      const message = `The server cannot store this record (${why}). It was left out of sync; correct it on the device.`;
      tally.rejected.push(rejection(c, 'invalid_body', message, { code: 'store_refused', params: { detail: why } }));
    }
  }
  return tally;
}

async function writeTogether(q: Queryable, seq: RecordSeq, device: DeviceRef, ordered: CheckedChange[]): Promise<Tally> {
  const appended = ordered.filter((c) => SYNC_TABLES[c.table].policy === 'append');
  const refused = await refusedLabels(q, device.orgId, appended);
  const append = await loggable(
    q,
    device,
    appended.filter((c) => !refused.has(c)),
  );
  const inserted = await insertAppend(q, seq, device, append);
  const tally: Tally = { applied: inserted, ignored: append.length - inserted, rejected: [] };
  for (const [c, why] of refused) count(tally, c, why);
  for (const c of ordered.slice(appended.length)) count(tally, c, await writeOne(q, seq, device, c));
  return tally;
}

async function writeOne(q: Queryable, seq: RecordSeq, device: DeviceRef, c: CheckedChange): Promise<WriteOutcome> {
  const policy = SYNC_TABLES[c.table].policy;
  if (policy === 'append') {
    const refused = (await refusedLabels(q, device.orgId, [c])).get(c);
    if (refused) return refused;
    const inserted = await insertAppend(q, seq, device, await loggable(q, device, [c]));
    return inserted ? 'applied' : 'ignored';
  }
  if (policy === 'lww') return mergeLww(q, seq, device, c);
  // A device may not promote: its move to production is kept as a proposal (applied, as a proposal).
  const outcome = await moveStage(q, device.orgId, StageChange.parse(c.fields), c.hlc, { kind: 'device', id: device.id, name: 'device' });
  return outcome === 'proposed' ? 'applied' : outcome;
}

/** Pushed predictions without a raw value of a column the project marks personal, before they are written (withdraw-rows.ts). */
async function loggable(q: Queryable, device: DeviceRef, changes: CheckedChange[]): Promise<CheckedChange[]> {
  const predictions = changes.filter((c) => c.table === 'predictions');
  if (!predictions.length) return changes;
  const clean = new Map((await loggablePushedPredictions(q, device.orgId, predictions)).map((c, i) => [predictions[i], c]));
  return changes.map((c) => clean.get(c) ?? c);
}

function count(t: Tally, c: CheckedChange, outcome: WriteOutcome) {
  if (outcome === 'applied') t.applied++;
  else if (outcome === 'ignored') t.ignored++;
  // The store's refusal names its reason's code (REFUSAL_REASONS): the device says it in its language.
  else t.rejected.push(rejection(c, outcome.code, outcome.message, outcome.reason));
}

/** Errors in the data itself (class 22: data exception; 54: program limit exceeded): retrying cannot help. */
function isDataError(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code);
}

/**
 * Records changed after `cursor` (the organisation's sequence), oldest first, for the tables devices
 * pull. The cursor answered is always the sequence number of a stored record (of any table), named
 * as `witness`. A device that sends back a witness the server no longer holds at or after that
 * number is told to `reset`: the server's data was restored from an older backup, which a cursor
 * alone cannot show once later writes have taken the counter past it again. `tables` are those
 * the device's protocol version knows (pulledTables); the others pass like unpulled records.
 */
export async function pull(
  db: Queryable,
  orgId: string,
  cursor: number,
  limit: number,
  witness?: { table: string; id: string },
  tables: SyncTable[] = pulledTables(PROTOCOL.version),
): Promise<PullResponse> {
  const reset = { records: [], cursor: 0, more: true, reset: true };
  const [org] = await db.query<{ last: number }>(`select record_seq as last from orgs where id = $1`, [orgId]);
  if (!org || cursor > Number(org.last)) return reset;
  if (witness && cursor > 0) {
    const [held] = await db.query<{ seq: number }>(`select seq from records where org_id = $1 and tbl = $2 and id = $3`, [orgId, witness.table, witness.id]);
    // A record's sequence number only grows (every write takes a new one), so one below the cursor is an older copy.
    if (!held || Number(held.seq) < cursor) return reset;
  }
  // Read before the page: sequence order is commit order, so everything up to it is committed now,
  // and anything committed later has a greater number and comes in this page or the next.
  const [newest] = await db.query<{ tbl: string; id: string; seq: number }>(`select tbl, id, seq from records where org_id = $1 order by seq desc limit 1`, [
    orgId,
  ]);
  const rows = await db.query<{ tbl: SyncTable; id: string; seq: number; data: Record<string, unknown>; hlc: Record<string, string> }>(
    `select tbl, id, seq, data, hlc from records where org_id = $1 and seq > $2 and tbl = any($3::text[]) order by seq limit $4`,
    [orgId, cursor, tables, limit + 1],
  );
  const more = rows.length > limit;
  const records = rows.slice(0, limit).map((r) => ({ table: r.tbl, id: r.id, seq: Number(r.seq), data: r.data, hlc: r.hlc }));
  const lastPulled = records.length ? records[records.length - 1] : undefined;
  // The end of a last page passes records the device does not pull (the prediction log) too.
  const end = !more && newest && Number(newest.seq) > (lastPulled?.seq ?? cursor) ? { seq: Number(newest.seq), table: newest.tbl, id: newest.id } : lastPulled;
  return end ? { records, cursor: end.seq, more, witness: { table: end.table, id: end.id } } : { records, cursor, more };
}
