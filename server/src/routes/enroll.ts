import { Hono } from 'hono';
import { OutpostError } from '@shared/errors.js';
import { EnrollRequest } from '@shared/sync/protocol.js';
import type { Db } from '../store/db.js';
import { enrollDevice } from '../store/orgs.js';
import { limitBody, readJson } from '../middleware/limits.js';

/** POST /api/enroll: spend a one-time code, get this device's credential (shown once). */
export function enrollRoutes(db: Db, now: () => number) {
  return new Hono().post('/', limitBody(4096), async (c) => {
    const body = EnrollRequest.safeParse(await readJson(c.req.raw));
    if (!body.success) throw new OutpostError('invalid_body', 'Send {"code": "...", "deviceName": "..."} with the enrollment code from your coordinator.');
    return c.json(await enrollDevice(db, body.data.code, body.data.deviceName, now()), 201);
  });
}
