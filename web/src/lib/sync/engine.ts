import { z } from 'zod';
import {
  PullResponse,
  PushResponse,
  MONITOR_UPLOAD_MAX_DAYS,
  MonitorUploadResponse,
  PROTOCOL,
  PUSH_LIMITS,
  type MonitorUpload,
  pulledTables,
  SYNC_TABLES,
  type Change,
  type DeviceStatus,
  type PushRequest,
  type RejectedChange,
} from '@shared/sync/protocol.js';
import type { OutpostDb, OutboxRow } from '../db/db.js';
import { completeBlobs, forgetRowsFiles } from '../db/blobs.js';
import { countPending, rememberRejected } from '../db/sync-state.js';
import { observeStamp } from '../db/mutate.js';
import { countOutcome, markDaysSent, markVerdictsSent, unsentDays, unsentVerdicts } from '../db/monitoring.js';
import { noteMarkArrived, scrubMarkedLogs } from '../db/scrub-log.js';
import type { Outcome } from '@shared/schema/monitoring.js';
import type { PersonalChoice } from '@shared/data/privacy.js';
import type { Deployment } from '@shared/schema/deployment.js';
import { keepPulledDeployment } from '../db/deployments.js';
import { deploymentReport } from '../deploy/status.js';
import { downloadBlobs, uploadBlobs } from './blobs.js';
import { readAnswer, speakProtocol, SyncError, type Transport } from './transport.js';
import { gzip } from './compress.js';
import { rebase } from './rebase.js';
import { giveBackAfterReset } from './reset.js';
import { describeFailure, StatusCell, type SyncStatus } from './status.js';
import { wipeAfterRevocation } from './wipe.js';
import type { Message } from '../i18n/catalogue.js';
import { english } from '../i18n/speaking.js';

export interface SyncSummary {
  pushed: number;
  pulled: number;
  rejected: number;
  blobsUp: number;
  blobsDown: number;
}

export interface SyncEngineOptions {
  db: OutpostDb;
  transport: Transport;
  now?: () => number;
  /**
   * Sent with every push as a claim the server checks against the credential (403 if another's);
   * also names this device in the stamps of records it re-sends after a server reset.
   */
  deviceId?: string;
  appVersion?: string;
}

/** A batch numbered but not yet acknowledged: re-sent with the same number until it is. */
interface InFlight {
  batchSeq: number;
  upToSeq: number;
}
type Rejected = RejectedChange;

export const KV = {
  inFlight: 'sync:inflight',
  nextBatchSeq: 'sync:nextBatchSeq',
  cursor: 'sync:cursor',
  /** The record the server named at the cursor; sent back so a server restored from a backup is noticed. */
  witness: 'sync:witness',
  rejected: 'sync:rejected',
  lastSyncedAt: 'sync:lastSyncedAt',
} as const;

const PULLED_TABLES = pulledTables(PROTOCOL.version);
const PULL_PAGE = 200;
/** Upload-then-push rounds in one sync, for changes queued while it runs. */
const SYNC_ROUNDS = 3;
const encoder = new TextEncoder();
const changeOf = (r: OutboxRow): Change => ({ table: r.table, id: r.id, hlc: r.hlc, fields: r.fields });

/**
 * The device side of sync (docs/sync.md): upload blobs, push the outbox in bounded batches, pull
 * pages by server sequence, download missing model weights. Every step is safe to interrupt and
 * repeat: outbox rows leave only after the server acknowledges them, and a pulled page is stored
 * together with its cursor.
 */
export class SyncEngine {
  private db: OutpostDb;
  private transport: Transport;
  private now: () => number;
  private deviceId?: string;
  private appVersion: string;
  private running: Promise<SyncSummary> | null = null;
  private cell = new StatusCell({ name: 'pending', message: '', pending: 0, lastSyncedAt: null });

  constructor(o: SyncEngineOptions) {
    this.db = o.db;
    // Every request says which protocol this app speaks; an answer from a server too old for it stops the sync.
    this.transport = speakProtocol(o.transport);
    this.now = o.now ?? Date.now;
    this.deviceId = o.deviceId;
    this.appVersion = o.appVersion ?? '0.0.0';
  }

  /** The current sync state and a sentence for the person. */
  get status(): SyncStatus {
    return this.cell.value;
  }

  /** Observe the status (Svelte store contract: called at once, then on every change). */
  subscribe(fn: (s: SyncStatus) => void): () => void {
    return this.cell.subscribe(fn);
  }

  /** One full sync. Concurrent calls share the sync already running. */
  syncOnce(): Promise<SyncSummary> {
    this.running ??= this.run().finally(() => (this.running = null));
    return this.running;
  }

  private async run(): Promise<SyncSummary> {
    this.cell.set({ name: 'syncing', message: 'Syncing…', code: undefined, retryable: undefined, said: undefined });
    try {
      // A sync sends only what was queued before its blobs went up: a version written during the
      // upload (its rows file saved with it) would otherwise reach the server before its file and
      // be refused for good. What was queued meanwhile goes in another round at once, not at the
      // next scheduled sync; rounds are bounded, as the person may keep writing.
      let blobsUp = 0;
      let pushed = 0;
      let rejected = 0;
      for (let round = 0; round < SYNC_ROUNDS; round++) {
        const upTo = await this.lastQueued();
        blobsUp += await uploadBlobs(this.db, this.transport);
        const sent = await this.push(upTo);
        pushed += sent.pushed;
        rejected += sent.rejected;
        if ((await this.lastQueued()) <= upTo) break;
      }
      const pulled = await this.pull();
      const blobsDown = await downloadBlobs(this.db, this.transport);
      const lastSyncedAt = this.now();
      await this.db.kv.put({ key: KV.lastSyncedAt, value: lastSyncedAt });
      await this.reportStatus();
      await this.sendMonitors();
      const pending = await this.pendingCount();
      const said: Message | undefined = rejected
        ? { key: 'sync.summary.refused', values: { count: rejected } }
        : pending
          ? { key: 'sync.summary.waiting', values: { count: pending } }
          : undefined;
      this.cell.set({ name: pending ? 'pending' : 'synced', pending, lastSyncedAt, message: said ? english(said) : '', said });
      return { pushed, pulled, rejected, blobsUp, blobsDown };
    } catch (e) {
      // Revoked by the organisation (a lost or stolen phone): its data goes at this first contact.
      if (e instanceof SyncError && e.code === 'credential_revoked') await wipeAfterRevocation(this.db).catch(() => undefined);
      this.cell.set({ ...describeFailure(e), pending: await this.pendingCount().catch(() => this.cell.value.pending) });
      throw e;
    }
  }

  /** The sequence number of the newest change queued here (0 when none). */
  private async lastQueued(): Promise<number> {
    return (await this.db.outbox.orderBy('seq').last())?.seq ?? 0;
  }

  /** Changes and blobs on this device that the server does not have yet. */
  async pendingCount(): Promise<number> {
    return countPending(this.db);
  }

  /** Tell the server what still waits here and which models are active (the fleet view). Best effort. */
  private async reportStatus(): Promise<void> {
    try {
      const prod = (await this.db.model_versions.where('stage').equals('production').toArray()).filter((v) => !v.deleted);
      const here = await completeBlobs(
        this.db,
        prod.flatMap((v) => (v.quantized ? [v.weightsHash, v.quantized.weightsHash] : [v.weightsHash])),
      );
      const status: DeviceStatus = {
        pending: await this.pendingCount(),
        activeVersions: prod
          .filter((v) => here.has(v.weightsHash) || (v.quantized && here.has(v.quantized.weightsHash)))
          .slice(0, 100)
          .map((v) => ({ id: v.id, modelName: v.modelName, version: v.version })),
        appVersion: this.appVersion,
        // Which versions can answer here, and how each deployment is followed (blue-green's switch waits for them).
        ...(await deploymentReport(this.db)),
      };
      const res = await this.transport.request('POST', '/api/sync/status', { body: JSON.stringify(status), headers: { 'content-type': 'application/json' } });
      await readAnswer(res, z.object({ ok: z.literal(true) }));
    } catch {
      // The fleet view is informational: the data itself has synced, so this never fails a sync.
    }
  }

  /**
   * Send the day counts that changed since they were last sent, and this device's verdicts, for
   * the fleet view. Best effort like the status report: what is not sent now stays marked and goes
   * with the next sync.
   */
  private async sendMonitors(): Promise<void> {
    try {
      for (let round = 0; round < 20; round++) {
        const days = await unsentDays(this.db, MONITOR_UPLOAD_MAX_DAYS);
        const verdicts = round === 0 ? await unsentVerdicts(this.db) : [];
        if (!days.length && !verdicts.length) return;
        const upload: MonitorUpload = { days: days.map((d) => d.summary), verdicts: verdicts.map((v) => v.verdict) };
        const res = await this.transport.request('POST', '/api/sync/monitors', {
          body: JSON.stringify(upload),
          headers: { 'content-type': 'application/json' },
        });
        await readAnswer(res, MonitorUploadResponse);
        // A day the server refused (its counts are malformed) is not sent again until it changes.
        await markDaysSent(this.db, days);
        await markVerdictsSent(this.db, verdicts);
        if (days.length < MONITOR_UPLOAD_MAX_DAYS) return;
      }
    } catch {
      // Informational, as the status report: the data itself has synced.
    }
  }

  private async get<T>(key: string): Promise<T | undefined> {
    return (await this.db.kv.get(key))?.value as T | undefined;
  }

  private remember(rejected: Rejected[]): Promise<void> {
    return rememberRejected(this.db, rejected);
  }

  /**
   * Take the next batch: the in-flight one again, or new rows bounded by count and bytes, numbered
   * and recorded before sending (so a lost answer makes the re-send a no-op). Reading and numbering
   * happen in one transaction, so two tabs syncing at once share a number only for the same rows.
   * A single change too big for any batch can never be accepted: it is refused here, like a
   * server rejection, so it does not block everything queued behind it.
   */
  private nextBatch(upTo: number): Promise<{ batch: InFlight | null; rows: OutboxRow[]; refused: number } | undefined> {
    return this.db.transaction('rw', [this.db.outbox, this.db.kv], async () => {
      const inFlight = await this.get<InFlight>(KV.inFlight);
      if (inFlight) {
        const rows = await this.db.outbox.where('seq').belowOrEqual(inFlight.upToSeq).toArray();
        if (rows.length) return { batch: inFlight, rows, refused: 0 };
        await this.db.kv.delete(KV.inFlight);
      }
      const candidates = await this.db.outbox.where('seq').belowOrEqual(upTo).limit(PUSH_LIMITS.maxChanges).toArray();
      const rows: OutboxRow[] = [];
      const refused: Rejected[] = [];
      let bytes = 96; // the envelope: {"batchSeq":…,"changes":[…],"deviceId":"…"}
      for (const r of candidates) {
        const size = encoder.encode(JSON.stringify(changeOf(r))).byteLength + 1;
        if (size + 96 > PUSH_LIMITS.maxBytes) {
          const mb = Math.round(size / 1e6);
          refused.push({
            table: r.table,
            id: r.id,
            code: 'payload_too_large',
            message: `This change is ${mb} MB, larger than a sync batch may be; it stays on this device only.`,
            reason: { code: 'change_too_large', params: { mb } },
          });
          await this.db.outbox.delete(r.seq!);
          continue;
        }
        if (bytes + size > PUSH_LIMITS.maxBytes) break;
        rows.push(r);
        bytes += size;
      }
      await this.remember(refused);
      if (!rows.length) return refused.length ? { batch: null, rows, refused: refused.length } : undefined;
      const batch = { batchSeq: (await this.get<number>(KV.nextBatchSeq)) ?? 0, upToSeq: rows[rows.length - 1].seq! };
      await this.db.kv.put({ key: KV.inFlight, value: batch });
      await this.db.kv.put({ key: KV.nextBatchSeq, value: batch.batchSeq + 1 });
      return { batch, rows, refused: refused.length };
    });
  }

  /** Push the outbox up to change `upTo` (all of it when not given). */
  async push(upTo = Infinity): Promise<{ pushed: number; rejected: number }> {
    let pushed = 0;
    let rejectedCount = 0;
    for (;;) {
      const next = await this.nextBatch(upTo);
      if (!next) break;
      rejectedCount += next.refused;
      const { batch, rows } = next;
      if (!batch) continue;
      const ack = await this.send(batch, rows);
      if (ack.outcome === 'renumber') {
        // The server took this number for another batch, or has seen higher numbers from this
        // device (its storage was restored from an older copy): number these rows past the
        // server's and send them again; records are idempotent by id and clock stamp.
        const renumbered = Math.max(ack.ackedBatchSeq, batch.batchSeq) + 1;
        await this.db.transaction('rw', this.db.kv, async () => {
          await this.db.kv.put({ key: KV.inFlight, value: { batchSeq: renumbered, upToSeq: batch.upToSeq } });
          await this.db.kv.put({ key: KV.nextBatchSeq, value: renumbered + 1 });
        });
        continue;
      }
      if (ack.ackedBatchSeq !== batch.batchSeq) throw SyncError.worded('network', { key: 'sync.failure.unconfirmed' }, true);
      // Applied now, or before (a re-send whose first answer was lost): either way it is delivered.
      await this.db.transaction('rw', [this.db.outbox, this.db.kv], async () => {
        await this.db.outbox.where('seq').belowOrEqual(batch.upToSeq).delete();
        if ((await this.get<InFlight>(KV.inFlight))?.batchSeq === batch.batchSeq) await this.db.kv.delete(KV.inFlight);
        await this.remember(ack.rejected);
      });
      await this.restoreRefusedDeletions(rows, ack.rejected);
      pushed += rows.length;
      rejectedCount += ack.rejected.length;
    }
    return { pushed, rejected: rejectedCount };
  }

  /**
   * A deletion the server refused (a version moved to production, or named by the deployment,
   * while this phone was offline): the thing is shown again here, as the server and every other
   * phone still have it, and the refusal says why. Its weights, freed at the deletion, come back
   * with the next download.
   */
  private async restoreRefusedDeletions(rows: OutboxRow[], rejected: RejectedChange[]): Promise<void> {
    const tombstones = new Set(rows.filter((r) => r.fields.deleted === true).map((r) => `${r.table}\n${r.id}`));
    for (const r of rejected) {
      if (r.code !== 'conflict' || !tombstones.has(`${r.table}\n${r.id}`)) continue;
      const table = this.db.table(r.table);
      await this.db.transaction('rw', [table, this.db.outbox], async () => {
        // A later tombstone of the same record still queued would be refused the same way.
        if (await this.db.outbox.where('[table+id]').equals([r.table, r.id]).count()) return;
        await table.update(r.id, { deleted: undefined });
      });
    }
  }

  /** Send one batch (gzip-compressed where the platform can) and read the server's answer. */
  private async send(batch: InFlight, rows: OutboxRow[]): Promise<PushResponse> {
    const body: PushRequest = { batchSeq: batch.batchSeq, changes: rows.map(changeOf), ...(this.deviceId ? { deviceId: this.deviceId } : {}) };
    const json = JSON.stringify(body);
    const zipped = await gzip(json);
    const res = await this.transport.request('POST', '/api/sync/push', {
      body: zipped ?? json,
      headers: zipped ? { 'content-type': 'application/json', 'content-encoding': 'gzip' } : { 'content-type': 'application/json' },
    });
    return readAnswer(res, PushResponse);
  }

  /**
   * Pull pages until the server has no more. Each record is stored as the server holds it, with
   * this device's still-unpushed changes that will win on the server laid on top (rebase.ts). A
   * page and its cursor commit in one transaction: a page cut half-way is pulled again.
   */
  async pull(): Promise<number> {
    let pulled = 0;
    let resets = 0;
    for (;;) {
      const cursor = (await this.get<number>(KV.cursor)) ?? 0;
      const witness = await this.get<PullResponse['witness']>(KV.witness);
      const check = witness && cursor > 0 ? `&witness=${encodeURIComponent(`${witness.table}:${witness.id}`)}` : '';
      const res = await this.transport.request('GET', `/api/sync/pull?cursor=${cursor}&limit=${PULL_PAGE}${check}`);
      const page = await readAnswer(res, PullResponse);
      if (page.reset) {
        if (++resets > 1) throw SyncError.worded('network', { key: 'sync.failure.pullReset' }, true);
        await giveBackAfterReset(this.db, this.deviceId);
        continue;
      }
      await this.store(page);
      pulled += page.records.length;
      if (!page.more) break;
    }
    await scrubMarkedLogs(this.db);
    return pulled;
  }

  private async store(page: PullResponse): Promise<void> {
    const tables = PULLED_TABLES.map((t) => this.db.table(t));
    const withdrawn: string[] = [];
    await this.db.transaction('rw', [...tables, this.db.outbox, this.db.kv, this.db.predictions, this.db.monitorDays], async () => {
      for (const rec of page.records) {
        const pending = await this.db.outbox.where('[table+id]').equals([rec.table, rec.id]).toArray();
        const data = rebase(rec, pending);
        // A record this app version cannot read is skipped rather than stored half-understood.
        const parsed = SYNC_TABLES[rec.table].schema.safeParse(data);
        if (parsed.success) {
          // A column another phone marked personal: this phone's log of the project is cleaned after the pull.
          if (rec.table === 'datasets') {
            const d = parsed.data as { personal?: Record<string, PersonalChoice>; projectId: string };
            await noteMarkArrived(this.db, (await this.db.datasets.get(rec.id))?.personal, d.personal, d.projectId);
          }
          // A version's rows file withdrawn by the server (a column marked personal after it was
          // sent) or replaced by one that follows the marks: this copy of the old file goes too.
          if (rec.table === 'dataset_versions') {
            const before = (await this.db.dataset_versions.get(rec.id))?.rows;
            if (before && before.hash !== (data as { rows?: { hash?: string } | null }).rows?.hash) withdrawn.push(before.hash);
          }
          // An outcome recorded elsewhere for a prediction made here counts in this device's monitors.
          if (rec.table === 'outcomes') await countOutcome(this.db, parsed.data as Outcome);
          // A deployment only moves forward: an older revision (a re-ordered page, a restored server) is not kept.
          if (rec.table === 'deployments') await keepPulledDeployment(this.db, parsed.data as Deployment);
          else await this.db.table(rec.table).put(data);
        }
        const newest = Object.values(rec.hlc).sort().pop();
        if (newest) await observeStamp(this.db, newest, this.now());
      }
      await this.db.kv.put({ key: KV.cursor, value: page.cursor });
      if (page.witness) await this.db.kv.put({ key: KV.witness, value: page.witness });
    });
    if (withdrawn.length) await forgetRowsFiles(this.db, withdrawn);
  }
}
