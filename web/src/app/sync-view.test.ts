import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import Dexie from 'dexie';
import { OutpostDb } from '../lib/db/db.js';
import { newId } from '../lib/db/mutate.js';
import { createProject } from '../lib/db/projects.js';
import { countPending } from '../lib/db/sync-state.js';
import { SyncEngine } from '../lib/sync/engine.js';
import type { SyncStatus } from '../lib/sync/status.js';
import type { Transport } from '../lib/sync/transport.js';
import { userMessage } from '../lib/messages.js';
import { wipedAt } from '../lib/sync/wipe.js';
import { headerText, OFFLINE_MESSAGE, syncView } from './sync-view.js';

const REVOKED = /removed this phone, so its data of the organisation was wiped.*ask your coordinator for a new enrollment code/;
const DISK_FULL = /out of storage space/;

/** A device with one change waiting and an engine; `latest` follows the engine as the app's controller does. */
async function device(transport: Transport) {
  const db = new OutpostDb(`view-${newId()}`);
  await createProject(db, 'Ward 3');
  const engine = new SyncEngine({ db, transport });
  let latest: SyncStatus | null = null;
  engine.subscribe((s) => (latest = s));
  const view = async () => syncView({ engine: latest, online: true, pending: await countPending(db) });
  return { db, engine, view };
}

const answering = (status: number, body: unknown): Transport => ({
  request: async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }),
});

describe('the sync state the header shows', () => {
  it('a revoked device wipes the organisation’s data at that contact and reads the prepared sentence, in the header and in Settings', async () => {
    const revoked = answering(401, { error: { code: 'credential_revoked', message: 'credential revoked' } });
    const { db, engine, view } = await device(revoked);
    const failure = await engine.syncOnce().catch((e) => e);
    const v = await view();
    expect(v).toMatchObject({ name: 'error', code: 'credential_revoked', retryable: false, pending: 0 });
    expect(v.message).toMatch(REVOKED);
    expect(headerText(v)).toBe('Sync problem · 0 waiting');
    expect(userMessage(failure)).toBe(v.message);
    expect(await db.projects.count()).toBe(0);
    expect(await db.outbox.count()).toBe(0);
    expect(await wipedAt(db)).toBeTypeOf('number');
  });

  it('an unknown credential (a server set up again) keeps everything: nothing is wiped', async () => {
    const { db, engine } = await device(answering(401, { error: { code: 'unauthorized', message: 'unknown' } }));
    await engine.syncOnce().catch(() => undefined);
    expect(await db.projects.count()).toBe(1);
    expect(await wipedAt(db)).toBeNull();
  });

  it('a full disk, reported directly or inside the aborted transaction, reads the storage sentence', async () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    for (const thrown of [quota, new Dexie.AbortError('Transaction aborted', quota)]) {
      const { db, engine, view } = await device(answering(500, {}));
      vi.spyOn(db.kv, 'put').mockRejectedValueOnce(thrown); // the first write of the sync: numbering the batch
      await expect(engine.syncOnce()).rejects.toBeDefined();
      const v = await view();
      expect(v).toMatchObject({ name: 'error', code: 'storage_full', retryable: false });
      expect(v.message).toMatch(DISK_FULL);
      expect(headerText(v)).toBe('Sync problem · 1 waiting');
      expect(userMessage(thrown)).toMatch(DISK_FULL);
    }
  });

  it("adds only the app's own states: not connected, and offline when the browser says so", () => {
    const synced: SyncStatus = { name: 'synced', message: '', pending: 0, lastSyncedAt: 5 };
    expect(headerText(syncView({ engine: null, online: true, pending: 3 }))).toBe('Not connected · 3 kept on device');
    expect(headerText(syncView({ engine: null, online: false, pending: 0 }))).toBe('Not connected');
    const offline = syncView({ engine: synced, online: false, pending: 2 });
    expect(offline).toMatchObject({ name: 'offline', message: OFFLINE_MESSAGE, lastSyncedAt: 5 });
    expect(headerText(offline)).toBe('Offline · 2 waiting to sync');
    // A change made since the last sync, and another tab emptying the shared outbox.
    expect(headerText(syncView({ engine: synced, online: true, pending: 1 }))).toBe('1 waiting to sync');
    expect(headerText(syncView({ engine: { ...synced, name: 'pending', pending: 4 }, online: true, pending: 0 }))).toBe('Synced');
    // Just opened: the engine has not synced and nothing is counted yet, so nothing is claimed.
    expect(headerText(syncView({ engine: { ...synced, name: 'pending', pending: 0 }, online: true }))).toBe('0 waiting to sync');
    // Just connected: nothing waits, but nothing has been pulled either, so it is not "Synced" yet.
    const fresh: SyncStatus = { name: 'pending', message: '', pending: 0, lastSyncedAt: null };
    expect(headerText(syncView({ engine: fresh, online: true, pending: 0, lastSyncedAt: null }))).toBe('0 waiting to sync');
    expect(headerText(syncView({ engine: fresh, online: true, pending: 0, lastSyncedAt: 7 }))).toBe('Synced');
  });
});
