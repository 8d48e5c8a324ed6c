import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/schema/registry.js';
import type { Deployment, DeploymentEvent, DeploymentState } from '@shared/schema/deployment.js';
import type { RegistryEvent } from '@shared/schema/registry.js';
import { switched } from '@shared/deploy/changes.js';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice, recordDeviceStatus } from './orgs.js';
import { changeDeployment, deploymentEvents, readDeployment, type DeploymentChangeKind } from './deployments.js';
import { moveStage, registryRecords } from './registry.js';
import { serverGates } from './gates.js';
import { T0, insertRecord, modelVersion, project, stamp } from './fixtures.js';

// Deployments on both stores: compare-and-set on the revision, who may change one and which
// versions it may name, the champion promoted through the registry in the same transaction, the
// history, blue-green's switch waiting for the devices, and the registry's promotions followed.

const ada: Actor = { kind: 'person', id: 'ada', name: 'Ada', role: 'ml_lead' };
const femi: Actor = { kind: 'person', id: 'femi', name: 'Femi', role: 'field' };
const metrics = (a: number) => ({
  task: 'classification',
  accuracy: a,
  f1: a,
  f1Average: 'binary',
  precision: a,
  recall: a,
  labels: ['a', 'b'],
  confusion: [
    [1, 0],
    [0, 1],
  ],
});
const single = (champion: string): DeploymentState => ({ mode: 'single', champion, challenger: null, level: 'full' });
const blueGreen = (champion: string, challenger: string): DeploymentState => ({ mode: 'blue_green', champion, challenger, level: 'full' });
const canary = (champion: string, challenger: string): DeploymentState => ({
  mode: 'canary',
  champion,
  challenger,
  level: 'full',
  canary: { keyColumn: 'patient', ramp: [0.1, 0.5, 1], step: 0, advance: null, rollbackOn: ['errorRate'], stepSince: T0 },
});

describe.each(STORES)('deployments: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  beforeAll(async () => {
    db = await factory.open();
  });
  afterAll(async () => db?.drop());

  async function org(name: string, versions: [string, number, string, Record<string, unknown>?][], projectExtra: Record<string, unknown> = {}) {
    const orgId = (await createOrg(db, name)).org.id;
    await insertRecord(db, orgId, 'projects', 'p1', { ...project('p1'), ...projectExtra });
    await insertRecord(db, orgId, 'projects', 'p2', project('p2', 'Other'));
    for (const [id, version, stage, extra] of versions) {
      await insertRecord(db, orgId, 'model_versions', id, { ...modelVersion(id, 'a'.repeat(64), stage), version, ...(extra ?? {}) });
    }
    return orgId;
  }
  const change = (
    orgId: string,
    expectedRevision: number,
    state: unknown,
    actor = ada,
    opts: { force?: boolean; kind?: DeploymentChangeKind; why?: string } = {},
  ) =>
    db.tx((q) =>
      changeDeployment(
        q,
        orgId,
        'p1',
        { expectedRevision, state, why: opts.why ?? 'because', force: opts.force },
        actor,
        T0,
        stamp(T0, 0, 'server'),
        opts.kind ?? 'changed',
      ),
    );
  const stageOf = async (orgId: string, id: string) =>
    (await db.query<{ s: string }>(`select data->>'stage' as s from records where org_id = $1 and tbl = 'model_versions' and id = $2`, [orgId, id]))[0].s;
  const deployed = (o: Awaited<ReturnType<typeof change>>): Deployment => {
    if (!('deployment' in o)) throw new Error(`refused: ${o.message}`);
    return o.deployment;
  };

  it('makes the first revision, promotes its champion through the registry, and keeps the history', async () => {
    const orgId = await org('First', [
      ['v1', 1, 'staging'],
      ['v0', 0, 'production'],
    ]);
    const d = deployed(await change(orgId, 0, single('v1'), ada, { why: 'v1 is better' }));
    expect(d).toMatchObject({ id: 'p1', projectId: 'p1', revision: 1, changedBy: { name: 'Ada' }, why: 'v1 is better', at: T0 });
    expect(await readDeployment(db, orgId, 'p1')).toEqual(d);
    expect([await stageOf(orgId, 'v1'), await stageOf(orgId, 'v0')]).toEqual(['production', 'archived']);
    const moves = await registryRecords<RegistryEvent>(db, orgId, 'registry_events', 'v1');
    expect(moves.map((e) => [e.kind, e.to])).toEqual([['moved', 'production']]);
    const [event] = await deploymentEvents(db, orgId, 'p1');
    expect(event).toMatchObject({ kind: 'changed', revision: 1, before: null, after: single('v1'), actor: { name: 'Ada' } });
  });

  it('compare-and-set: of two changes from the same revision at once exactly one wins; the other is told who changed it', async () => {
    const orgId = await org('Race', [
      ['v1', 1, 'production'],
      ['v2', 2, 'staging'],
    ]);
    deployed(await change(orgId, 0, single('v1')));
    const shadow: DeploymentState = { mode: 'shadow', champion: 'v1', challenger: 'v2', level: 'assist' };
    const results = await Promise.all([change(orgId, 1, shadow, ada, { why: 'try v2 quietly' }), change(orgId, 1, single('v1'), ada, { why: 'other tab' })]);
    const won = results.filter((r) => 'deployment' in r);
    const lost = results.filter((r) => !('deployment' in r)) as { code: string; message: string }[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].code).toBe('conflict');
    const now = (await readDeployment(db, orgId, 'p1'))!;
    expect(now.revision).toBe(2);
    expect(lost[0].message).toBe(`Someone else changed this deployment first (now revision 2, by Ada: ${now.why}). Reload the page to see it and try again.`);
    expect((await deploymentEvents(db, orgId, 'p1')).map((e) => e.revision)).toEqual([2, 1]);
    // A stale revision later is the same conflict.
    expect(await change(orgId, 1, single('v1'))).toMatchObject({ code: 'conflict' });
  });

  it('refuses field staff, an unreadable state, an archived version, another project’s or a deleted one, and partial automation of values', async () => {
    const orgId = await org('Refusals', [
      ['v1', 1, 'production'],
      ['old', 0, 'archived'],
      ['gone', 5, 'staging', { deleted: true }],
      ['elsewhere', 1, 'staging', { projectId: 'p2' }],
      ['reg', 6, 'staging', { task: 'regression' }],
    ]);
    expect(await change(orgId, 0, single('v1'), femi)).toEqual({ code: 'forbidden', message: 'Only an ML lead or an admin can change a deployment.' });
    const bad = await change(orgId, 0, { mode: 'canary', champion: 'v1', challenger: null, level: 'full' });
    expect(bad).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^The deployment was not changed: this mode needs a second version/) });
    expect(await change(orgId, 0, single('old'))).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^Version 0 was archived; choose another/),
    });
    expect(await change(orgId, 0, single('elsewhere'))).toMatchObject({ message: 'Version 1 belongs to another project; choose a version of this project.' });
    expect(await change(orgId, 0, single('gone'))).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/no model version gone/) });
    const partial = await change(orgId, 0, { mode: 'shadow', champion: 'v1', challenger: 'reg', level: 'partial', confidence: 0.9 });
    expect(partial).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^Partial automation needs a model that says how sure it is/) });
    expect(await readDeployment(db, orgId, 'p1')).toBeNull();
    expect(await deploymentEvents(db, orgId, 'p1')).toEqual([]);
  });

  it('a canary’s challenger must pass the project’s gates (kept as a refusal); a shadow’s need not; a champion that fails is refused by the registry', async () => {
    const gates = { minMetric: { metric: 'accuracy', value: 0.9 } };
    const orgId = await org(
      'Gates',
      [
        ['v1', 1, 'production', { metrics: metrics(0.95) }],
        ['weak', 2, 'staging', { metrics: metrics(0.6) }],
      ],
      { gates },
    );
    deployed(await change(orgId, 0, single('v1')));
    const refusedCanary = await change(orgId, 1, canary('v1', 'weak'));
    expect(refusedCanary).toMatchObject({ code: 'gate_failed', message: expect.stringMatching(/^Version 2 cannot be the challenger yet: .*accuracy/i) });
    // The reason a device says in its language: the failed gate's sentence as keys and values, and the part refused.
    const reason = (refusedCanary as { reason: { code: string; params: Record<string, string> } }).reason;
    expect(reason).toMatchObject({ code: 'gates_failed', params: { role: 'challenger', version: '2' } });
    expect(JSON.parse(reason.params.gates)).toMatchObject([{ frame: { key: 'gates.frame.measured' }, what: { key: 'gates.what.metric' } }]);
    const [refusal] = await deploymentEvents(db, orgId, 'p1');
    expect(refusal).toMatchObject({
      kind: 'refused',
      revision: 1,
      before: single('v1'),
      after: canary('v1', 'weak'),
      why: (refusedCanary as { message: string }).message,
    });
    const shadow = deployed(await change(orgId, 1, { mode: 'shadow', champion: 'v1', challenger: 'weak', level: 'full' }));
    expect(shadow.revision).toBe(2);
    const champion = await change(orgId, 2, single('weak'));
    expect(champion).toMatchObject({
      code: 'gate_failed',
      message: expect.stringMatching(/^Version 2 cannot be the champion: /),
      reason: { code: 'gates_failed', params: { role: 'champion', version: '2' } },
    });
    expect(await stageOf(orgId, 'weak')).toBe('staging');
    expect((await registryRecords<RegistryEvent>(db, orgId, 'registry_events', 'weak')).map((e) => e.kind)).toEqual(['refused']);
    expect((await deploymentEvents(db, orgId, 'p1')).map((e) => e.kind)).toEqual(['refused', 'changed', 'refused', 'changed']);
  });

  it('blue-green: the switch waits for every recent device to have the new colour, unless forced; switching back to the archived colour is allowed', async () => {
    const orgId = await org('Colours', [
      ['blue', 1, 'production'],
      ['green', 2, 'staging'],
    ]);
    const devices: { deviceId: string }[] = [];
    for (const name of ['ward', 'lab', 'clinic', 'van']) {
      const { code } = await createEnrollmentCode(db, orgId, 1, T0);
      devices.push(await enrollDevice(db, code, name, T0));
    }
    const status = (i: number, ready: string[]) => recordDeviceStatus(db, devices[i].deviceId, { pending: 0, activeVersions: [], appVersion: 't', ready });
    await status(0, ['blue']);
    await status(1, ['blue', 'green']);
    await status(2, ['blue']);
    // The van has not been seen for a month: it is not waited for.
    await status(3, []);
    await db.query(`update devices set last_seen_at = now() - interval '30 days' where id = $1`, [devices[3].deviceId]);
    const d1 = deployed(await change(orgId, 0, blueGreen('blue', 'green')));
    const refusedSwitch = await change(orgId, 1, switched(d1.state), ada, { kind: 'switched' });
    expect(refusedSwitch).toEqual({
      code: 'conflict',
      message:
        '2 of 3 devices do not have version 2 ready yet (clinic, ward). Wait until they have synced, or switch even if not every device is ready (those answer with the version they have until they download it).',
    });
    expect((await deploymentEvents(db, orgId, 'p1'))[0]).toMatchObject({ kind: 'refused', revision: 1 });
    expect(await stageOf(orgId, 'green')).toBe('staging');
    await status(0, ['blue', 'green']);
    expect(await change(orgId, 1, switched(d1.state), ada, { kind: 'switched' })).toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/^1 of 3 devices .*\(clinic\)/),
    });
    await status(2, ['green', 'blue']);
    const d2 = deployed(await change(orgId, 1, switched(d1.state), ada, { kind: 'switched', why: 'green is ready' }));
    expect(d2.state).toMatchObject({ champion: 'green', challenger: 'blue' });
    expect([await stageOf(orgId, 'green'), await stageOf(orgId, 'blue')]).toEqual(['production', 'archived']);
    // Back to blue: archived now, but named by the deployment, so allowed; one device lost it, so forced.
    await status(1, ['green']);
    expect(await change(orgId, 2, switched(d2.state), ada, { kind: 'switched' })).toMatchObject({ code: 'conflict' });
    const d3 = deployed(await change(orgId, 2, switched(d2.state), ada, { kind: 'switched', force: true, why: 'back to blue' }));
    expect(d3).toMatchObject({ revision: 3, state: { champion: 'blue', challenger: 'green' } });
    expect([await stageOf(orgId, 'blue'), await stageOf(orgId, 'green')]).toEqual(['production', 'archived']);
    const history = await deploymentEvents(db, orgId, 'p1');
    expect(history.map((e: DeploymentEvent) => e.kind)).toEqual(['switched', 'refused', 'switched', 'refused', 'refused', 'changed']);
  });

  it('follows the registry: a version promoted there becomes the champion, and a promoted challenger ends the trial', async () => {
    const orgId = await org('Coupling', [
      ['v1', 1, 'production'],
      ['v2', 2, 'staging'],
      ['v3', 3, 'staging'],
    ]);
    deployed(await change(orgId, 0, { mode: 'shadow', champion: 'v1', challenger: 'v2', level: 'assist' }));
    const promote = (id: string, who: Actor) =>
      db.tx((q) =>
        moveStage(q, orgId, { id: `s-${id}`, modelVersionId: id, from: 'staging', to: 'production', createdAt: T0 + 5 }, stamp(T0), who, serverGates()),
      );
    expect(await promote('v3', ada)).toBe('applied');
    let d = (await readDeployment(db, orgId, 'p1'))!;
    expect(d).toMatchObject({
      revision: 2,
      state: { mode: 'shadow', champion: 'v3', challenger: 'v2', level: 'assist' },
      changedBy: { name: 'Ada' },
      why: 'Version 3 became the production version in the registry.',
      at: T0 + 5,
    });
    // Field staff only propose: the deployment stays.
    expect(await promote('v2', femi)).toBe('proposed');
    expect((await readDeployment(db, orgId, 'p1'))!.revision).toBe(2);
    expect(await promote('v2', ada)).toBe('applied');
    d = (await readDeployment(db, orgId, 'p1'))!;
    expect(d).toMatchObject({ revision: 3, state: { mode: 'single', champion: 'v2', challenger: null, level: 'assist' } });
    expect((await deploymentEvents(db, orgId, 'p1'))[0]).toMatchObject({ kind: 'changed', before: { champion: 'v3' }, after: { champion: 'v2' } });
  });
});
