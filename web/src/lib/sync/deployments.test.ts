import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { sha256Hex } from '@shared/data/hash.js';
import { formatHlc } from '@shared/sync/hlc.js';
import { mulberry32 } from '@shared/data/random.js';
import type { Deployment, DeploymentState } from '@shared/schema/deployment.js';
import type { ModelVersion } from '@shared/schema/records.js';
import { DeviceStatus } from '@shared/sync/protocol.js';
import { writeServerRecord } from '../../../../server/src/store/registry.js';
import { lockRecords } from '../../../../server/src/store/record-writes.js';
import { createEnrollmentCode } from '../../../../server/src/store/orgs.js';
import { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { registerModel, saveTrainedModel } from '../db/models.js';
import { blobState } from '../db/blobs.js';
import { projectDeployment } from '../db/deployments.js';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';
import { createHeadlessDevice, type HeadlessDevice } from './headless.js';
import { giveBackAfterReset } from './reset.js';
import type { Transport } from './transport.js';
import { completedRun } from '../db/fixtures.testing.js';

// A deployment written on the real server in this process (PGlite in memory) reaches a device:
// pulled and kept only forward, its versions' weights downloaded whatever their stage, never given
// back after a reset, and reported in the device's status.
let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Deployments');
});
afterAll(async () => srv.close());

const T0 = Date.UTC(2026, 5, 1);

/** A version registered on a device, with weights of its own (never made production). */
async function register(d: HeadlessDevice, projectId: string, seed: number): Promise<ModelVersion> {
  const rng = mulberry32(seed);
  const weights = Float32Array.from({ length: 4 }, () => rng() - 0.5).buffer;
  const r = completedRun(projectId);
  await putRecord(d.db, 'runs', r);
  const specs = [
    { name: 'out/kernel', shape: [1, 2], dtype: 'float32' as const },
    { name: 'out/bias', shape: [2], dtype: 'float32' as const },
  ];
  await saveTrainedModel(
    d.db,
    r.id,
    { artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: specs }, weightsHash: await sha256Hex(weights), weightsSize: 16 },
    weights,
  );
  return registerModel(d.db, r, 'triage', 't', false);
}

let revisionAt = T0;
/** The server writes a project's deployment record (as its deployment store does, under the organisation's record lock). */
async function writeDeployment(projectId: string, revision: number, state: DeploymentState, why = ''): Promise<Deployment> {
  const d: Deployment = {
    id: projectId,
    projectId,
    revision,
    state,
    changedBy: { kind: 'person', id: 'lead', name: 'Lead', role: 'ml_lead' },
    why,
    at: ++revisionAt,
  };
  await srv.db.tx(async (q) => {
    const seq = await lockRecords(q, srv.orgId);
    await writeServerRecord(q, seq, srv.orgId, 'deployments', projectId, d, formatHlc({ millis: revisionAt, counter: 0, node: 'server' }), {
      kind: 'server',
      id: 'server',
      name: 'Outpost server',
    });
  });
  return d;
}

/** A device whose status reports are kept, and whose downloads of `refuse`'s blobs fail. */
async function watchedDevice(name: string, refuse: Set<string> = new Set()) {
  const reports: DeviceStatus[] = [];
  const { code } = await createEnrollmentCode(srv.db, srv.orgId, 1);
  const watch = (inner: Transport): Transport => ({
    async request(method, path, init) {
      if (method === 'GET' && [...refuse].some((h) => path.startsWith(`/api/blobs/${h}`))) throw new Error('connection cut');
      if (path === '/api/sync/status') reports.push(DeviceStatus.parse(JSON.parse(String(init?.body))));
      return inner.request(method, path, init);
    },
  });
  const device = await createHeadlessDevice({ serverUrl: 'http://outpost.test', code, name, transport: (t) => watch(srv.transport(t)) });
  return { device, reports };
}

describe('a deployment on a device', () => {
  let trainer: HeadlessDevice;
  let projectId: string;
  let v1: ModelVersion;
  let v2: ModelVersion;
  let shadow: DeploymentState;
  beforeAll(async () => {
    trainer = await srv.newDevice('trainer');
    projectId = (await createProject(trainer.db, 'Clinic')).id;
    v1 = await register(trainer, projectId, 1);
    v2 = await register(trainer, projectId, 2);
    expect((await trainer.sync()).rejected).toBe(0);
    shadow = { mode: 'shadow', champion: v1.id, challenger: v2.id, level: 'assist' };
  });
  afterAll(() => trainer.close());

  it('is pulled and stored, its challenger’s weights are downloaded, and the status report carries ready and deployments', async () => {
    const d = await writeDeployment(projectId, 2, shadow, 'try the new one quietly');
    const { device, reports } = await watchedDevice('field');
    await device.sync();
    expect(await projectDeployment(device.db, projectId)).toEqual(d);
    expect((await device.db.model_versions.get(v2.id))?.stage).toBe('none');
    expect((await blobState(device.db, v2.weightsHash))?.state).toBe('complete');
    const status = reports.at(-1)!;
    expect(new Set(status.ready)).toEqual(new Set([v1.id, v2.id]));
    expect(status.deployments).toEqual([{ projectId, revision: 2, serving: v1.id, behind: false }]);
    // Never queued: the device does not write deployments.
    expect(await device.db.outbox.filter((r) => r.table === 'deployments').count()).toBe(0);

    // The server restored from an older backup holds revision 1 again: the device does not go back.
    await writeDeployment(projectId, 1, { mode: 'single', champion: v1.id, challenger: null, level: 'full' }, 'older');
    await device.sync();
    expect((await projectDeployment(device.db, projectId))?.revision).toBe(2);
    expect(reports.at(-1)?.deployments?.[0].revision).toBe(2);

    // A newer revision replaces it.
    const d3 = await writeDeployment(projectId, 3, { ...shadow, level: 'human' }, 'people decide for now');
    await device.sync();
    expect(await projectDeployment(device.db, projectId)).toEqual(d3);

    // After a server reset the device gives back what it may write, never the deployment nor the registry's history.
    await giveBackAfterReset(device.db, device.credential.deviceId);
    const queued = new Set((await device.db.outbox.toArray()).map((r) => r.table));
    expect(queued.has('projects')).toBe(true);
    for (const t of ['deployments', 'registry_events', 'proposals', 'model_aliases']) expect(queued.has(t as never)).toBe(false);
    const again = await device.sync();
    expect(again.rejected).toBe(0);
    expect((await projectDeployment(device.db, projectId))?.revision).toBe(3);
    await device.close();
  });

  it('a cut download gets the champion first; the next sync brings the challenger and reports both ready', async () => {
    // The champion is the later version (its id sorts after the challenger's), so only the ranking puts it first.
    await writeDeployment(projectId, 4, { mode: 'blue_green', champion: v2.id, challenger: v1.id, level: 'full' });
    const refuse = new Set([v1.weightsHash]);
    const { device, reports } = await watchedDevice('slow-link', refuse);
    await expect(device.sync()).rejects.toThrow();
    expect((await blobState(device.db, v2.weightsHash))?.state).toBe('complete');
    expect(await blobState(device.db, v1.weightsHash)).toBeUndefined();
    refuse.clear();
    await device.sync();
    expect((await blobState(device.db, v1.weightsHash))?.state).toBe('complete');
    expect(reports.at(-1)?.deployments).toEqual([{ projectId, revision: 4, serving: v2.id, behind: false }]);
    await device.close();
  });
});

describe('the device database upgrade', () => {
  it('opens a version 5 database, keeps its records, and adds the deployments table', async () => {
    const name = `deploy-upgrade-${newId()}`;
    const v5 = new Dexie(name);
    v5.version(5).stores({ projects: 'id, createdAt', outbox: '++seq, [table+id]', kv: 'key', ratings: 'id, studyId, [studyId+rater]' });
    await v5.table('projects').add({ id: 'p1', name: 'Clinic', description: '', createdAt: 1 });
    v5.close();
    const db = new OutpostDb(name);
    expect(db.verno).toBe(10);
    expect((await db.projects.get('p1'))?.name).toBe('Clinic');
    expect(await db.deployments.count()).toBe(0);
    db.close();
  });
});
