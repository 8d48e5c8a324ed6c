import type { Context } from 'hono';
import { OutpostError } from '@shared/errors.js';
import type { Queryable } from '../store/db.js';
import { countHit, currentHits, windowStart } from '../store/throttles.js';
import type { ClientAddress } from './client-address.js';
import { secondsUntil } from './rate-limit.js';

export interface ThrottleLimits {
  /** Failed attempts one source address may make per window at one endpoint. */
  perSource: number;
  /** Failed attempts from all sources together per window at one endpoint. */
  perTarget: number;
  windowMs: number;
}

export interface FailureThrottle {
  /** Before trying: 429 with Retry-After when this source or this endpoint has used its failures. */
  check(c: Context): Promise<void>;
  /** After a failed attempt: count it for this source and for this endpoint. */
  fail(c: Context): Promise<void>;
}

/**
 * Throttles guessing of secrets (enrollment codes, console admin keys, the admin token) at one
 * endpoint, `target`. Only failures count; the check comes before the secret is tried, so a
 * throttled guesser cannot tell a right guess from a wrong one. Counts live in the database, so
 * they hold across server processes.
 */
export function failureThrottle(db: Queryable, target: string, limits: ThrottleLimits, address: ClientAddress, now: () => number): FailureThrottle {
  const keys = (c: Context) => ({ source: `fail:${target}:src:${address(c)}`, all: `fail:${target}:all` });
  return {
    async check(c) {
      const t = now();
      const { source, all } = keys(c);
      const hits = await currentHits(db, [source, all], limits.windowMs, t);
      if ((hits.get(source) ?? 0) < limits.perSource && (hits.get(all) ?? 0) < limits.perTarget) return;
      const wait = secondsUntil(windowStart(t, limits.windowMs) + limits.windowMs, t);
      const minutes = Math.ceil(wait / 60);
      throw new OutpostError(
        'rate_limited',
        `Too many wrong attempts here. Wait ${minutes} minute${minutes === 1 ? '' : 's'}, then try again with the right code or key.`,
        { retryAfter: wait },
      );
    },
    async fail(c) {
      const t = now();
      const { source, all } = keys(c);
      await countHit(db, source, limits.windowMs, t);
      await countHit(db, all, limits.windowMs, t);
    },
  };
}
