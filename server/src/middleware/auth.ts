import { createMiddleware } from 'hono/factory';
import { timingSafeEqual } from 'node:crypto';
import { OutpostError } from '@shared/errors.js';
import type { Db } from '../store/db.js';
import { deviceForToken } from '../store/orgs.js';
import type { FailureThrottle } from './throttle.js';

export type DeviceVars = { device: { id: string; orgId: string } };

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}

/** A device's credential: the organisation and device always come from it, never from the body. */
export const deviceAuth = (db: Db, limit?: (key: string) => Promise<void>) =>
  createMiddleware<{ Variables: DeviceVars }>(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) throw new OutpostError('unauthorized', 'This device is not connected. Connect it in Settings with an enrollment code.');
    const device = await deviceForToken(db, token);
    if (!device) throw new OutpostError('unauthorized', 'This device credential is not known. Connect again with a new enrollment code.');
    if (device.revokedAt)
      throw new OutpostError('credential_revoked', 'This device has been disconnected by your organisation. Ask your coordinator for a new enrollment code.');
    c.set('device', { id: device.id, orgId: device.orgId });
    await limit?.(device.id);
    await next();
  });

/**
 * The server admin token (CLI and operators). Wrong tokens count against `throttle`, which is
 * checked before the token is compared.
 */
export const adminAuth = (adminToken: string, throttle?: FailureThrottle) =>
  createMiddleware(async (c, next) => {
    const token = bearer(c.req.header('authorization')) ?? '';
    await throttle?.check(c);
    const a = Buffer.from(token);
    const b = Buffer.from(adminToken);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      // A missing token is not a guess: only a wrong one counts as a failed attempt.
      if (c.req.header('authorization')) await throttle?.fail(c);
      throw new OutpostError('unauthorized', 'A valid server admin token is needed.');
    }
    await next();
  });
