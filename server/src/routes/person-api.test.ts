// A person on a device through app.request(): signing in with a personal key, then deciding and
// moving as that person; the role, the organisation and the device the session belongs to count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { createPerson } from '../store/people.js';
import { applyPush } from '../store/sync.js';
import { putChunk } from '../store/blobs.js';
import { registryRecords } from '../store/registry.js';
import { change, modelVersion, project, sha256, T0 } from '../store/fixtures.js';
import { PERSON_HEADER, PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import type { Proposal } from '@shared/schema/registry.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;
const devices: { id: string; token: string }[] = [];

async function enroll(org: string, name: string) {
  const { code } = await createEnrollmentCode(db, org, 1, T0);
  const res = await app.request('/api/enroll', {
    method: 'POST',
    body: JSON.stringify({ code, deviceName: name }),
    headers: { 'content-type': 'application/json' },
  });
  const d = (await res.json()) as { deviceId: string; token: string };
  return { id: d.deviceId, token: d.token };
}
const call = (device: { token: string }, path: string, body: unknown, person?: string) =>
  app.request(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: {
      authorization: `Bearer ${device.token}`,
      [PROTOCOL_HEADER]: String(PROTOCOL.version),
      'content-type': 'application/json',
      ...(person ? { [PERSON_HEADER]: person } : {}),
    },
  });

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'x'.repeat(20), version: 't', failuresPerSource: 1e6, failuresPerTarget: 1e6 }, now: () => T0 });
  orgId = (await createOrg(db, 'People')).org.id;
  devices.push(await enroll(orgId, 'ward'), await enroll(orgId, 'lab'));
  const bytes = new Uint8Array([5, 6]);
  await putChunk(db, orgId, sha256(bytes), 0, 2, bytes);
  const ward = { id: devices[0].id, orgId };
  await applyPush(db, ward, 0, [change('projects', 'p1', project('p1')), change('model_versions', 'v1', modelVersion('v1', sha256(bytes), 'none'))], T0);
  await applyPush(db, ward, 1, [change('stage_changes', 's1', { id: 's1', modelVersionId: 'v1', from: 'none', to: 'production', createdAt: T0 })], T0);
});
afterAll(async () => db.close());

describe('a person signed in on a device', () => {
  it('signs in with a personal key of the organisation only, and the session works on that device only', async () => {
    const { key } = await createPerson(db, orgId, 'Ada', 'ml_lead');
    const outsider = await createPerson(db, (await createOrg(db, 'Other')).org.id, 'Eve', 'admin');
    expect((await call(devices[0], '/api/registry/sessions', { key: 'opp_not-a-key-at-all' })).status).toBe(401);
    expect((await call(devices[0], '/api/registry/sessions', { key: outsider.key })).status).toBe(401);
    const res = await call(devices[0], '/api/registry/sessions', { key });
    expect(res.status).toBe(201);
    const session = (await res.json()) as { token: string; person: { name: string; role: string } };
    expect(session.person).toMatchObject({ name: 'Ada', role: 'ml_lead' });
    const [proposal] = await registryRecords<Proposal>(db, orgId, 'proposals');
    // The same token from another device is no one's.
    const elsewhere = await call(devices[1], `/api/registry/proposals/${proposal.id}`, { approve: true, why: 'x' }, session.token);
    expect(elsewhere.status).toBe(401);
    expect(((await elsewhere.json()) as { error: { message: string } }).error.message).toMatch(/Sign in as a person on this device/);
    const ok = await call(devices[0], `/api/registry/proposals/${proposal.id}`, { approve: true, why: 'checked' }, session.token);
    expect(await ok.json()).toEqual({ outcome: 'applied' });
    expect((await registryRecords<Proposal>(db, orgId, 'proposals'))[0]).toMatchObject({ status: 'approved', decidedBy: { name: 'Ada' } });
    // An ML lead moves a version at once; a stale move is a conflict with a sentence.
    expect(
      await (await call(devices[0], '/api/registry/versions/v1/stage', { from: 'production', to: 'archived', why: 'rollback drill' }, session.token)).json(),
    ).toEqual({
      outcome: 'applied',
    });
    const stale = await call(devices[0], '/api/registry/versions/v1/stage', { from: 'production', to: 'archived', why: '' }, session.token);
    expect(stale.status).toBe(409);
  });

  it('field staff signed in on a device can only propose, and a bad body is a 400 with a sentence', async () => {
    const { key } = await createPerson(db, orgId, 'Femi', 'field');
    const session = (await (await call(devices[1], '/api/registry/sessions', { key })).json()) as { token: string };
    expect(
      await (await call(devices[1], '/api/registry/versions/v1/stage', { from: 'archived', to: 'production', why: 'please' }, session.token)).json(),
    ).toEqual({
      outcome: 'proposed',
    });
    const pending = (await registryRecords<Proposal>(db, orgId, 'proposals')).filter((p) => p.status === 'pending');
    expect(pending.map((p) => p.proposedBy.name)).toEqual(['Femi']);
    const refused = await call(devices[1], `/api/registry/proposals/${pending[0].id}`, { approve: true, why: '' }, session.token);
    expect(refused.status).toBe(403);
    expect((await call(devices[1], '/api/registry/versions/v1/stage', { to: 'sideways' }, session.token)).status).toBe(400);
    expect((await call(devices[1], '/api/registry/proposals/x', { approve: true, why: '' })).status).toBe(401);
  });
});
