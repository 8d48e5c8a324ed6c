import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { OutpostError } from '@shared/errors.js';
import { PERSON_HEADER, PROTOCOL_HEADER } from '@shared/sync/protocol.js';

// What a device sends and reads: its credential, compressed JSON, ranges and protocol versions.
const ALLOW_HEADERS = `authorization, content-type, content-encoding, range, ${PROTOCOL_HEADER}, ${PERSON_HEADER}`;
const EXPOSE_HEADERS = `content-range, retry-after, ${PROTOCOL_HEADER}`;

/**
 * Cross-origin access to the device API, only for the origins listed in OUTPOST_CORS_ORIGINS
 * (none by default: the server serves the app itself, and the dev server proxies /api). `null`
 * (sandboxed frames, file: pages) is never allowed. Other origins get no CORS headers at all, so
 * their browsers keep the answers from them; a preflight from them gets an empty 204.
 */
export function apiCors(origins: readonly string[]) {
  const allowed = new Set(origins.filter((o) => o !== 'null'));
  return createMiddleware(async (c, next) => {
    const origin = c.req.header('origin');
    const ok = !!origin && allowed.has(origin);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      const headers: Record<string, string> = { vary: 'Origin' };
      if (ok) {
        Object.assign(headers, {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, HEAD, PUT, POST',
          'access-control-allow-headers': ALLOW_HEADERS,
          'access-control-max-age': '600',
        });
      }
      return c.body(null, 204, headers);
    }
    await next();
    c.header('vary', 'Origin', { append: true });
    if (ok) {
      c.header('access-control-allow-origin', origin);
      c.header('access-control-expose-headers', EXPOSE_HEADERS);
    }
  });
}

/**
 * The admin API answers no cross-origin request: one whose Origin names another site is refused
 * with 403 and no CORS headers. The CLI sends no Origin; a browser on the server's own pages sends
 * the server's own.
 */
export const sameOriginOnly = (ownOrigin: (c: Context) => string) =>
  createMiddleware(async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== ownOrigin(c)) {
      throw new OutpostError('forbidden', 'The admin API answers only requests from the server itself; use `npm run admin` on the server.');
    }
    await next();
  });
