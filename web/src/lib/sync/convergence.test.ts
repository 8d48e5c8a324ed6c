// Property: over random interleavings of several devices' offline writes, syncs, lost
// acknowledgements (and the re-sends after them), devices restored from older copies of their own
// storage and the server restored from an older backup, a final sync leaves every change that was
// not lost with a copy on the server exactly once, every device holding the same projects (names and
// tombstones) and the same registry (which version is in which stage) as the server, and every
// refused change listed on its device with the reason.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createApp } from '../../../../server/src/app.js';
import { openStore, type Db } from '../../../../server/src/store/index.js';
import { createEnrollmentCode, createOrg } from '../../../../server/src/store/orgs.js';
import { newId, patchRecord, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { createHeadlessDevice, type HeadlessDevice } from './headless.js';
import { SyncEngine } from './engine.js';
import type { Transport } from './transport.js';
import { moveStage } from '../db/models.js';
import { saveLocalBlob } from '../db/blobs.js';
import { stageMoveAllowed } from '@shared/sync/stages.js';
import { sha256Hex } from '@shared/data/hash.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Stage } from '@shared/schema/records.js';
import { copyDevice, copyServer, restoreDevice, restoreServer, type DeviceCopy, type ServerCopy } from './restore.testing.js';

let server: Db;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  server = await openStore({});
  app = createApp({ db: server, config: { adminToken: 'x'.repeat(20), version: 't' } });
});
afterAll(async () => server.close());

const inProcess = (token: string | undefined, loseAnswer = () => false): Transport => ({
  async request(method, path, init = {}) {
    const res = await app.request(path, {
      method,
      body: init.body as BodyInit,
      headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    if (loseAnswer()) throw new Error('answer lost on the way back');
    return res;
  },
});

type Action =
  | { dev: number; kind: 'predict' }
  | { dev: number; kind: 'create' }
  | { dev: number; kind: 'rename'; pick: number; name: string }
  | { dev: number; kind: 'delete'; pick: number }
  | { dev: number; kind: 'sync'; lose: boolean }
  | { dev: number; kind: 'pull' }
  | { dev: number; kind: 'register' }
  | { dev: number; kind: 'stage'; pick: number; to: Stage }
  | { dev: number; kind: 'bad' }
  | { dev: number; kind: 'copy' }
  | { dev: number; kind: 'restore' }
  | { dev: number; kind: 'backup' }
  | { dev: number; kind: 'serverRestore' };

const DEVICES = 3;
// Device clocks: one right, one a day behind, one a minute ahead (within the server's drift bound).
const SKEW = [0, -86_400_000, 60_000];
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('predict' as const) }),
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('create' as const) }),
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('rename' as const), pick: fc.nat(), name: fc.constantFrom('North', 'South', 'East', 'West') }),
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('sync' as const), lose: fc.boolean() }),
  // A pull alone (no push first) leaves local edits pending while server records arrive: a write
  // made during a sync, which is what the rebase has to get right.
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('pull' as const) }),
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('register' as const) }),
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('stage' as const), pick: fc.nat(), to: fc.constantFrom<Stage>('staging', 'production', 'archived') }),
  // A change the server refuses: its reason must reach the device even if the answer is lost.
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('bad' as const) }),
  // A copy of the device's storage, and the device put back to it (a restored backup or VM snapshot).
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('copy' as const) }),
  fc.record({ dev: fc.nat(DEVICES - 1), kind: fc.constant('restore' as const) }),
  // A backup of the server's data, and the server restored from it.
  fc.record({ dev: fc.constant(0), kind: fc.constant('backup' as const) }),
  fc.record({ dev: fc.constant(0), kind: fc.constant('serverRestore' as const) }),
);

// Focused alphabets: one device put back to older copies of itself while it loses answers, and
// two devices whose server is put back to an older backup.
const restoredDeviceStep: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.constant<Action>({ dev: 0, kind: 'predict' }), weight: 2 },
  { arbitrary: fc.constant<Action>({ dev: 0, kind: 'bad' }), weight: 1 },
  { arbitrary: fc.boolean().map<Action>((lose) => ({ dev: 0, kind: 'sync', lose })), weight: 3 },
  { arbitrary: fc.constant<Action>({ dev: 0, kind: 'copy' }), weight: 2 },
  { arbitrary: fc.constant<Action>({ dev: 0, kind: 'restore' }), weight: 2 },
);
const restoredServerStep: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ dev: fc.nat(1), kind: fc.constant('predict' as const) }), weight: 2 },
  { arbitrary: fc.record({ dev: fc.nat(1), kind: fc.constant('create' as const) }), weight: 2 },
  { arbitrary: fc.record({ dev: fc.nat(1), kind: fc.constant('rename' as const), pick: fc.nat(), name: fc.constantFrom('North', 'South') }), weight: 1 },
  { arbitrary: fc.record({ dev: fc.nat(1), kind: fc.constant('sync' as const), lose: fc.boolean() }), weight: 3 },
  { arbitrary: fc.record({ dev: fc.nat(1), kind: fc.constant('pull' as const) }), weight: 1 },
  { arbitrary: fc.constant<Action>({ dev: 0, kind: 'backup' }), weight: 1 },
  { arbitrary: fc.constant<Action>({ dev: 0, kind: 'serverRestore' }), weight: 1 },
);

/** Ids of the predictions the backup holds or some device keeps (logged, or waiting to be sent). */
async function heldAfterRestore(backup: ServerCopy, devs: HeadlessDevice[]): Promise<Set<string>> {
  const held = new Set(backup.records.filter((r) => r.tbl === 'predictions').map((r) => r.id));
  for (const d of devs) {
    for (const id of await d.db.predictions.toCollection().primaryKeys()) held.add(id);
    for (const r of await d.db.outbox.filter((o) => o.table === 'predictions').toArray()) held.add(r.id);
  }
  return held;
}

/** Ids of the predictions now on the server or waiting in some device's outbox: the ones not lost. */
async function survivors(server: Db, orgId: string, devs: HeadlessDevice[]): Promise<Set<string>> {
  const held = new Set((await server.query<{ id: string }>(`select id from records where org_id = $1 and tbl = 'predictions'`, [orgId])).map((r) => r.id));
  for (const d of devs) for (const r of await d.db.outbox.filter((o) => o.table === 'predictions').toArray()) held.add(r.id);
  return held;
}

/** Ids of the refused changes a device lists or will hear about (still in its outbox). */
async function refusalsKnown(d: HeadlessDevice): Promise<Set<string>> {
  const listed = ((await d.db.kv.get('sync:rejected'))?.value as { id: string }[] | undefined) ?? [];
  const queued = await d.db.outbox.toArray();
  return new Set([...listed.map((r) => r.id), ...queued.map((r) => r.id)]);
}

async function registerVersion(d: HeadlessDevice, n: number) {
  const weights = new Uint8Array([n % 256, 1, 2]).buffer;
  const weightsHash = await sha256Hex(weights);
  await saveLocalBlob(d.db, weightsHash, weights);
  await putRecord(d.db, 'model_versions', {
    id: newId(),
    projectId: 'shared-project',
    modelName: 'm',
    version: n,
    task: 'classification',
    stage: 'none',
    schemaVersion: 1,
    appVersion: 't',
    createdAt: n,
    pipeline: {
      version: 1,
      features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
      target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] },
    },
    artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: [] },
    weightsHash,
    weightsSize: 3,
  });
}

async function registryOf(d: HeadlessDevice) {
  const all = await d.db.model_versions.toArray();
  return Object.fromEntries(all.map((v) => [v.id, v.stage]));
}

async function projectsOf(d: HeadlessDevice) {
  const all = await d.db.projects.toArray();
  return Object.fromEntries(all.map((p) => [p.id, { name: p.name, deleted: !!p.deleted }]));
}

/**
 * Play `actions` on `nDevices` fresh devices of a new organisation, sync everyone to the end, and
 * check that the server and every device agree (see the top of this file).
 */
async function playAndCheck(actions: Action[], nDevices: number) {
  const org = (await createOrg(server, 'prop')).org;
  const devs: HeadlessDevice[] = [];
  for (let i = 0; i < nDevices; i++) {
    const { code } = await createEnrollmentCode(server, org.id, 1);
    devs.push(await createHeadlessDevice({ serverUrl: 'http://outpost.test', code, name: `p${i}`, transport: (t) => inProcess(t) }));
  }
  let predicted = new Set<string>();
  const refused: Set<string>[] = devs.map(() => new Set());
  const copies: (DeviceCopy | undefined)[] = [];
  let backup: ServerCopy | undefined;
  const keepSurvivors = async () => {
    const alive = await survivors(server, org.id, devs);
    predicted = new Set([...predicted].filter((id) => alive.has(id)));
  };
  try {
    for (const a of actions) {
      const d = devs[a.dev];
      const now = Date.now() + SKEW[a.dev];
      if (a.kind === 'predict') {
        const id = newId();
        predicted.add(id);
        await putRecord(d.db, 'predictions', {
          id,
          projectId: 'p',
          modelVersionId: 'm',
          inputs: {},
          output: { value: 1 },
          latencyMs: 0,
          source: 'form',
          createdAt: 0,
        });
      } else if (a.kind === 'create') {
        await createProject(d.db, 'New');
      } else if (a.kind === 'rename' || a.kind === 'delete') {
        const local = await d.db.projects.toArray();
        if (!local.length) continue;
        const p = local[a.pick % local.length];
        await patchRecord(d.db, 'projects', p.id, a.kind === 'rename' ? { name: a.name } : { deleted: true }, now);
      } else if (a.kind === 'register') {
        await registerVersion(d, actions.indexOf(a) + 1);
      } else if (a.kind === 'stage') {
        const local = await d.db.model_versions.toArray();
        if (!local.length) continue;
        const v = local[a.pick % local.length];
        if (stageMoveAllowed(v.stage, a.to)) await moveStage(d.db, v.id, a.to, now);
      } else if (a.kind === 'pull') {
        await d.engine.pull();
      } else if (a.kind === 'bad') {
        const id = newId();
        refused[a.dev].add(id);
        await d.db.outbox.add({ table: 'projects', id, hlc: formatHlc({ millis: now, counter: 0, node: 'bad' }), fields: { id, name: 42 } });
      } else if (a.kind === 'copy') {
        copies[a.dev] = await copyDevice(d.db);
      } else if (a.kind === 'restore') {
        if (!copies[a.dev]) continue;
        await restoreDevice(d.db, copies[a.dev]!);
        // What was made on the device after the copy and not yet sent is gone with it.
        await keepSurvivors();
        const known = await refusalsKnown(d);
        refused[a.dev] = new Set([...refused[a.dev]].filter((id) => known.has(id)));
      } else if (a.kind === 'backup') {
        backup = await copyServer(server, org.id);
      } else if (a.kind === 'serverRestore') {
        if (!backup) continue;
        await restoreServer(server, org.id, backup);
        // What neither the backup nor any device holds is lost with the server's data; the rest
        // must come back. The devices come back online and each pulls: a device whose cursor is
        // past the restored server's notices (docs/sync.md says when one cannot).
        const held = await heldAfterRestore(backup, devs);
        predicted = new Set([...predicted].filter((id) => held.has(id)));
        for (const x of devs) await x.engine.pull().catch(() => {});
      } else {
        let lost = a.lose;
        const engine = new SyncEngine({
          db: d.db,
          transport: inProcess(d.credential.token, () => (lost ? ((lost = false), true) : false)),
          deviceId: d.credential.deviceId,
        });
        await engine.syncOnce().catch(() => {});
      }
    }
    // Final: everyone syncs until nothing waits, then once more to pull the last changes.
    for (const d of devs) await d.syncUntilDone();
    for (const d of devs) await d.sync();
    const rows = await server.query<{ id: string }>(`select id from records where org_id = $1 and tbl = 'predictions'`, [org.id]);
    expect(rows.length).toBe(predicted.size);
    expect(new Set(rows.map((r) => r.id))).toEqual(predicted);
    const serverProjects = Object.fromEntries(
      (
        await server.query<{ id: string; data: { name: string; deleted?: boolean } }>(`select id, data from records where org_id = $1 and tbl = 'projects'`, [
          org.id,
        ])
      ).map((r) => [r.id, { name: r.data.name, deleted: !!r.data.deleted }]),
    );
    for (const d of devs) expect(await projectsOf(d)).toEqual(serverProjects);
    // The registry: every device shows the server's stage for every version, and at most one
    // version of the project is in production.
    const serverRegistry = Object.fromEntries(
      (await server.query<{ id: string; data: { stage: string } }>(`select id, data from records where org_id = $1 and tbl = 'model_versions'`, [org.id])).map(
        (r) => [r.id, r.data.stage],
      ),
    );
    for (const d of devs) expect(await registryOf(d)).toEqual(serverRegistry);
    expect(Object.values(serverRegistry).filter((s) => s === 'production').length).toBeLessThanOrEqual(1);
    // Every refusal reached its device, lost answers and re-sends included.
    for (let i = 0; i < nDevices; i++) {
      const listed = new Set((((await devs[i].db.kv.get('sync:rejected'))?.value as { id: string }[] | undefined) ?? []).map((r) => r.id));
      for (const id of refused[i]) expect(listed.has(id)).toBe(true);
    }
  } finally {
    for (const d of devs) await d.close();
  }
}

describe('convergence', () => {
  it('every acknowledged change reaches the server exactly once and all devices converge', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 30 }), (actions) => playAndCheck(actions, DEVICES)),
      { numRuns: 50 },
    );
  });

  // Focused on a device put back to older copies of its own storage (numbering batches the server
  // has seen, with other rows) while answers are lost and changes refused.
  it('a device restored from older copies of itself, losing answers, loses nothing it still holds and hears every refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(restoredDeviceStep, { minLength: 4, maxLength: 16, size: 'max' }), (actions) => playAndCheck(actions, 1)),
      { numRuns: 60 },
    );
  });

  // Focused on the server put back to an older backup while two devices write, sync and pull.
  it('after the server is restored from an older backup, what the devices hold comes back and everyone converges', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(restoredServerStep, { minLength: 4, maxLength: 20, size: 'max' }), (actions) => playAndCheck(actions, 2)),
      { numRuns: 60 },
    );
  });

  // Focused on the race a pull has with local edits: two devices with skewed clocks rename one
  // shared project and push and pull in any order; pulls often find the device's own edit pending.
  it('renames racing pulls converge to the server, which keeps the edit with the latest stamp', async () => {
    type Step = { dev: number; kind: 'rename' | 'sync' | 'pull'; name: string };
    const step: fc.Arbitrary<Step> = fc.record({
      dev: fc.nat(1),
      kind: fc.constantFrom('rename', 'rename', 'sync', 'pull'),
      name: fc.constantFrom('North', 'South', 'East', 'West'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 14 }), async (steps) => {
        const org = (await createOrg(server, 'race')).org;
        const devs: HeadlessDevice[] = [];
        for (let i = 0; i < 2; i++) {
          const { code } = await createEnrollmentCode(server, org.id, 1);
          devs.push(await createHeadlessDevice({ serverUrl: 'http://outpost.test', code, name: `r${i}`, transport: (t) => inProcess(t) }));
        }
        try {
          const p = await createProject(devs[0].db, 'Start');
          await devs[0].sync();
          await devs[1].sync();
          for (const s of steps) {
            const d = devs[s.dev];
            if (s.kind === 'rename') await patchRecord(d.db, 'projects', p.id, { name: `${s.name}-${s.dev}` }, Date.now() + SKEW[s.dev]);
            else if (s.kind === 'pull') await d.engine.pull();
            else await d.sync();
          }
          for (const d of devs) await d.syncUntilDone();
          for (const d of devs) await d.sync();
          const [row] = await server.query<{ data: { name: string } }>(`select data from records where org_id = $1 and tbl = 'projects'`, [org.id]);
          for (const d of devs) expect((await d.db.projects.get(p.id))?.name).toBe(row.data.name);
        } finally {
          for (const d of devs) await d.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
