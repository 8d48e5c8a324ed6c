import type { PushResponse } from '@shared/sync/protocol.js';
import type { OutboxRow, OutpostDb } from './db.js';
import { countPendingUploads } from './blobs.js';

/** A change the server (or this device, for an oversized one) refused, with the reason to show. */
export type RejectedChange = PushResponse['rejected'][number];

// The kv keys the sync engine writes (docs/sync.md lists them all).
const REJECTED = 'sync:rejected';
const LAST_SYNCED_AT = 'sync:lastSyncedAt';
/** The push batch on the wire (`{batchSeq, upToSeq}`): its rows are re-sent as they are until acknowledged. */
const IN_FLIGHT = 'sync:inflight';

/**
 * The outbox rows of one record when none of them has left this device: all queued after the
 * push batch in flight (if any). Null when the record was never queued here or some of it may be
 * on the server already. Run it inside a transaction over the outbox and kv, with the change it
 * guards, so a push cannot take the rows in between.
 */
export async function unsentRows(db: OutpostDb, table: OutboxRow['table'], id: string): Promise<OutboxRow[] | null> {
  const rows = await db.outbox.where('[table+id]').equals([table, id]).toArray();
  if (!rows.length) return null;
  const inFlight = (await db.kv.get(IN_FLIGHT))?.value as { upToSeq: number } | undefined;
  return inFlight && rows.some((r) => r.seq! <= inFlight.upToSeq) ? null : rows;
}

/**
 * Changes and blobs on this device that the server does not have yet: outbox rows plus complete
 * blobs waiting for upload, both counted on an index (no record or byte is read).
 */
export async function countPending(db: OutpostDb): Promise<number> {
  return (await db.outbox.count()) + (await countPendingUploads(db));
}

/** The last refusals kept to show the person (newest last). */
export async function rejectedChanges(db: OutpostDb): Promise<RejectedChange[]> {
  return ((await db.kv.get(REJECTED))?.value as RejectedChange[] | undefined) ?? [];
}

/**
 * Keep refusals to show the person (the newest 100). Two tabs may both hear the answer to one batch
 * (the second as `duplicate`), and a blob too large is refused at every sync: each is kept once.
 */
export async function rememberRejected(db: OutpostDb, rejected: RejectedChange[]): Promise<void> {
  if (!rejected.length) return;
  const kept = await rejectedChanges(db);
  const key = (r: RejectedChange) => JSON.stringify([r.table, r.id, r.code, r.message]);
  const seen = new Set(kept.map(key));
  await db.kv.put({ key: REJECTED, value: [...kept, ...rejected.filter((r) => !seen.has(key(r)))].slice(-100) });
}

export async function clearRejectedChanges(db: OutpostDb): Promise<void> {
  await db.kv.delete(REJECTED);
}

/** When this device last finished a sync, or null if it never has. */
export async function lastSyncedAt(db: OutpostDb): Promise<number | null> {
  return ((await db.kv.get(LAST_SYNCED_AT))?.value as number | undefined) ?? null;
}
