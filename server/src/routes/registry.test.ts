// Roles in the console through app.request(): who may approve, the gates the server runs, aliases,
// and what a revoked person's session can still do (nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createEnrollmentCode, createOrg, enrollDevice } from '../store/orgs.js';
import { applyPush } from '../store/sync.js';
import { putChunk } from '../store/blobs.js';
import { registryRecords } from '../store/registry.js';
import { change, modelVersion, project, sha256, T0 } from '../store/fixtures.js';
import { consoleSignIn } from '../testing/console-client.js';
import type { Proposal, RegistryEvent } from '@shared/schema/registry.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;
let adminKey: string;
const device = { id: '', orgId: '' };

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'x'.repeat(20), version: 't' }, now: () => T0 });
  ({
    org: { id: orgId },
    adminKey,
  } = await createOrg(db, 'Registry'));
  const { code } = await createEnrollmentCode(db, orgId, 1, T0);
  const d = await enrollDevice(db, code, 'tablet', T0);
  Object.assign(device, { id: d.deviceId, orgId });
  const bytes = new Uint8Array([1, 2, 3]);
  await putChunk(db, orgId, sha256(bytes), 0, 3, bytes);
  const gated = { ...project('p1'), gates: { minMetric: { metric: 'accuracy', value: 0.95 } } };
  const good = { ...modelVersion('good', sha256(bytes), 'none'), metrics: metrics(0.97) };
  const weak = { ...modelVersion('weak', sha256(bytes), 'none'), version: 2, metrics: metrics(0.9) };
  await applyPush(db, device, 0, [change('projects', 'p1', gated), change('model_versions', 'good', good), change('model_versions', 'weak', weak)], T0);
  // The device proposes both (it may not promote).
  await applyPush(
    db,
    device,
    1,
    ['good', 'weak'].map((id) => change('stage_changes', `s-${id}`, { id: `s-${id}`, modelVersionId: id, from: 'none', to: 'production', createdAt: T0 })),
    T0,
  );
});
afterAll(async () => db.close());

function metrics(accuracy: number) {
  return {
    task: 'classification',
    accuracy,
    f1: accuracy,
    f1Average: 'binary',
    precision: accuracy,
    recall: accuracy,
    labels: ['a', 'b'],
    confusion: [
      [1, 0],
      [0, 1],
    ],
  };
}
const proposalOf = async (versionId: string) => (await registryRecords<Proposal>(db, orgId, 'proposals')).find((p) => p.modelVersionId === versionId)!;
const stageOf = async (id: string) =>
  (await db.query<{ stage: string }>(`select data->>'stage' as stage from records where org_id = $1 and tbl = 'model_versions' and id = $2`, [orgId, id]))[0]
    .stage;
const personKey = (page: string) => /class="code">([^<]+)</.exec(page)![1];

describe('the registry in the console', () => {
  it('an admin adds people; field staff cannot approve; an ML lead can, and a gate the version fails refuses it with the reason', async () => {
    const admin = await consoleSignIn(app, adminKey);
    const field = personKey(await (await admin.post('/console/people', { name: 'Femi', role: 'field' })).text());
    const lead = personKey(await (await admin.post('/console/people', { name: 'Ada', role: 'ml_lead' })).text());
    const front = await (await admin.get('/console')).text();
    expect(front).toContain('Proposals waiting for approval (2)');
    expect(front).toMatch(/Femi<\/td>\s*<td>field staff/);

    const femi = await consoleSignIn(app, field);
    expect(await (await femi.get('/console')).text()).not.toContain('Add person');
    const refused = await femi.post(`/console/proposals/${(await proposalOf('good')).id}`, { decision: 'approve', why: 'looks fine' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Only an ML lead or an admin can approve');
    expect((await femi.post('/console/people', { name: 'X', role: 'admin' })).status).toBe(403);

    const ada = await consoleSignIn(app, lead);
    const blocked = await ada.post(`/console/proposals/${(await proposalOf('weak')).id}`, { decision: 'approve', why: 'try' });
    expect(blocked.status).toBe(422);
    expect(await blocked.text()).toMatch(/Not promoted: accuracy on validation rows: 0\.9, at least 0\.95 needed \(short by 0\.05/);
    expect(await stageOf('weak')).toBe('none');
    expect((await proposalOf('weak')).status).toBe('pending');

    expect((await ada.post(`/console/proposals/${(await proposalOf('good')).id}`, { decision: 'approve', why: 'report checked' })).status).toBe(302);
    expect(await stageOf('good')).toBe('production');
    expect((await proposalOf('good')).status).toBe('approved');
    expect((await ada.post(`/console/proposals/${(await proposalOf('weak')).id}`, { decision: 'reject', why: 'too weak' })).status).toBe(302);
    expect((await proposalOf('weak')).status).toBe('rejected');

    const events = (await registryRecords<RegistryEvent>(db, orgId, 'registry_events')).map((e) => `${e.modelVersionId} ${e.kind} by ${e.actor.name}`);
    expect(events).toEqual([
      'good proposed by device',
      'weak proposed by device',
      'weak refused by Ada',
      'good moved by Ada',
      'good approved by Ada',
      'weak rejected by Ada',
    ]);
    const page = await (await ada.get('/console/versions/good')).text();
    expect(page).toMatch(/approved.*Ada \(ml lead\).*report checked/s);
  });

  it('an ML lead sets an alias; a bad alias or a field person is refused; a revoked person is signed out', async () => {
    const admin = await consoleSignIn(app, adminKey);
    const lead = personKey(await (await admin.post('/console/people', { name: 'Bo', role: 'ml_lead' })).text());
    const bo = await consoleSignIn(app, lead);
    expect((await bo.post('/console/versions/good/alias', { alias: 'champion' })).status).toBe(302);
    expect((await bo.post('/console/versions/good/alias', { alias: 'Not An Alias!' })).status).toBe(400);
    const aliases = await registryRecords<{ alias: string; modelVersionId: string }>(db, orgId, 'model_aliases');
    expect(aliases.map((a) => [a.alias, a.modelVersionId])).toEqual([['champion', 'good']]);
    expect(await (await bo.get('/console/versions/good')).text()).toContain('Aliases: champion');
    const people = await db.query<{ id: string }>(`select id from people where org_id = $1 and name = 'Bo'`, [orgId]);
    expect((await admin.post(`/console/people/${people[0].id}/revoke`)).status).toBe(302);
    expect(await (await bo.get('/console')).text()).toContain('<h1>Sign in</h1>');
  });
});
