import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../server/src/app.js';
import { openStore, type Db } from '../../../../server/src/store/index.js';
import { createEnrollmentCode, createOrg, listDevices, orgStats } from '../../../../server/src/store/orgs.js';
import { OutpostDb } from '../db/db.js';
import { newId, patchRecord, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { saveTrainedModel, registerModel, moveStage as moveLocal } from '../db/models.js';
import { blobState, completeBlobBytes, saveLocalBlob } from '../db/blobs.js';
import { moveStage as moveOnServer } from '../../../../server/src/store/sync.js';
import { decideProposal } from '../../../../server/src/store/registry.js';
import { adminKeyActor } from '../../../../server/src/store/people.js';
import { enroll } from './credential.js';
import { SyncEngine, KV } from './engine.js';
import type { Transport } from './transport.js';
import { sha256Hex } from '@shared/data/hash.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Run } from '@shared/schema/records.js';

// The device engine against the real server app, in-process (app.request), on a real store.
let server: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;

function transport(token?: string, faults: { dropResponse?: () => boolean } = {}): Transport {
  return {
    async request(method, path, init = {}) {
      const res = await app.request(path, {
        method,
        body: init.body as BodyInit,
        headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
      if (faults.dropResponse?.()) throw new Error('connection reset after the server answered');
      return res;
    },
  };
}

async function device(name: string) {
  const db = new OutpostDb(`${name}-${newId()}`);
  const { code } = await createEnrollmentCode(server, orgId, 1);
  const cred = await enroll(db, 'http://outpost.test', code, name, transport());
  return { db, token: cred.token, engine: new SyncEngine({ db, transport: transport(cred.token) }) };
}

const prediction = (projectId: string) => ({
  id: newId(),
  projectId,
  modelVersionId: 'mv',
  inputs: { x: 1 },
  output: { label: 'a' },
  latencyMs: 0.2,
  source: 'form' as const,
  createdAt: Date.now(),
});

function trainedRun(projectId: string): Run {
  return {
    id: newId(),
    projectId,
    datasetId: 'd',
    datasetHash: 'h',
    status: 'completed',
    epochs: [],
    backend: 'cpu',
    appVersion: 't',
    startedAt: Date.now(),
    params: {
      task: 'classification',
      target: 'y',
      features: ['x'],
      epochs: 1,
      batchSize: 1,
      learningRate: 0.1,
      hiddenLayers: [],
      validationFraction: 0.2,
      seed: 1,
    },
    pipeline: {
      version: 1,
      features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
      target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] },
    },
  };
}

/** A finished run whose model (these weight bytes) is kept on the device, ready to register. */
async function keepTrainedRun(db: OutpostDb, projectId: string, weights: ArrayBuffer) {
  const run = trainedRun(projectId);
  await putRecord(db, 'runs', run);
  const weightsHash = await sha256Hex(weights);
  await saveTrainedModel(
    db,
    run.id,
    { artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: [] }, weightsHash, weightsSize: weights.byteLength },
    weights,
  );
  return { run, weightsHash };
}

beforeAll(async () => {
  server = await openStore({});
  app = createApp({ db: server, config: { adminToken: 'x'.repeat(20), version: 't' } });
  orgId = (await createOrg(server, 'Field team')).org.id;
});
afterAll(async () => server.close());

describe('sync engine', () => {
  it('pushes offline work exactly once, empties the outbox, and a second device pulls it', async () => {
    const a = await device('a');
    const p = await createProject(a.db, 'Malaria screening');
    for (let i = 0; i < 30; i++) await putRecord(a.db, 'predictions', prediction(p.id));
    expect(await a.engine.pendingCount()).toBe(31);
    const s = await a.engine.syncOnce();
    expect(s.pushed).toBe(31);
    expect(await a.engine.pendingCount()).toBe(0);
    expect((await orgStats(server, orgId)).predictions).toBeGreaterThanOrEqual(30);
    const b = await device('b');
    await b.engine.syncOnce();
    expect((await b.db.projects.get(p.id))?.name).toBe('Malaria screening');
    expect(await b.db.predictions.count()).toBe(0); // prediction logs go up, not to other devices
  });

  it('a lost acknowledgement is re-pushed under the same batch number and applied once', async () => {
    const { db, token } = await device('lossy');
    const p = await createProject(db, 'Lossy');
    for (let i = 0; i < 5; i++) await putRecord(db, 'predictions', prediction(p.id));
    let drop = true;
    const flaky = new SyncEngine({ db, transport: transport(token, { dropResponse: () => (drop ? ((drop = false), true) : false) }) });
    await expect(flaky.push()).rejects.toThrow(/connection reset/);
    expect(await db.outbox.count()).toBe(6); // nothing removed without an acknowledgement
    const before = (await orgStats(server, orgId)).predictions ?? 0;
    const r = await flaky.push();
    expect(r.pushed).toBe(6);
    expect(await db.outbox.count()).toBe(0);
    expect((await orgStats(server, orgId)).predictions ?? 0).toBe(before); // the first try had already landed
  });

  it("keeps this device's unpushed edits when a pull brings the same record", async () => {
    const a = await device('a2');
    const b = await device('b2');
    const p = await createProject(a.db, 'Shared');
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    await putRecord(b.db, 'projects', { ...(await b.db.projects.get(p.id))!, description: 'local, not yet pushed' });
    await b.engine.pull();
    expect((await b.db.projects.get(p.id))?.description).toBe('local, not yet pushed');
    await b.engine.syncOnce();
    await a.engine.syncOnce();
    expect((await a.db.projects.get(p.id))?.description).toBe('local, not yet pushed');
  });

  it('a pull does not lay an older unpushed edit over a newer server value (it would lose on the server)', async () => {
    const a = await device('a3');
    const b = await device('b3');
    const p = await createProject(a.db, 'Shared');
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    const t = Date.now();
    await patchRecord(a.db, 'projects', p.id, { name: 'older, from a' }, t);
    await patchRecord(b.db, 'projects', p.id, { name: 'newer, from b' }, t + 1000);
    await b.engine.syncOnce();
    await a.engine.pull(); // a's edit is still pending here, e.g. written while a sync was running
    expect((await a.db.projects.get(p.id))?.name).toBe('newer, from b');
    await a.engine.syncOnce();
    await b.engine.syncOnce();
    expect((await a.db.projects.get(p.id))?.name).toBe('newer, from b');
    expect((await b.db.projects.get(p.id))?.name).toBe('newer, from b');
  });

  it('uploads model weights before the version, and another device downloads and verifies them', async () => {
    const a = await device('trainer');
    const p = await createProject(a.db, 'Models');
    const weights = new Uint8Array(600_000).map((_, i) => (i * 31) % 256).buffer;
    const { run, weightsHash } = await keepTrainedRun(a.db, p.id, weights);
    const mv = await registerModel(a.db, run, 'triage', 't', true);
    const s = await a.engine.syncOnce();
    expect(s.blobsUp).toBe(1);
    expect(s.rejected).toBe(0);
    // The device proposed it for production (it may not promote); the central team approves.
    expect((await a.db.proposals.toArray()).map((x) => [x.modelVersionId, x.status])).toEqual([[mv.id, 'pending']]);
    const [proposal] = await a.db.proposals.toArray();
    expect(
      await server.tx((q) =>
        decideProposal(q, orgId, proposal.id, true, 'looks good', adminKeyActor(), Date.now(), formatHlc({ millis: Date.now(), counter: 0, node: 'central' })),
      ),
    ).toBe('applied');
    const b = await device('field');
    const sb = await b.engine.syncOnce();
    expect(sb.blobsDown).toBe(1);
    expect((await b.db.proposals.get(proposal.id))?.status).toBe('approved');
    const blob = await completeBlobBytes(b.db, weightsHash);
    expect(blob).toBeDefined();
    expect(await sha256Hex(blob!)).toBe(weightsHash);
    expect((await b.db.model_versions.get(mv.id))?.stage).toBe('production');
    // The fleet view knows what each device still has to send and which model is active on it.
    const fleet = await listDevices(server, orgId);
    const field = fleet[fleet.length - 1]; // the device enrolled last is `b`
    expect(field.pending).toBe(0);
    expect(field.activeVersions).toEqual([{ id: mv.id, modelName: 'triage', version: 1 }]);
    expect(field.statusAt).not.toBeNull();
  });

  it("resumes a cut upload from the server's offset", async () => {
    const { db, token } = await device('cut');
    const bytes = new Uint8Array(700_000).map((_, i) => (i * 13) % 256);
    const hash = await sha256Hex(bytes);
    await saveLocalBlob(db, hash, bytes.buffer);
    let puts = 0;
    const cutting: Transport = {
      async request(method, path, init) {
        if (method === 'PUT' && ++puts === 2) throw new Error('link dropped');
        return transport(token).request(method, path, init);
      },
    };
    const engine = new SyncEngine({ db, transport: cutting });
    await expect(engine.syncOnce()).rejects.toThrow(/link dropped/);
    const offsets: number[] = [];
    const watching: Transport = {
      async request(method, path, init) {
        if (method === 'PUT') offsets.push(Number(new URL(path, 'http://x').searchParams.get('offset')));
        return transport(token).request(method, path, init);
      },
    };
    await new SyncEngine({ db, transport: watching }).syncOnce();
    expect(offsets[0]).toBeGreaterThan(0); // did not start again from zero
    expect((await blobState(db, hash))?.upload).toBe('done');
  });

  it('discards a corrupted download and never marks it complete', async () => {
    const a = await device('src');
    const p = await createProject(a.db, 'Corrupt');
    const weights = new Uint8Array(1000).fill(7).buffer;
    const { run, weightsHash } = await keepTrainedRun(a.db, p.id, weights);
    await registerModel(a.db, run, 'm', 't', false);
    await a.engine.syncOnce();
    const { db, token } = await device('victim');
    const corrupting: Transport = {
      async request(method, path, init) {
        const res = await transport(token).request(method, path, init);
        if (method === 'GET' && path === `/api/blobs/${weightsHash}`) {
          const buf = new Uint8Array(await res.arrayBuffer());
          buf[0] ^= 0xff;
          return new Response(buf, { status: res.status, headers: res.headers });
        }
        return res;
      },
    };
    await expect(new SyncEngine({ db, transport: corrupting }).syncOnce()).rejects.toMatchObject({ code: 'blob_hash_mismatch' });
    expect(await blobState(db, weightsHash)).toBeUndefined();
    await new SyncEngine({ db, transport: transport(token) }).syncOnce();
    expect((await blobState(db, weightsHash))?.state).toBe('complete');
  });

  it('records what the server refused and is not blocked by it', async () => {
    const { db, engine } = await device('bad');
    await db.outbox.add({ table: 'projects', id: 'broken', hlc: '000000000000001-0000-x', fields: { id: 'broken', name: 42 } });
    const p = await createProject(db, 'Fine');
    const s = await engine.syncOnce();
    expect(s.rejected).toBe(1);
    expect(await db.outbox.count()).toBe(0);
    expect(((await db.kv.get(KV.rejected))?.value as { id: string }[])[0].id).toBe('broken');
    expect((await orgStats(server, orgId)).projects).toBeGreaterThan(0);
    void p;
  });

  it('case 12: the central team and an offline device change the same version; central wins and the device converges', async () => {
    const a = await device('stage');
    const p = await createProject(a.db, 'Stages');
    const weights = new Uint8Array(64).fill(3).buffer;
    const { run } = await keepTrainedRun(a.db, p.id, weights);
    const mv = await registerModel(a.db, run, 'm', 't', true);
    await a.engine.syncOnce();
    await server.tx((q) =>
      moveOnServer(
        q,
        orgId,
        { id: newId(), modelVersionId: mv.id, from: 'none', to: 'production', createdAt: 0 },
        formatHlc({ millis: Date.now(), counter: 0, node: 'central' }),
        adminKeyActor(),
      ),
    );
    await a.engine.syncOnce();
    // Offline, the device archives the version; meanwhile the central team archives it too and
    // brings it back as production (a rollback), so the device's move starts from a stale state.
    await moveLocal(a.db, mv.id, 'archived');
    await server.tx((q) =>
      moveOnServer(
        q,
        orgId,
        { id: newId(), modelVersionId: mv.id, from: 'production', to: 'archived', createdAt: 0 },
        '999999999999990-0000-central',
        adminKeyActor(),
      ),
    );
    await server.tx((q) =>
      moveOnServer(
        q,
        orgId,
        { id: newId(), modelVersionId: mv.id, from: 'archived', to: 'staging', createdAt: 0 },
        '999999999999991-0000-central',
        adminKeyActor(),
      ),
    );
    const s = await a.engine.syncOnce();
    expect(s.rejected).toBe(1);
    expect((await a.db.model_versions.get(mv.id))?.stage).toBe('staging');
  });
});
