import { Hono } from 'hono';
import { OutpostError, type Reason } from '@shared/errors.js';
import { DeviceStatus, MONITOR_UPLOAD_MAX_DAYS, MonitorUpload, PUSH_LIMITS, PushRequest, pulledTables } from '@shared/sync/protocol.js';
import { storeMonitorUpload } from '../store/monitors.js';
import { applyDeploymentRules } from '../store/deployments.js';
import { recordDeviceStatus } from '../store/orgs.js';
import type { Db } from '../store/db.js';
import { applyPush, pull } from '../store/sync.js';
import { deviceAuth, type DeviceVars } from '../middleware/auth.js';
import { limitBody } from '../middleware/body-limit.js';
import { readJson } from '../middleware/json-body.js';
import { clientProtocol, protocolGate } from '../middleware/protocol.js';

/** A body not of the request's shape: the English shows the shape, the reason names the request for the device's words. */
const malformed = (what: 'push' | 'status' | 'monitors' | 'pull'): Reason => ({ code: 'request_malformed', params: { what } });

/** Most bytes of a monitor upload (a hundred days of counts of a model with many inputs). */
export const MONITOR_BODY_LIMIT = 2 * 1024 * 1024;

/** Push and pull (see docs/sync.md). Bodies over 2 MB or batches over the limit get 413. */
export function syncRoutes(db: Db, now: () => number, limit?: (key: string) => Promise<void>) {
  return new Hono<{ Variables: DeviceVars }>()
    .use('*', protocolGate())
    .use('*', deviceAuth(db, limit))
    .post('/push', limitBody(2 * PUSH_LIMITS.maxBytes), async (c) => {
      // The envelope is checked strictly; each change is checked on its own inside applyPush so
      // that one bad record is rejected with a reason while the rest of the batch applies.
      const env = PushRequest.safeParse(await readJson(c.req.raw));
      if (!env.success) throw new OutpostError('invalid_body', 'A push is {"batchSeq": n, "changes": [...]}.', undefined, malformed('push'));
      const me = c.get('device');
      if ((env.data.deviceId && env.data.deviceId !== me.id) || (env.data.orgId && env.data.orgId !== me.orgId)) {
        throw new OutpostError('forbidden', 'This credential belongs to another device. Each device pushes only its own changes.', undefined, {
          code: 'credential_other_device',
        });
      }
      if (env.data.changes.length > PUSH_LIMITS.maxChanges) {
        throw new OutpostError('payload_too_large', `A batch may hold at most ${PUSH_LIMITS.maxChanges} changes; send smaller batches.`, undefined, {
          code: 'batch_too_many',
          params: { max: PUSH_LIMITS.maxChanges },
        });
      }
      const answer = await applyPush(db, me, env.data.batchSeq, env.data.changes, now());
      // The first app (protocol 1) reads no `outcome`: it renumbers only when the acknowledged number is above
      // the one it sent, so it is given a number past this batch instead of a "delivered" answer.
      if (answer.outcome === 'renumber' && clientProtocol(c) < 2) answer.ackedBatchSeq = Math.max(answer.ackedBatchSeq, env.data.batchSeq + 1);
      return c.json(answer);
    })
    .post('/status', limitBody(16 * 1024), async (c) => {
      const body = DeviceStatus.safeParse(await readJson(c.req.raw));
      if (!body.success)
        throw new OutpostError(
          'invalid_body',
          'A status is {"pending": n, "activeVersions": [...], "appVersion": "...", "ready"?: [...], "deployments"?: [...]}.',
          undefined,
          malformed('status'),
        );
      await recordDeviceStatus(db, c.get('device').id, body.data);
      return c.json({ ok: true });
    })
    .post('/monitors', limitBody(MONITOR_BODY_LIMIT), async (c) => {
      const body = MonitorUpload.safeParse(await readJson(c.req.raw));
      if (!body.success) {
        throw new OutpostError(
          'invalid_body',
          `A monitor upload is {"days": [at most ${MONITOR_UPLOAD_MAX_DAYS} day summaries], "verdicts": [...]}.`,
          undefined,
          malformed('monitors'),
        );
      }
      const device = c.get('device');
      const stored = await storeMonitorUpload(db, device, body.data);
      // New counts may put a canary's challenger in alert (roll back) or meet its rule (next step).
      if (stored.stored || body.data.verdicts.length) await applyDeploymentRules(db, device.orgId, now());
      return c.json(stored);
    })
    .get('/pull', async (c) => {
      const cursor = Number(c.req.query('cursor') ?? 0);
      const limit = Math.min(1000, Math.max(1, Number(c.req.query('limit') ?? 200)));
      if (!Number.isSafeInteger(cursor) || cursor < 0 || !Number.isFinite(limit))
        throw new OutpostError('bad_request', 'cursor must be a whole number ≥ 0.', undefined, malformed('pull'));
      const witness = /^([a-z_]{1,64}):(.{1,64})$/s.exec(c.req.query('witness') ?? '');
      const checked = witness ? { table: witness[1], id: witness[2] } : undefined;
      return c.json(await pull(db, c.get('device').orgId, cursor, Math.floor(limit), checked, pulledTables(clientProtocol(c))));
    });
}
