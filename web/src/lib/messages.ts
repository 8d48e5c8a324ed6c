import Dexie from 'dexie';
import { isOutpostError } from '@shared/errors.js';
import { describeFailure } from './sync/status.js';
import { SyncError } from './sync/transport.js';

const STORAGE_FULL =
  'This device is out of storage space. Projects shows how much each project takes; delete a dataset, a training run or a model version you no longer need (a project’s Plan tab deletes the whole project), or free space on the phone, and try again. Nothing already saved was lost.';

/** A full disk, as the browser reports it: directly, or inside the error of the transaction it aborted. */
function isStorageFull(err: unknown): boolean {
  const e = err as { name?: unknown; inner?: { name?: unknown } } | null | undefined;
  return e?.name === 'QuotaExceededError' || e?.inner?.name === 'QuotaExceededError';
}

/**
 * What a person reads when something they did fails: a sentence that says what to do, never a
 * stack trace. Every screen shows errors through this one function. Sync failures get the
 * sentences the sync engine prepares (lib/sync/status.ts), so a revoked device reads the same
 * words in Settings as in the header.
 */
export function userMessage(err: unknown): string {
  if (isStorageFull(err)) return STORAGE_FULL;
  if (err instanceof SyncError) return describeFailure(err).message;
  if (isOutpostError(err)) return err.message;
  if (err instanceof Dexie.DexieError) {
    return `This device could not read or save its data (${err.name}). Reload the page and try again; nothing already saved was lost.`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
