import type { SyncStatus } from '../lib/sync/status.js';

/** What the header and Settings show about sync: the engine's status, or a state of the app's own. */
export interface SyncView extends Omit<SyncStatus, 'name'> {
  name: SyncStatus['name'] | 'not-connected';
}

export interface SyncInputs {
  /** The sync engine's status, or null while this device is not connected to a server. */
  engine: SyncStatus | null;
  /** The browser's `navigator.onLine`. */
  online: boolean;
  /** What waits on this device now (outbox and blobs, counted live), once counted. */
  pending?: number;
  /** When this device (in any tab) last finished a sync, as stored. */
  lastSyncedAt?: number | null;
}

export const OFFLINE_MESSAGE = 'No connection. Everything is kept on this device and syncs when the connection returns.';

/**
 * One sync state for the screen. Sentences about failures come from the engine (lib/sync/status.ts
 * prepares them: a revoked device, a full disk, a busy server); the app adds only what the engine
 * cannot know: that no server is set up, and that the browser says it is offline. The live count
 * of waiting changes stands in for the engine's, which is only updated when a sync ends.
 */
export function syncView({ engine, online, pending, lastSyncedAt = null }: SyncInputs): SyncView {
  const waiting = pending ?? engine?.pending ?? 0;
  if (!engine) return { name: 'not-connected', message: '', pending: waiting, lastSyncedAt };
  const view: SyncView = { ...engine, pending: waiting, lastSyncedAt: Math.max(engine.lastSyncedAt ?? 0, lastSyncedAt ?? 0) || null };
  if (!online && engine.name !== 'syncing') return { ...view, name: 'offline', message: OFFLINE_MESSAGE, code: 'network', retryable: true };
  // Changes made since the last sync, or another tab (which leads sync) emptying the shared outbox.
  if (engine.name === 'synced' && waiting > 0) return { ...view, name: 'pending' };
  // "Synced" needs a count of what waits (the page may have just opened) and a sync that finished,
  // here or in another tab: a device just connected has nothing waiting but has not pulled yet.
  if (engine.name === 'pending' && waiting === 0 && pending !== undefined && view.lastSyncedAt !== null) return { ...view, name: 'synced', message: '' };
  return view;
}

/** The few words in the header; the full sentence is `view.message`. */
export function headerText(v: SyncView): string {
  if (v.name === 'not-connected') return v.pending > 0 ? `Not connected · ${v.pending} kept on device` : 'Not connected';
  if (v.name === 'syncing') return `Syncing… ${v.pending} waiting`;
  if (v.name === 'synced') return 'Synced';
  if (v.name === 'offline') return `Offline · ${v.pending} waiting to sync`;
  if (v.name === 'error') return `Sync problem · ${v.pending} waiting`;
  return `${v.pending} waiting to sync`;
}
