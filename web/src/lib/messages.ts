import Dexie from 'dexie';
import { isOutpostError } from '@shared/errors.js';
import { describeFailure } from './sync/status.js';
import { SyncError } from './sync/transport.js';
import { sayNow } from './i18n/speaking.js';
import { saidOf } from './said-error.js';

/** A full disk, as the browser reports it: directly, or inside the error of the transaction it aborted. */
function isStorageFull(err: unknown): boolean {
  const e = err as { name?: unknown; inner?: { name?: unknown } } | null | undefined;
  return e?.name === 'QuotaExceededError' || e?.inner?.name === 'QuotaExceededError';
}

/**
 * What a person reads when something they did fails: a sentence that says what to do, never a
 * stack trace. Every screen shows errors through this one function. Sync failures get the
 * sentences the sync engine prepares (lib/sync/status.ts), so a revoked device reads the same
 * words in Settings as in the header. An error that carries a message (`SaidError`, a sync
 * failure with a sentence of its own) is said in the language on screen; others in their words.
 */
export function userMessage(err: unknown): string {
  if (isStorageFull(err)) return sayNow({ key: 'error.storageFull' });
  if (err instanceof SyncError) {
    const failure = describeFailure(err);
    return failure.said ? sayNow(failure.said) : failure.message;
  }
  const said = saidOf(err);
  if (said) return sayNow(said);
  if (isOutpostError(err)) return err.message;
  if (err instanceof Dexie.DexieError) return sayNow({ key: 'error.storage', values: { name: err.name } });
  if (err instanceof Error) return err.message;
  return String(err);
}
