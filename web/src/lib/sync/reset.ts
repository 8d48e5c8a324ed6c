import { formatHlc } from '@shared/sync/hlc.js';
import { SYNC_TABLES, type SyncTable } from '@shared/sync/protocol.js';
import type { OutpostDb } from '../db/db.js';
import { markAllBlobsForUpload } from '../db/blobs.js';
import { sentPrediction } from '../db/monitoring.js';
import type { Prediction } from '@shared/schema/records.js';

/**
 * Every synced table a device keeps locally and may write: the pulled ones and the prediction log.
 * Tables only the server writes (the registry's history, proposals, aliases, deployments) are not
 * given back: the server refuses a device's change to them, and they are the server's to restore.
 */
const KEPT_TABLES: SyncTable[] = [
  ...(Object.keys(SYNC_TABLES) as SyncTable[]).filter((t) => SYNC_TABLES[t].pull && SYNC_TABLES[t].policy !== 'server'),
  'predictions',
];
const PAGE = 1000;
/** The engine's pull cursor and the record it names (KV.cursor and KV.witness in engine.ts). */
const CURSOR_KEY = 'sync:cursor';
const WITNESS_KEY = 'sync:witness';

/**
 * The server cannot continue from this device's cursor (its data was restored from an older
 * backup): pull everything again, and give the server back what it may have lost rather than
 * dropping what it no longer has. Every local record of the synced tables is queued again, whole,
 * with the smallest possible stamp (`000000000000000-0000-<device>`), so a field the server still
 * holds wins over it (it is ignored there), a prediction it holds is ignored by id, and a record
 * or field it lost comes back. Blobs are uploaded again (the server answers at once for those it
 * still has). One transaction with the cursor: a reset cut half-way is asked for, and done, again.
 */
export async function giveBackAfterReset(db: OutpostDb, deviceId: string | undefined): Promise<void> {
  const hlc = formatHlc({ millis: 0, counter: 0, node: nodeOf(deviceId) });
  const tables = KEPT_TABLES.map((t) => db.table(t));
  await db.transaction('rw', [...tables, db.outbox, db.kv, db.blobState], async () => {
    // Predictions go back as they were first sent: without inputs where the project keeps them here.
    const keepsInputs = new Set((await db.projects.toArray()).filter((p) => p.shareInputs === false).map((p) => p.id));
    const sent = (table: SyncTable, r: Record<string, unknown>) =>
      table === 'predictions' && keepsInputs.has(r.projectId as string) ? sentPrediction(false)(r as Prediction) : { ...r };
    for (const table of KEPT_TABLES) {
      // By primary key in pages, so a long prediction log is never read into memory at once.
      for (let last: string | undefined; ;) {
        const from = last === undefined ? db.table(table).orderBy(':id') : db.table(table).where(':id').above(last);
        const page = (await from.limit(PAGE).toArray()) as ({ id: string } & Record<string, unknown>)[];
        if (!page.length) break;
        await db.outbox.bulkAdd(page.map((r) => ({ table, id: r.id, hlc, fields: sent(table, r) })));
        last = page[page.length - 1].id;
      }
    }
    await markAllBlobsForUpload(db);
    await db.kv.put({ key: CURSOR_KEY, value: 0 });
    await db.kv.delete(WITNESS_KEY);
  });
}

/** A clock node id from the device id (stamps allow 1-36 of [0-9A-Za-z_-]). */
function nodeOf(deviceId: string | undefined): string {
  return (deviceId ?? '').replace(/[^0-9A-Za-z_-]/g, '').slice(0, 36) || 'reset';
}
