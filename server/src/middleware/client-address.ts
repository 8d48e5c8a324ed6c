import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/** Where a request came from, as throttles count it. */
export type ClientAddress = (c: Context) => string;

// Forwarded values come from the client when no proxy rewrites them: keep what is stored short.
const MAX_ADDRESS = 64;

/** The last value of a comma-separated forwarding header: the one the nearest proxy added. */
function lastForwarded(value: string | undefined): string | undefined {
  const last = value?.split(',').pop()?.trim();
  return last ? last.slice(0, MAX_ADDRESS) : undefined;
}

/**
 * The client's address: the connection's peer, or with `trustProxy` (OUTPOST_TRUST_PROXY=1, the
 * server behind one reverse proxy) the address that proxy appended to X-Forwarded-For. Earlier
 * entries are whatever the client claimed, so only the last one counts.
 */
export function clientAddress(trustProxy: boolean): ClientAddress {
  return (c) => {
    const forwarded = trustProxy ? lastForwarded(c.req.header('x-forwarded-for')) : undefined;
    if (forwarded) return forwarded;
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown'; // not served by @hono/node-server (app.request() in tests)
    }
  };
}

/**
 * The origin the client used to reach us (`https://outpost.example.org`): the request's own URL,
 * or with `trustProxy` the scheme and host the proxy says it was asked for.
 */
export function requestOrigin(c: Context, trustProxy: boolean): string {
  const url = new URL(c.req.url);
  if (!trustProxy) return url.origin;
  const proto = lastForwarded(c.req.header('x-forwarded-proto'))?.toLowerCase();
  const host = lastForwarded(c.req.header('x-forwarded-host'));
  return `${proto === 'https' || proto === 'http' ? proto : url.protocol.slice(0, -1)}://${host ?? url.host}`;
}
