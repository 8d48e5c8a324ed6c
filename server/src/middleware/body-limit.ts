import { createMiddleware } from 'hono/factory';
import { bodyLimit } from 'hono/body-limit';
import { OutpostError } from '@shared/errors.js';

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

/**
 * Refuse a body over `maxSize` bytes with 413 before it is read: by its Content-Length, or while
 * it streams in when it has none (chunked), so an oversized body is never held in memory.
 */
export const limitBody = (maxSize: number, advice = 'Send it in smaller batches.') =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new OutpostError('payload_too_large', `The request is larger than ${kb(maxSize)}. ${advice}`);
    },
  });

/** Most bytes a request body may have where no route says otherwise (forms, enrollment, admin). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

export interface RouteBodyLimit {
  method: string;
  path: RegExp;
  maxSize: number;
}

/**
 * The app-wide guard: every request's body is limited to `defaultMax` bytes, except on the few
 * routes listed with a larger limit of their own (pushes, blob chunks), which apply it themselves
 * too. A route that forgets its own limit is still covered.
 */
export function guardBodies(defaultMax: number, larger: RouteBodyLimit[]) {
  const small = limitBody(defaultMax, 'Send less.');
  const big = new Map(larger.map((r) => [r, limitBody(r.maxSize)]));
  return createMiddleware(async (c, next) => {
    const route = larger.find((r) => r.method === c.req.method && r.path.test(c.req.path));
    return (route ? big.get(route)! : small)(c, next);
  });
}
