// Test support: copies of a device's storage and of an organisation's server data, taken and put
// back, to simulate a device restored from an older copy of itself and a server restored from an
// older backup.
import type { Db } from '../../../../server/src/store/db.js';
import type { OutpostDb } from '../db/db.js';

export type DeviceCopy = Map<string, unknown[]>;

/** Everything in every table of a device's database. */
export async function copyDevice(db: OutpostDb): Promise<DeviceCopy> {
  const copy: DeviceCopy = new Map();
  await db.transaction('r', db.tables, async () => {
    for (const t of db.tables) copy.set(t.name, await t.toArray());
  });
  return copy;
}

/** Put a device's database back as it was when `copy` was taken. */
export async function restoreDevice(db: OutpostDb, copy: DeviceCopy): Promise<void> {
  await db.transaction('rw', db.tables, async () => {
    for (const t of db.tables) {
      await t.clear();
      await t.bulkAdd(copy.get(t.name) ?? []);
    }
  });
}

interface RecordRow {
  tbl: string;
  id: string;
  data: unknown;
  hlc: unknown;
  seq: number;
  device_id: string | null;
}
export interface ServerCopy {
  records: RecordRow[];
  recordSeq: number;
  devices: { id: string; acked_batch_seq: number; acked_batch_hash: string | null; acked_rejected: unknown }[];
}

/** An organisation's records, its sequence counter and its devices' positions (a backup). */
export async function copyServer(server: Db, orgId: string): Promise<ServerCopy> {
  return {
    records: await server.query<RecordRow>(`select tbl, id, data, hlc, seq, device_id from records where org_id = $1`, [orgId]),
    recordSeq: Number((await server.query<{ s: number }>(`select record_seq as s from orgs where id = $1`, [orgId]))[0].s),
    devices: await server.query(`select id, acked_batch_seq, acked_batch_hash, acked_rejected from devices where org_id = $1`, [orgId]),
  };
}

/** Restore an organisation's data from a backup: what was written since is gone. */
export async function restoreServer(server: Db, orgId: string, copy: ServerCopy): Promise<void> {
  await server.tx(async (q) => {
    await q.query(`delete from records where org_id = $1`, [orgId]);
    for (const r of copy.records) {
      await q.query(`insert into records (org_id, tbl, id, data, hlc, seq, device_id) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)`, [
        orgId,
        r.tbl,
        r.id,
        JSON.stringify(r.data),
        JSON.stringify(r.hlc),
        r.seq,
        r.device_id,
      ]);
    }
    await q.query(`update orgs set record_seq = $2 where id = $1`, [orgId, copy.recordSeq]);
    for (const d of copy.devices) {
      await q.query(`update devices set acked_batch_seq = $2, acked_batch_hash = $3, acked_rejected = $4::jsonb where id = $1`, [
        d.id,
        d.acked_batch_seq,
        d.acked_batch_hash,
        JSON.stringify(d.acked_rejected),
      ]);
    }
  });
}
