import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { OutpostError } from '@shared/errors.js';
import type { Db } from '../store/db.js';
import { createEnrollmentCode, createOrg, listDevices, listOrgs, orgStats, revokeDevice } from '../store/orgs.js';
import { adminAuth } from '../middleware/auth.js';
import { limitBody } from '../middleware/body-limit.js';
import { readJson } from '../middleware/json-body.js';
import { sameOriginOnly } from '../middleware/cors.js';
import type { FailureThrottle } from '../middleware/throttle.js';

export interface AdminDeps {
  /** Counts wrong admin tokens. */
  throttle: FailureThrottle;
  /** The server's own origin: the only one a browser may call the admin API from. */
  ownOrigin: (c: Context) => string;
}

/** The server admin API that `npm run admin` uses when the server is running (loopback + token). */
export function adminRoutes(db: Db, adminToken: string, now: () => number, { throttle, ownOrigin }: AdminDeps) {
  return new Hono()
    .use('*', sameOriginOnly(ownOrigin), adminAuth(adminToken, throttle), limitBody(16 * 1024))
    .get('/orgs', async (c) => c.json(await listOrgs(db)))
    .post('/orgs', async (c) => {
      const body = z.object({ name: z.string() }).safeParse(await readJson(c.req.raw));
      if (!body.success) throw new OutpostError('invalid_body', 'Send {"name": "..."}.');
      const { org, adminKey } = await createOrg(db, body.data.name);
      return c.json({ ...org, adminKey }, 201);
    })
    .post('/orgs/:id/codes', async (c) => {
      const body = z.object({ days: z.number().positive().max(365).optional() }).safeParse(await readJson(c.req.raw));
      if (!body.success) throw new OutpostError('invalid_body', 'Send {"days": n} or {}.');
      return c.json(await createEnrollmentCode(db, c.req.param('id'), body.data.days, now()), 201);
    })
    .get('/orgs/:id/devices', async (c) => c.json(await listDevices(db, c.req.param('id'))))
    .get('/orgs/:id/stats', async (c) => c.json({ records: await orgStats(db, c.req.param('id')) }))
    .post('/devices/:id/revoke', async (c) => {
      if (!(await revokeDevice(db, c.req.param('id')))) throw new OutpostError('not_found', 'No such device.');
      return c.json({ revoked: true });
    });
}
