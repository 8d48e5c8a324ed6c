import { Hono } from 'hono';
import { OutpostError } from '@shared/errors.js';
import { EnrollRequest } from '@shared/sync/protocol.js';
import type { Db } from '../store/db.js';
import { enrollDevice } from '../store/orgs.js';
import { limitBody } from '../middleware/body-limit.js';
import { readJson } from '../middleware/json-body.js';
import type { FailureThrottle } from '../middleware/throttle.js';

/** POST /api/enroll: spend a one-time code, get this device's credential (shown once). */
export function enrollRoutes(db: Db, now: () => number, throttle: FailureThrottle) {
  return new Hono().post('/', limitBody(4096), async (c) => {
    const body = EnrollRequest.safeParse(await readJson(c.req.raw));
    if (!body.success) throw new OutpostError('invalid_body', 'Send {"code": "...", "deviceName": "..."} with the enrollment code from your coordinator.');
    await throttle.check(c);
    try {
      return c.json(await enrollDevice(db, body.data.code, body.data.deviceName, now()), 201);
    } catch (e) {
      if (e instanceof OutpostError && e.code === 'enrollment_code_invalid') await throttle.fail(c);
      throw e;
    }
  });
}
