import type { ErrorCode } from '@shared/errors.js';
import { SyncError } from './transport.js';

export type SyncStatusName = 'offline' | 'syncing' | 'synced' | 'pending' | 'error';

/** What the person sees about sync: one state, and a sentence that says what (if anything) to do. */
export interface SyncStatus {
  name: SyncStatusName;
  message: string;
  /** Changes and blobs on this device that the server does not have yet. */
  pending: number;
  lastSyncedAt: number | null;
  /** The error code of the last failure, when `name` is 'offline' or 'error'. */
  code?: ErrorCode;
  /** Whether trying again later can help (false: the person has to act). */
  retryable?: boolean;
}

/** A tiny observable value, compatible with Svelte's store contract (`subscribe` calls at once). */
export class StatusCell {
  private listeners = new Set<(s: SyncStatus) => void>();
  constructor(public value: SyncStatus) {}
  set(patch: Partial<SyncStatus>) {
    this.value = { ...this.value, ...patch };
    for (const fn of this.listeners) fn(this.value);
  }
  subscribe(fn: (s: SyncStatus) => void): () => void {
    this.listeners.add(fn);
    fn(this.value);
    return () => this.listeners.delete(fn);
  }
}

const KEPT = 'Everything is kept on this device.';

/** Turn a sync failure into a state and a sentence for the person. */
export function describeFailure(e: unknown): Pick<SyncStatus, 'name' | 'message' | 'code' | 'retryable'> {
  const name = (e as { name?: string; inner?: { name?: string } })?.name;
  const inner = (e as { inner?: { name?: string } })?.inner?.name;
  if (name === 'QuotaExceededError' || inner === 'QuotaExceededError') {
    return {
      name: 'error',
      code: 'storage_full',
      retryable: false,
      message: `This device is out of storage space, so sync cannot save what it receives. Free some space (or remove old prediction logs), then sync again. ${KEPT}`,
    };
  }
  if (!(e instanceof SyncError)) {
    return {
      name: 'error',
      code: 'internal',
      retryable: true,
      message: `Sync failed unexpectedly (${(e as Error)?.message ?? String(e)}). It will try again; if this keeps happening, tell your coordinator. ${KEPT}`,
    };
  }
  const base = { code: e.code, retryable: e.retryable };
  switch (e.code) {
    case 'network':
      return { ...base, name: 'offline', message: e.message };
    case 'credential_revoked':
      return {
        ...base,
        name: 'error',
        message:
          'Your organisation removed this phone, so its data of the organisation was wiped from it. To work with them again, ask your coordinator for a new enrollment code and connect in Settings.',
      };
    case 'unauthorized':
      return {
        ...base,
        name: 'error',
        message: `This device is no longer allowed to sync (its access was revoked or has expired). Ask your coordinator for a new enrollment code and connect again in Settings. ${KEPT}`,
      };
    case 'app_outdated':
      return {
        ...base,
        name: 'error',
        message: `This app is older than the server and can no longer sync with it. Update the app: reload it while online, or install the new version. ${KEPT}`,
      };
    case 'server_outdated':
      return { ...base, name: 'error', message: `The server is older than this app. Ask your coordinator to update the server. ${KEPT}` };
    case 'store_unavailable':
    case 'internal':
    case 'rate_limited':
      return { ...base, name: 'error', message: `The server is busy or restarting; sync will try again in a few minutes. ${KEPT}` };
    default:
      return { ...base, name: 'error', message: e.retryable ? `${e.message} Sync will try again.` : e.message };
  }
}
