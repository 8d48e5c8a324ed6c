import { liveQuery, type Subscription } from 'dexie';
import { db } from '../lib/db/instance.js';
import { APP_VERSION } from './config.js';
import { relieveStoragePressure } from '../lib/db/storage.js';
import { SyncEngine, KV } from '../lib/sync/engine.js';
import { enroll, forgetCredential, loadCredential, type Credential } from '../lib/sync/credential.js';
import { SyncScheduler } from '../lib/sync/scheduler.js';
import { fetchTransport, SyncError } from '../lib/sync/transport.js';

export type SyncStatusName = 'not-connected' | 'offline' | 'syncing' | 'synced' | 'pending' | 'error';

interface State {
  status: SyncStatusName;
  pending: number;
  message: string;
  credential: Credential | null;
  lastSyncedAt: number | null;
}

/** The app's sync state for the UI, and the wiring of engine, scheduler and credential. */
class SyncController {
  state = $state<State>({ status: 'not-connected', pending: 0, message: '', credential: null, lastSyncedAt: null });
  private engine: SyncEngine | null = null;
  private scheduler = new SyncScheduler(() => this.runOnce());
  private sub: Subscription | null = null;

  async start() {
    this.sub ??= liveQuery(async () => (await db.outbox.count()) + (await db.blobs.filter((b) => b.complete && !b.uploaded).count())).subscribe((n) => {
      const grew = n > this.state.pending;
      this.state.pending = n;
      if (this.engine && n > 0 && this.state.status === 'synced') this.state.status = 'pending';
      // Another tab may lead sync (Web Locks); this tab sees the shared outbox empty out.
      if (this.engine && n === 0 && this.state.status === 'pending') this.state.status = 'synced';
      if (this.engine && grew) this.scheduler.soon();
    });
    // The service worker wakes us when the browser sees the network return (Background Sync).
    navigator.serviceWorker?.addEventListener('message', (e) => {
      if (e.data?.type === 'outpost-sync-wake') this.scheduler.soon(0);
    });
    const cred = await loadCredential(db);
    this.state.lastSyncedAt = ((await db.kv.get(KV.lastSyncedAt))?.value as number) ?? null;
    if (cred) this.use(cred);
  }

  stop() {
    this.scheduler.stop();
    this.sub?.unsubscribe();
    this.sub = null;
  }

  private use(cred: Credential) {
    this.state.credential = cred;
    this.engine = new SyncEngine(db, fetchTransport(cred.serverUrl, cred.token), Date.now, APP_VERSION);
    this.state.status = 'pending';
    this.scheduler.start();
  }

  async connect(serverUrl: string, code: string, deviceName: string) {
    const cred = await enroll(db, serverUrl, code, deviceName);
    this.state.message = '';
    this.use(cred);
  }

  async disconnect() {
    this.scheduler.stop();
    await forgetCredential(db);
    this.engine = null;
    this.state.credential = null;
    this.state.status = 'not-connected';
    this.state.message = '';
  }

  syncNow() {
    this.scheduler.soon(0);
  }

  private async runOnce() {
    if (!this.engine) return;
    if (!navigator.onLine) {
      void askForWakeUp();
      this.state.status = 'offline';
      this.state.message = 'No connection. Everything is kept on this device and syncs when the connection returns.';
      throw new SyncError('network', 'offline', true);
    }
    this.state.status = 'syncing';
    try {
      const summary = await this.engine.syncOnce();
      // Short of space? Free what the server now holds (old prediction logs), never the outbox.
      await relieveStoragePressure(db, () => navigator.storage?.estimate?.() ?? Promise.resolve({}));
      this.state.lastSyncedAt = Date.now();
      const pending = await this.engine.pendingCount();
      this.state.pending = pending;
      this.state.status = pending === 0 ? 'synced' : 'pending';
      this.state.message = summary.rejected ? `${summary.rejected} change(s) were refused by the server and not synced; see the list below.` : '';
      if (pending > 0) this.scheduler.soon(0);
    } catch (e) {
      const retryable = e instanceof SyncError ? e.retryable : true;
      this.state.status = retryable && !navigator.onLine ? 'offline' : 'error';
      this.state.message = (e as Error).message;
      if (retryable) void askForWakeUp();
      throw e;
    }
  }
}

/** Ask the browser to fire a Background Sync event when connectivity returns (Chromium only). */
async function askForWakeUp() {
  try {
    const reg = (await navigator.serviceWorker?.getRegistration()) as
      (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
    await reg?.sync?.register('outpost-sync');
  } catch {
    // Not supported or not permitted: the scheduler's own timer and `online` event still run sync.
  }
}

export const sync = new SyncController();
