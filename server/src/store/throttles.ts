import type { Queryable } from './db.js';

/**
 * Counters in fixed time windows, kept in the database so that every server process on one
 * PostgreSQL counts against the same budget. A window is identified by the time it starts
 * (`floor(now / windowMs) * windowMs`); it expires when it ends.
 */
export interface Window {
  hits: number;
  /** Milliseconds since the epoch at which the window ends and the count starts again. */
  resetAt: number;
}

export const windowStart = (now: number, windowMs: number): number => Math.floor(now / windowMs) * windowMs;

/** Count one hit for `key` in the current window: one statement, safe under concurrency. */
export async function countHit(db: Queryable, key: string, windowMs: number, now: number): Promise<Window> {
  const start = windowStart(now, windowMs);
  const resetAt = start + windowMs;
  const [row] = await db.query<{ hits: number }>(
    `insert into throttle_windows (key, window_start, expires_at, hits) values ($1, $2, $3, 1)
     on conflict (key, window_start) do update set hits = throttle_windows.hits + 1
     returning hits`,
    [key, start, resetAt],
  );
  // The first hit of a window is rare enough to pay for sweeping ended windows.
  if (row.hits === 1) await sweepEnded(db, now);
  return { hits: row.hits, resetAt };
}

/** The hits so far in the current window for each of `keys` (0 when there are none). */
export async function currentHits(db: Queryable, keys: string[], windowMs: number, now: number): Promise<Map<string, number>> {
  const start = windowStart(now, windowMs);
  const params = keys.map((_, i) => `$${i + 2}`).join(', ');
  const rows = await db.query<{ key: string; hits: number }>(`select key, hits from throttle_windows where window_start = $1 and key in (${params})`, [
    start,
    ...keys,
  ]);
  const hits = new Map(keys.map((k) => [k, 0]));
  for (const r of rows) hits.set(r.key, r.hits);
  return hits;
}

/**
 * Delete windows that have ended, a bounded batch at a time. Rows another process is deleting or
 * counting are skipped rather than waited for, so sweeps never block requests or deadlock.
 */
async function sweepEnded(db: Queryable, now: number): Promise<void> {
  await db.query(
    `delete from throttle_windows where ctid in (
       select ctid from throttle_windows where expires_at <= $1 limit 1000 for update skip locked)`,
    [now],
  );
}
