import { v7 as uuidv7 } from 'uuid';
import { formatHlc, parseHlc, receiveHlc, sendHlc, type Hlc } from '@shared/sync/hlc.js';
import type { SyncTable } from '@shared/sync/protocol.js';
import type { OutpostDb } from './db.js';

export const newId = (): string => uuidv7();

const HLC_KEY = 'hlc';

/** The device's clock, made on first use (with a node id of its own) and kept in `kv`. */
async function currentClock(db: OutpostDb): Promise<Hlc> {
  const row = await db.kv.get(HLC_KEY);
  return row ? parseHlc(row.value as string) : { millis: 0, counter: 0, node: newId().replace(/-/g, '').slice(-16) };
}

async function nextStamp(db: OutpostDb, now: number): Promise<string> {
  const next = sendHlc(await currentClock(db), now);
  const s = formatHlc(next);
  await db.kv.put({ key: HLC_KEY, value: s });
  return s;
}

/**
 * Advance the local clock past a stamp seen from the server (pulls). A device that pulls before
 * its first write gets its clock here, so that first write sorts after everything it has seen even
 * when its wall clock is far behind.
 */
export async function observeStamp(db: OutpostDb, remote: string, now: number): Promise<void> {
  const merged = receiveHlc(await currentClock(db), parseHlc(remote), now, Number.POSITIVE_INFINITY);
  await db.kv.put({ key: HLC_KEY, value: formatHlc(merged) });
}

type Rec = { id: string };

/**
 * Write a whole record locally and queue it for sync, atomically: the record and its outbox row
 * commit in one IndexedDB transaction, so a change is never stored without being queued.
 */
export async function putRecord<T extends Rec>(db: OutpostDb, table: SyncTable, record: T, now = Date.now()): Promise<T> {
  const t = db.table(table);
  await db.transaction('rw', [t, db.outbox, db.kv], async () => {
    const hlc = await nextStamp(db, now);
    await t.put(record);
    await db.outbox.add({ table, id: record.id, hlc, fields: { ...record } });
  });
  return record;
}

/** Change some fields of a stored record locally and queue just those fields (per-field LWW). */
export async function patchRecord(db: OutpostDb, table: SyncTable, id: string, fields: Record<string, unknown>, now = Date.now()): Promise<void> {
  const t = db.table(table);
  await db.transaction('rw', [t, db.outbox, db.kv], async () => {
    const hlc = await nextStamp(db, now);
    const n = await t.update(id, fields);
    if (n === 0) throw new Error(`No ${table} record ${id} to update`);
    await db.outbox.add({ table, id, hlc, fields });
  });
}

/**
 * Many new records of one table in one transaction (batch scoring logs thousands of predictions).
 * `sent` chooses what of each record goes to the server (all of it unless told otherwise).
 */
export async function putRecords<T extends Rec>(
  db: OutpostDb,
  table: SyncTable,
  records: T[],
  now = Date.now(),
  sent: (r: T) => Record<string, unknown> = (r) => ({ ...r }),
): Promise<void> {
  const t = db.table(table);
  await db.transaction('rw', [t, db.outbox, db.kv], async () => {
    const rows = [];
    for (const r of records) rows.push({ table, id: r.id, hlc: await nextStamp(db, now), fields: sent(r) });
    await t.bulkPut(records);
    await db.outbox.bulkAdd(rows);
  });
}

/**
 * Queue a command for the server that has no table of its own on the device (a stage move), in
 * the caller's transaction. The caller applies its optimistic local effect itself.
 */
export async function queueCommand(db: OutpostDb, table: SyncTable, record: Rec & Record<string, unknown>, now = Date.now()): Promise<void> {
  await db.transaction('rw', [db.outbox, db.kv], async () => {
    await db.outbox.add({ table, id: record.id, hlc: await nextStamp(db, now), fields: { ...record } });
  });
}
