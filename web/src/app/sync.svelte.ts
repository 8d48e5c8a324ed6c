import { db } from '../lib/db/instance.js';
import { live } from '../lib/db/live.svelte.js';
import { countPending, lastSyncedAt } from '../lib/db/sync-state.js';
import { relieveStoragePressure } from '../lib/db/storage.js';
import { sweepDeleted } from '../lib/db/delete.js';
import { SyncEngine } from '../lib/sync/engine.js';
import { disconnect as forgetServer, enroll, loadCredential, type Credential } from '../lib/sync/credential.js';
import { SyncScheduler } from '../lib/sync/scheduler.js';
import type { SyncStatus } from '../lib/sync/status.js';
import { fetchTransport, speakProtocol, SyncError } from '../lib/sync/transport.js';
import { APP_VERSION } from './config.js';
import { OFFLINE_MESSAGE, syncMessage, syncView, type SyncView } from './sync-view.js';
import { say } from '../lib/i18n/i18n.svelte.js';

/**
 * The wiring of engine, scheduler and credential, and the one sync state the screen shows
 * (`view`): the engine's status, which carries its own sentences, plus 'not-connected' and the
 * browser's offline state (sync-view.ts).
 */
class SyncController {
  credential = $state<Credential | null>(null);
  #engineStatus = $state.raw<SyncStatus | null>(null);
  #online = $state(navigator.onLine);
  #local = live(async () => ({ pending: await countPending(db), lastSyncedAt: await lastSyncedAt(db) }));
  readonly view: SyncView = $derived(
    syncView({ engine: this.#engineStatus, online: this.#online, pending: this.#local.current?.pending, lastSyncedAt: this.#local.current?.lastSyncedAt }),
  );
  private engine: SyncEngine | null = null;
  private unsubscribe: (() => void) | null = null;
  private scheduler = new SyncScheduler(() => this.runOnce());
  private stopWatching: (() => void) | null = null;

  async start() {
    this.stopWatching ??= this.watch();
    const cred = await loadCredential(db);
    if (cred) this.use(cred);
  }

  stop() {
    this.scheduler.stop();
    this.stopWatching?.();
    this.stopWatching = null;
  }

  /** Follow the browser's connection, the service worker's wake-ups and this device's waiting changes. */
  private watch(): () => void {
    const onlineChanged = () => (this.#online = navigator.onLine);
    const wake = (e: MessageEvent) => {
      if (e.data?.type === 'outpost-sync-wake') this.scheduler.soon(0);
    };
    addEventListener('online', onlineChanged);
    addEventListener('offline', onlineChanged);
    navigator.serviceWorker?.addEventListener('message', wake);
    let before = Infinity;
    const stopEffects = $effect.root(() => {
      $effect(() => {
        const n = this.#local.current?.pending;
        if (n === undefined) return;
        // More waiting than before: a change was made here, so sync soon after it.
        if (n > before) this.scheduler.changed();
        before = n;
      });
    });
    return () => {
      removeEventListener('online', onlineChanged);
      removeEventListener('offline', onlineChanged);
      navigator.serviceWorker?.removeEventListener('message', wake);
      stopEffects();
    };
  }

  private use(cred: Credential) {
    this.credential = cred;
    this.unsubscribe?.();
    this.engine = new SyncEngine({ db, transport: fetchTransport(cred.serverUrl, cred.token), appVersion: APP_VERSION, deviceId: cred.deviceId });
    this.unsubscribe = this.engine.subscribe((s) => (this.#engineStatus = s));
    this.scheduler.start();
  }

  async connect(serverUrl: string, code: string, deviceName: string) {
    this.use(await enroll(db, serverUrl, code, deviceName));
  }

  async disconnect() {
    this.scheduler.stop();
    await forgetServer(db);
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.engine = null;
    this.credential = null;
    this.#engineStatus = null;
  }

  syncNow() {
    this.scheduler.soon(0);
  }

  private async runOnce() {
    const engine = this.engine;
    if (!engine) return;
    this.#online = navigator.onLine;
    if (!navigator.onLine) {
      void askForWakeUp();
      throw new SyncError('network', OFFLINE_MESSAGE, true); // the scheduler backs off
    }
    try {
      await engine.syncOnce();
    } catch (e) {
      this.#online = navigator.onLine;
      if (!(e instanceof SyncError) || e.retryable) void askForWakeUp();
      throw e;
    }
    // Short of space? Free what the server now holds (old prediction logs), never the outbox.
    // Best effort: the sync itself succeeded, and the next one tries again.
    await relieveStoragePressure(db, () => navigator.storage?.estimate?.() ?? Promise.resolve({})).catch(() => undefined);
    // Deletions made on other devices arrived as tombstones: free the rows and weights they leave here.
    await sweepDeleted(db).catch(() => undefined);
    // Sharing turned on offline on two phones: rows hashed with the salt the project did not keep are hashed again.
    await import('../lib/db/salt.js').then((m) => m.reshareAfterSaltChange(db)).catch(() => undefined);
    // Entries made offline on several phones: joined into one version, the same on every phone, sent at the next sync.
    const cred = this.credential;
    if (cred)
      await import('../lib/forms/merge.js').then((m) => m.afterSync(db, speakProtocol(fetchTransport(cred.serverUrl, cred.token)))).catch(() => undefined);
    // No "sync again now if anything still waits": a change made during this sync already asked the
    // scheduler for the next one (watch()), and what still waits otherwise cannot go now (a model
    // over the server's limit), so asking again at once would sync in a loop; the idle timer retries.
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

/** The full sentence about sync in the chosen language ('' when there is nothing to say). */
export function syncSentence(v: SyncView): string {
  const m = syncMessage(v);
  return m ? say(m) : v.message;
}
