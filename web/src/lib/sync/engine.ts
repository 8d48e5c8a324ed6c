import { z } from 'zod';
import { PullResponse, PushResponse, PUSH_LIMITS, SYNC_TABLES, type Change, type DeviceStatus, type SyncTable } from '../../../../shared/src/sync/protocol.js';
import type { OutpostDb, OutboxRow } from '../db/db.js';
import { observeStamp } from '../db/mutate.js';
import { downloadBlobs, uploadBlobs } from './blobs.js';
import { readAnswer, type Transport } from './transport.js';
import { gzip } from './compress.js';

export interface SyncSummary {
  pushed: number;
  pulled: number;
  rejected: number;
  blobsUp: number;
  blobsDown: number;
}

/** A batch sent but not yet acknowledged: re-sent with the same number until it is. */
interface InFlight {
  batchSeq: number;
  upToSeq: number;
}

export const KV = {
  inFlight: 'sync:inflight',
  nextBatchSeq: 'sync:nextBatchSeq',
  cursor: 'sync:cursor',
  rejected: 'sync:rejected',
  lastSyncedAt: 'sync:lastSyncedAt',
} as const;

const PULLED_TABLES = (Object.keys(SYNC_TABLES) as SyncTable[]).filter((t) => SYNC_TABLES[t].pull);

/**
 * The device side of sync (docs/sync.md): upload blobs, push the outbox in bounded batches, pull
 * pages by server sequence, download missing model weights. Every step is safe to interrupt and
 * repeat: outbox rows leave only after the server acknowledges them, and a pulled page is stored
 * together with its cursor.
 */
export class SyncEngine {
  constructor(
    private db: OutpostDb,
    private transport: Transport,
    private now: () => number = Date.now,
    private appVersion = '0.0.0',
  ) {}

  async syncOnce(): Promise<SyncSummary> {
    const blobsUp = await uploadBlobs(this.db, this.transport);
    const { pushed, rejected } = await this.push();
    const pulled = await this.pull();
    const blobsDown = await downloadBlobs(this.db, this.transport);
    await this.db.kv.put({ key: KV.lastSyncedAt, value: this.now() });
    await this.reportStatus();
    return { pushed, pulled, rejected, blobsUp, blobsDown };
  }

  /** Changes and blobs on this device that the server does not have yet. */
  async pendingCount(): Promise<number> {
    const blobs = await this.db.blobs.filter((b) => b.complete && !b.uploaded).count();
    return (await this.db.outbox.count()) + blobs;
  }

  /** Tell the server what still waits here and which models are active (the fleet view). */
  private async reportStatus(): Promise<void> {
    const prod = await this.db.model_versions.filter((v) => v.stage === 'production' && !v.deleted).toArray();
    const blobs = await this.db.blobs.bulkGet(prod.map((v) => v.weightsHash));
    const status: DeviceStatus = {
      pending: await this.pendingCount(),
      activeVersions: prod.filter((_, i) => blobs[i]?.complete).map((v) => ({ id: v.id, modelName: v.modelName, version: v.version })),
      appVersion: this.appVersion,
    };
    const res = await this.transport.request('POST', '/api/sync/status', { body: JSON.stringify(status), headers: { 'content-type': 'application/json' } });
    await readAnswer(res, z.object({ ok: z.literal(true) }));
  }

  private async get<T>(key: string): Promise<T | undefined> {
    return (await this.db.kv.get(key))?.value as T | undefined;
  }

  /** Take the next batch: the in-flight one again, or new rows bounded by count and bytes. */
  private async nextBatch(): Promise<{ batch: InFlight; rows: OutboxRow[] } | undefined> {
    const inFlight = await this.get<InFlight>(KV.inFlight);
    if (inFlight) {
      const rows = await this.db.outbox.where('seq').belowOrEqual(inFlight.upToSeq).toArray();
      if (rows.length) return { batch: inFlight, rows };
    }
    const candidates = await this.db.outbox.orderBy('seq').limit(PUSH_LIMITS.maxChanges).toArray();
    if (!candidates.length) return undefined;
    const rows: OutboxRow[] = [];
    let bytes = 64;
    for (const r of candidates) {
      const size = JSON.stringify(r.fields).length + 200;
      if (rows.length && bytes + size > PUSH_LIMITS.maxBytes) break;
      rows.push(r);
      bytes += size;
    }
    const batch = { batchSeq: (await this.get<number>(KV.nextBatchSeq)) ?? 0, upToSeq: rows[rows.length - 1].seq! };
    // Recorded before sending: if the answer is lost, the same batch number goes again (a no-op).
    await this.db.transaction('rw', this.db.kv, async () => {
      await this.db.kv.put({ key: KV.inFlight, value: batch });
      await this.db.kv.put({ key: KV.nextBatchSeq, value: batch.batchSeq + 1 });
    });
    return { batch, rows };
  }

  async push(): Promise<{ pushed: number; rejected: number }> {
    let pushed = 0;
    let rejectedCount = 0;
    for (;;) {
      const next = await this.nextBatch();
      if (!next) break;
      const changes: Change[] = next.rows.map((r) => ({ table: r.table, id: r.id, hlc: r.hlc, fields: r.fields }));
      const json = JSON.stringify({ batchSeq: next.batch.batchSeq, changes });
      const zipped = await gzip(json);
      const res = await this.transport.request('POST', '/api/sync/push', {
        body: zipped ?? json,
        headers: zipped ? { 'content-type': 'application/json', 'content-encoding': 'gzip' } : { 'content-type': 'application/json' },
      });
      const ack = await readAnswer(res, PushResponse);
      await this.db.transaction('rw', [this.db.outbox, this.db.kv], async () => {
        await this.db.outbox.where('seq').belowOrEqual(next.batch.upToSeq).delete();
        await this.db.kv.delete(KV.inFlight);
        if (ack.rejected.length) {
          const kept = (await this.get<PushResponse['rejected']>(KV.rejected)) ?? [];
          await this.db.kv.put({ key: KV.rejected, value: [...kept, ...ack.rejected].slice(-100) });
        }
      });
      pushed += next.rows.length;
      rejectedCount += ack.rejected.length;
    }
    return { pushed, rejected: rejectedCount };
  }

  /**
   * Pull pages until the server has no more. Each record is stored as the server holds it, then
   * this device's still-unpushed changes to it are laid on top (they will win or lose on the
   * server by their clocks when pushed). A page and its cursor commit together.
   */
  async pull(): Promise<number> {
    let pulled = 0;
    let resets = 0;
    for (;;) {
      const cursor = (await this.get<number>(KV.cursor)) ?? 0;
      const res = await this.transport.request('GET', `/api/sync/pull?cursor=${cursor}&limit=200`);
      const page = await readAnswer(res, PullResponse);
      if (page.reset) {
        if (++resets > 1) break;
        await this.db.kv.put({ key: KV.cursor, value: 0 });
        continue;
      }
      const tables = PULLED_TABLES.map((t) => this.db.table(t));
      await this.db.transaction('rw', [...tables, this.db.outbox, this.db.kv], async () => {
        for (const rec of page.records) {
          const pending = await this.db.outbox.where('[table+id]').equals([rec.table, rec.id]).toArray();
          const data = { ...rec.data };
          for (const p of pending) Object.assign(data, p.fields);
          if (SYNC_TABLES[rec.table].schema.safeParse(data).success) await this.db.table(rec.table).put(data);
          const newest = Object.values(rec.hlc).sort().pop();
          if (newest) await observeStamp(this.db, newest, this.now());
        }
        await this.db.kv.put({ key: KV.cursor, value: page.cursor });
      });
      pulled += page.records.length;
      if (!page.more) break;
    }
    return pulled;
  }
}
