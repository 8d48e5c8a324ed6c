import { Hono, type Context } from 'hono';
import { v7 as uuidv7 } from 'uuid';
import { OutpostError, type ErrorCode } from '@shared/errors.js';
import { DecisionRequest, PERSON_HEADER, PersonSessionRequest, PersonStageRequest } from '@shared/sync/protocol.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Db } from '../store/db.js';
import { createPersonSession, personActor, personForKey, personForSession } from '../store/people.js';
import { decideProposal, moveStage, type RegistryOutcome } from '../store/registry.js';
import { serverGates } from '../store/gates.js';
import { deviceAuth, type DeviceVars } from '../middleware/auth.js';
import { limitBody } from '../middleware/body-limit.js';
import { readJson } from '../middleware/json-body.js';
import { protocolGate } from '../middleware/protocol.js';
import type { FailureThrottle } from '../middleware/throttle.js';

/**
 * A person on a device: signing in with their personal key makes a session of that person on
 * that device (30 days), and with it the device may do what the person's role allows, online: an
 * ML lead or an admin approves proposals and promotes versions there, as in the console. Wrong keys
 * count against the failure throttle like console sign-ins.
 */
export function registryRoutes(db: Db, now: () => number, throttle: FailureThrottle, limit?: (key: string) => Promise<void>) {
  const hlc = () => formatHlc({ millis: now(), counter: 0, node: 'person' });
  const person = async (c: Context<{ Variables: DeviceVars }>) => {
    const token = c.req.header(PERSON_HEADER) ?? '';
    const p = token && token.length <= 200 ? await personForSession(db, token, c.get('device').id, now()) : undefined;
    if (!p || p.orgId !== c.get('device').orgId)
      throw new OutpostError('unauthorized', 'Sign in as a person on this device first (Settings), with your personal key.');
    return personActor(p);
  };
  const answer = (c: Context, o: RegistryOutcome) => {
    if (o === 'applied' || o === 'proposed') return c.json({ outcome: o });
    throw new OutpostError(o.code as ErrorCode, o.message, undefined, o.reason);
  };
  return new Hono<{ Variables: DeviceVars }>()
    .use('*', protocolGate())
    .use('*', deviceAuth(db, limit))
    .post('/sessions', limitBody(4096), async (c) => {
      const body = PersonSessionRequest.safeParse(await readJson(c.req.raw));
      if (!body.success) throw new OutpostError('invalid_body', 'Send {"key": "..."} with your personal key (from your organisation admin).');
      await throttle.check(c);
      const p = await personForKey(db, body.data.key);
      if (!p || p.orgId !== c.get('device').orgId) {
        await throttle.fail(c);
        throw new OutpostError('unauthorized', 'That personal key is not known in this organisation. Check it with your organisation admin.');
      }
      const { token, expiresAt } = await createPersonSession(db, p, c.get('device').id, now());
      return c.json({ token, expiresAt, person: { id: p.id, name: p.name, role: p.role } }, 201);
    })
    .post('/proposals/:id', limitBody(4096), async (c) => {
      const actor = await person(c);
      const body = DecisionRequest.safeParse(await readJson(c.req.raw));
      if (!body.success) throw new OutpostError('invalid_body', 'Send {"approve": true or false, "why": "..."}.');
      const orgId = c.get('device').orgId;
      return answer(c, await db.tx((q) => decideProposal(q, orgId, c.req.param('id'), body.data.approve, body.data.why, actor, now(), hlc(), serverGates())));
    })
    .post('/versions/:id/stage', limitBody(4096), async (c) => {
      const actor = await person(c);
      const body = PersonStageRequest.safeParse(await readJson(c.req.raw));
      if (!body.success) throw new OutpostError('invalid_body', 'Send {"from": stage, "to": stage, "why": "..."}.');
      const orgId = c.get('device').orgId;
      const change = { id: uuidv7(), modelVersionId: c.req.param('id'), createdAt: now(), ...body.data };
      return answer(c, await db.tx((q) => moveStage(q, orgId, change, hlc(), actor, serverGates())));
    });
}
