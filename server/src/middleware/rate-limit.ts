import { OutpostError } from '@shared/errors.js';
import type { Queryable } from '../store/db.js';
import { countHit } from '../store/throttles.js';

const MINUTE = 60_000;

/** Seconds until `resetAt`, at least one (what Retry-After says). */
export const secondsUntil = (resetAt: number, now: number): number => Math.max(1, Math.ceil((resetAt - now) / 1000));

/**
 * A per-device request budget: `perMinute` requests in each minute of the clock (fixed windows),
 * counted in the database so that it holds across every server process on one PostgreSQL. Past
 * it: 429 with Retry-After, and the device backs off. One small statement per request.
 */
export function rateLimit(db: Queryable, perMinute: number, now: () => number = Date.now) {
  return async (key: string) => {
    const t = now();
    const { hits, resetAt } = await countHit(db, `rate:${key}`, MINUTE, t);
    if (hits > perMinute) {
      const wait = secondsUntil(resetAt, t);
      throw new OutpostError('rate_limited', `This device is sending too many requests; it will try again in ${wait} s.`, { retryAfter: wait });
    }
  };
}
