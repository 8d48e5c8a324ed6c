import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { OutpostError } from '@shared/errors.js';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';

/** The sync protocol a request speaks: its `x-outpost-protocol` header; none (the first app) is 1. */
export function clientProtocol(c: Context): number {
  const v = Number(c.req.header(PROTOCOL_HEADER) ?? '1');
  return Number.isSafeInteger(v) && v >= 1 ? v : 1;
}

/**
 * Which minimum applies: what a device sends up (pushes, blob uploads and their status) is taken
 * from any version since `minPush`, so an old device's outbox still reaches the server; what it
 * takes down or reports (pulls, blob downloads, status reports) needs `minPull`.
 */
function minimumFor(method: string, path: string): number {
  if (/\/sync\/push$/.test(path) || method === 'PUT' || /\/blobs\/[^/]+\/status$/.test(path)) return PROTOCOL.minPush;
  return PROTOCOL.minPull;
}

/**
 * Versions in the field (PROTOCOL in shared/src/sync/protocol.ts): every answer carries the
 * server's version, and an authenticated request from an app too old for it gets 426
 * `app_outdated`. A request without credentials is left to the credential check (401).
 */
export const protocolGate = () =>
  createMiddleware(async (c, next) => {
    c.header(PROTOCOL_HEADER, String(PROTOCOL.version));
    if (c.req.header('authorization') && clientProtocol(c) < minimumFor(c.req.method, c.req.path)) {
      throw new OutpostError(
        'app_outdated',
        'This app is older than the server and can no longer receive updates from it. Update the app (reload it while online, or install the new version); your work is kept on this device and is sent once it is updated.',
      );
    }
    await next();
  });

/** Every /api answer names the server's protocol version, so an app can tell an old server from a new one. */
export const announceProtocol = () =>
  createMiddleware(async (c, next) => {
    c.header(PROTOCOL_HEADER, String(PROTOCOL.version));
    await next();
  });
