import type { ErrorCode } from '@shared/errors.js';
import { MAX_CLOCK_DRIFT_MS } from '@shared/sync/protocol.js';
import type { Message } from '../i18n/catalogue.js';
import { saidOf } from '../said-error.js';
import { SyncError } from './transport.js';
import { requestRefusalSaid } from './refusals.js';

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
  /** `message` as a catalogue message, so that each screen says it in its person's language. */
  said?: Message;
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

/**
 * Turn a sync failure into a state and a sentence for the person, in English (`message`) and as a
 * message for the catalogues (`said`: undefined where the words come from elsewhere, the server's
 * own sentence say, so that a later failure never keeps an earlier one's).
 */
export function describeFailure(e: unknown): Pick<SyncStatus, 'name' | 'message' | 'code' | 'retryable' | 'said'> {
  const name = (e as { name?: string; inner?: { name?: string } })?.name;
  const inner = (e as { inner?: { name?: string } })?.inner?.name;
  if (name === 'QuotaExceededError' || inner === 'QuotaExceededError') {
    return {
      name: 'error',
      code: 'storage_full',
      retryable: false,
      said: { key: 'sync.failure.storageFull' },
      message: `This device is out of storage space, so sync cannot save what it receives. Free some space (or remove old prediction logs), then sync again. ${KEPT}`,
    };
  }
  if (!(e instanceof SyncError)) {
    const reason = (e as Error)?.message ?? String(e);
    return {
      name: 'error',
      code: 'internal',
      retryable: true,
      said: { key: 'sync.failure.unexpected', values: { reason } },
      message: `Sync failed unexpectedly (${reason}). It will try again; if this keeps happening, tell your coordinator. ${KEPT}`,
    };
  }
  const own = saidOf(e);
  const base = { code: e.code, retryable: e.retryable, said: undefined };
  // A model this device downloaded that failed its check (blobs.ts); the server's own refusals keep their words.
  if (own?.key === 'sync.failure.checksum')
    return { ...base, name: 'error', said: { key: 'sync.failure.checksumRetry' }, message: `${e.message} Sync will try again.` };
  switch (e.code) {
    case 'network':
      return { ...base, name: 'offline', message: e.message, said: own };
    case 'credential_revoked':
      return {
        ...base,
        name: 'error',
        said: { key: 'sync.failure.wiped' },
        message:
          'Your organisation removed this phone, so its data of the organisation was wiped from it. To work with them again, ask your coordinator for a new enrollment code and connect in Settings.',
      };
    case 'unauthorized':
      return {
        ...base,
        name: 'error',
        said: { key: 'sync.failure.revoked' },
        message: `This device is no longer allowed to sync (its access was revoked or has expired). Ask your coordinator for a new enrollment code and connect again in Settings. ${KEPT}`,
      };
    case 'app_outdated':
      return {
        ...base,
        name: 'error',
        said: { key: 'sync.failure.appOutdated' },
        message: `This app is older than the server and can no longer sync with it. Update the app: reload it while online, or install the new version. ${KEPT}`,
      };
    case 'server_outdated':
      return {
        ...base,
        name: 'error',
        said: { key: 'sync.failure.serverOutdated' },
        message: `The server is older than this app. Ask your coordinator to update the server. ${KEPT}`,
      };
    case 'clock_drift':
      // The server's own sentence names the limit; the phone says the same in its language.
      return {
        ...base,
        name: 'error',
        said: { key: 'sync.failure.clockAhead', values: { minutes: MAX_CLOCK_DRIFT_MS / 60000 } },
        message: e.message,
      };
    case 'store_unavailable':
    case 'internal':
    case 'rate_limited':
      return {
        ...base,
        name: 'error',
        said: { key: 'sync.failure.busy' },
        message: `The server is busy or restarting; sync will try again in a few minutes. ${KEPT}`,
      };
    default:
      // The server's refusal, said by its reason or its code; its English only for a code this app does not know.
      return {
        ...base,
        name: 'error',
        said: e.retryable ? undefined : (own ?? requestRefusalSaid(e.code, e.refusal)),
        message: e.retryable ? `${e.message} Sync will try again.` : e.message,
      };
  }
}
