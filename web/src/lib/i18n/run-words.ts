import type { Message } from './catalogue.js';

/**
 * The error `failInterruptedRuns` (lib/db/runs.ts) keeps on a run the app was closed during, in
 * English: the run record's `error` is a plain string that syncs to the console, so the screens
 * find its key here rather than in a field every server would have to know.
 */
export const INTERRUPTED_RUN = 'Interrupted: the app was closed while training.';

/** A run's stored error as a message when it is one this app wrote with a key; else undefined (show its words). */
export function runErrorSaid(error: string): Message | undefined {
  return error === INTERRUPTED_RUN ? { key: 'runs.error.interrupted' } : undefined;
}
