import type { ErrorCode } from '@shared/errors.js';
import type { SyncStatus } from '../lib/sync/status.js';
import type { Message, MessageKey } from '../lib/i18n/catalogue.js';
import { formatMessage } from '../lib/i18n/format.js';
import en from '../lib/i18n/catalogues/en.js';

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
  if (engine.name === 'pending' && waiting === 0 && pending !== undefined && view.lastSyncedAt !== null)
    return { ...view, name: 'synced', message: '', said: undefined };
  return view;
}

/** The few words in the header, as a message; the full sentence is `syncSentence(view)`. */
export function headerMessage(v: SyncView): Message {
  const values = { count: v.pending };
  if (v.name === 'not-connected') return { key: v.pending > 0 ? 'sync.header.notConnectedKept' : 'sync.header.notConnected', values };
  if (v.name === 'syncing') return { key: 'sync.header.syncing', values };
  if (v.name === 'synced') return { key: 'sync.header.synced' };
  if (v.name === 'offline') return { key: 'sync.header.offline', values };
  if (v.name === 'error') return { key: 'sync.header.error', values };
  return { key: 'sync.header.pending', values };
}

/** The header's words in English (the source catalogue), as tests and logs read them. */
export const headerText = (v: SyncView): string => {
  const m = headerMessage(v);
  return formatMessage('en', en, en, m.key, m.values);
};

// The engine's sentences (lib/sync/status.ts) in every language: the message the engine gave
// (`said`), else by the failure's code; a failure with neither is shown in the engine's words.
const FAILURE: Partial<Record<ErrorCode, MessageKey>> = {
  storage_full: 'sync.failure.storageFull',
  unauthorized: 'sync.failure.revoked',
  credential_revoked: 'sync.failure.wiped',
  app_outdated: 'sync.failure.appOutdated',
  server_outdated: 'sync.failure.serverOutdated',
  store_unavailable: 'sync.failure.busy',
  rate_limited: 'sync.failure.busy',
};

/** The full sentence about sync as a message, or null where the engine's own words stand (or there are none). */
export function syncMessage(v: SyncView): Message | null {
  if (v.name === 'offline') return { key: 'sync.failure.offline' };
  // After a sync: the engine's count of changes refused or still waiting, when it gave one.
  if (v.name !== 'error') return v.said ?? null;
  if (v.said) return v.said;
  const key = v.code ? FAILURE[v.code] : undefined;
  return key ? { key } : null;
}
