import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { OutpostError } from '@shared/errors.js';
import { DeploymentChangeRequest } from '@shared/schema/deployment.js';
import { PERSON_HEADER } from '@shared/sync/protocol.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Db } from '../store/db.js';
import { personActor, personForSession } from '../store/people.js';
import {
  actionChange,
  changeDeployment,
  deploymentEvents,
  readDeployment,
  type DeploymentAction,
  type DeploymentChangeKind,
  type DeploymentOutcome,
} from '../store/deployments.js';
import { deviceAuth, type DeviceVars } from '../middleware/auth.js';
import { limitBody } from '../middleware/body-limit.js';
import { readJson } from '../middleware/json-body.js';
import { protocolGate } from '../middleware/protocol.js';
import type { ServedModels } from '../serving/loader.js';
import { predictDeployed } from '../serving/deployed.js';
import { PREDICT_BODY_LIMIT } from './serve.js';

/**
 * Deployments over the API: a device reads its project's deployment and history; a person who may
 * promote, signed in on the device (x-outpost-person), changes it, or presses one of its buttons
 * (the canary's next step, blue-green's switch, roll back); and the server answers rows as the
 * deployment says (POST /projects/{projectId}/predict). Refusals are sentences, with the store's
 * codes (409: someone else changed it first, or devices are not ready; 422: a gate).
 */

/** The body of the one-button changes. */
export const DeploymentActionRequest = z.object({
  expectedRevision: z.number().int().min(0).max(1_000_000_000),
  why: z.string().max(1000),
  force: z.boolean().optional(),
});

type Env = { Variables: DeviceVars };

async function person(db: Db, c: Context<Env>, now: number) {
  const token = c.req.header(PERSON_HEADER) ?? '';
  const p = token && token.length <= 200 ? await personForSession(db, token, c.get('device').id, now) : undefined;
  if (!p || p.orgId !== c.get('device').orgId)
    throw new OutpostError('unauthorized', 'Sign in as a person on this device first (Settings), with your personal key.');
  return personActor(p);
}

const answer = (c: Context, o: DeploymentOutcome) => {
  if ('deployment' in o) return c.json({ deployment: o.deployment });
  throw new OutpostError(o.code, o.message, undefined, o.reason);
};

/** GET/PUT /deployments/:projectId and its buttons. */
export function deploymentRoutes(db: Db, now: () => number, limit?: (key: string) => Promise<void>) {
  const hlc = () => formatHlc({ millis: now(), counter: 0, node: 'person' });
  const change = async (c: Context<Env>, req: z.infer<typeof DeploymentActionRequest> & { state: unknown }, kind: DeploymentChangeKind) => {
    const actor = await person(db, c, now());
    const orgId = c.get('device').orgId;
    return answer(c, await db.tx((q) => changeDeployment(q, orgId, c.req.param('projectId') ?? '', req, actor, now(), hlc(), kind)));
  };
  const action = (name: DeploymentAction) => async (c: Context<Env>) => {
    const body = DeploymentActionRequest.safeParse(await readJson(c.req.raw));
    if (!body.success) throw new OutpostError('invalid_body', 'Send {"expectedRevision": n, "why": "...", "force"?: true}.');
    await person(db, c, now());
    const current = await readDeployment(db, c.get('device').orgId, c.req.param('projectId') ?? '');
    if (!current) throw new OutpostError('not_found', 'This project has no deployment yet.');
    const next = actionChange(current, name, now());
    if (typeof next === 'string') throw new OutpostError('bad_request', next);
    return change(c, { ...body.data, state: next.state }, next.kind);
  };
  return new Hono<Env>()
    .use('*', protocolGate())
    .use('*', deviceAuth(db, limit))
    .get('/:projectId', async (c) => {
      const orgId = c.get('device').orgId;
      const projectId = c.req.param('projectId');
      return c.json({ deployment: await readDeployment(db, orgId, projectId), events: await deploymentEvents(db, orgId, projectId) });
    })
    .put('/:projectId', limitBody(64 * 1024), async (c) => {
      const body = DeploymentChangeRequest.safeParse(await readJson(c.req.raw));
      if (!body.success) throw new OutpostError('invalid_body', 'Send {"expectedRevision": n, "state": {...}, "why": "...", "force"?: true}.');
      return change(c, body.data, 'changed');
    })
    .post('/:projectId/advance', limitBody(4096), action('advance'))
    .post('/:projectId/switch', limitBody(4096), action('switch'))
    .post('/:projectId/rollback', limitBody(4096), action('rollback'));
}

/** POST /projects/:projectId/predict: the server answers as the project's deployment (limits as the per-version route). */
export function projectPredictRoutes(db: Db, models: ServedModels, now: () => number, limit?: (key: string) => Promise<void>) {
  return new Hono<Env>()
    .use('*', protocolGate())
    .use('*', deviceAuth(db, limit))
    .post('/:projectId/predict', limitBody(PREDICT_BODY_LIMIT, 'Send at most 10,000 rows at a time.'), async (c) =>
      c.json(await predictDeployed({ db, models, now }, c.get('device'), c.req.param('projectId'), await readJson(c.req.raw))),
    );
}
