import { isOutpostError } from '@shared/errors.js';

/** What a person reads when something fails: the sentence, never a stack trace. */
export function userMessage(err: unknown): string {
  if (isOutpostError(err)) return err.message;
  if (err && typeof err === 'object' && 'name' in err) {
    const name = String((err as { name: unknown }).name);
    const inner = (err as { inner?: { name?: string } }).inner?.name;
    if (name === 'QuotaExceededError' || inner === 'QuotaExceededError') {
      return 'This device is out of storage space. Sync, then delete old datasets or free space on the phone, and try again. Nothing already saved was lost.';
    }
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
