import { Hono } from 'hono';
import { OutpostError } from '@shared/errors.js';
import { PERSON_HEADER } from '@shared/sync/protocol.js';
import type { Db } from '../store/db.js';
import { personForSession } from '../store/people.js';
import { deviceAuth, type DeviceVars } from '../middleware/auth.js';
import { limitBody } from '../middleware/body-limit.js';
import { readJson } from '../middleware/json-body.js';
import { protocolGate } from '../middleware/protocol.js';
import { predictVersion } from '../serving/predict.js';
import type { ServedModels } from '../serving/loader.js';

/**
 * Most bytes a predict body may have: 10,000 rows of a few dozen columns fit; larger batches (or
 * images) are sent as several requests.
 */
export const PREDICT_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * Serving: a device (or a person signed in on one) asks the server to answer with a model version
 * of its organisation, POST /models/versions/:id/predict. A version of another organisation is a
 * 404 like one that does not exist. A person's session, when the device sends one, must be live
 * and of this device; the device's own credential is enough without one.
 */
export function serveRoutes(db: Db, models: ServedModels, now: () => number, limit?: (key: string) => Promise<void>) {
  return new Hono<{ Variables: DeviceVars }>()
    .use('*', protocolGate())
    .use('*', deviceAuth(db, limit))
    .post('/versions/:id/predict', limitBody(PREDICT_BODY_LIMIT, 'Send at most 10,000 rows, or fewer items, at a time.'), async (c) => {
      const device = c.get('device');
      const session = c.req.header(PERSON_HEADER);
      if (session !== undefined) {
        const p = session && session.length <= 200 ? await personForSession(db, session, device.id, now()) : undefined;
        if (!p || p.orgId !== device.orgId)
          throw new OutpostError(
            'unauthorized',
            'That person is not signed in on this device any more. Sign in again (Settings), or send the request without it.',
          );
      }
      return c.json(await predictVersion({ db, models, now }, device, c.req.param('id'), await readJson(c.req.raw)));
    });
}
