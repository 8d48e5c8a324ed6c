// A fleet of headless devices (the app's own database and sync engine) against the real server
// in-process, through a link that drops requests on the way out and answers on the way back. The
// central team changes a project's deployment several times while devices are offline or half
// connected; every device converges on the newest revision, and none ever applies an older one
// after a newer one (docs/deployments.md).
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, Project } from '@shared/schema/records.js';
import type { Deployment, DeploymentState } from '@shared/schema/deployment.js';
import type { Actor } from '@shared/schema/registry.js';
import { binaryModel, modelVersionOf } from '@shared/monitor/model.testing.js';
import { mulberry32 } from '@shared/data/random.js';
import { sha256Hex } from '@shared/data/hash.js';
import { formatHlc } from '@shared/sync/hlc.js';
import { changeDeployment, deploymentDevices, readDeployment } from '../../../../server/src/store/deployments.js';
import { saveLocalBlob } from '../db/blobs.js';
import { newId, putRecord } from '../db/mutate.js';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';
import { createHeadlessDevice, type HeadlessDevice } from './headless.js';
import { createEnrollmentCode } from '../../../../server/src/store/orgs.js';
import type { Transport } from './transport.js';

const T0 = Date.UTC(2026, 11, 1, 8);
const lead: Actor = { kind: 'person', id: 'lead', name: 'Ada', role: 'ml_lead' };
const project: Project = { id: 'rollout-project', name: 'Roll-out clinic', description: '', createdAt: T0 };
let srv: InProcessServer;
let author: HeadlessDevice;
const fleet: HeadlessDevice[] = [];
const versions: ModelVersion[] = [];
const rng = mulberry32(2026);

/** A link that loses a share of requests before the server sees them, and of answers after it committed. */
function flaky(inner: Transport, lossOut: number, lossBack: number): Transport {
  return {
    async request(method, path, init) {
      if (rng() < lossOut) throw new Error('request lost on the way out');
      const res = await inner.request(method, path, init);
      if (rng() < lossBack) throw new Error('answer lost on the way back');
      return res;
    },
  };
}

beforeAll(async () => {
  srv = await inProcessServer('Roll-out');
  author = await srv.newDevice('author');
  await putRecord(author.db, 'projects', project);
  for (let v = 1; v <= 3; v++) {
    const weights = new Uint8Array([v, 2, 3, 4, 5]);
    const hash = await sha256Hex(weights);
    await saveLocalBlob(author.db, hash, weights.slice().buffer);
    const mv = modelVersionOf(
      { ...binaryModel, id: newId(), projectId: project.id },
      { version: v, weightsHash: hash, weightsSize: weights.length, reference: undefined, stage: 'none', createdAt: T0 + v },
    );
    await putRecord(author.db, 'model_versions', mv);
    versions.push(mv);
  }
  await author.syncUntilDone();
  for (let i = 0; i < 6; i++) {
    const { code } = await createEnrollmentCode(srv.db, srv.orgId, 1);
    fleet.push(
      await createHeadlessDevice({
        serverUrl: 'http://outpost.test',
        code,
        name: `field-${i}`,
        transport: (t) => (t ? flaky(srv.transport(t), 0.25, 0.2) : srv.transport()),
      }),
    );
  }
}, 60_000);
afterAll(async () => {
  for (const d of [author, ...fleet]) await d.close();
  await srv.close();
});

async function change(state: DeploymentState, why: string, force = false): Promise<Deployment> {
  const current = await readDeployment(srv.db, srv.orgId, project.id);
  const out = await srv.db.tx((q) =>
    changeDeployment(
      q,
      srv.orgId,
      project.id,
      { expectedRevision: current?.revision ?? 0, state, why, force },
      lead,
      T0 + 1000,
      formatHlc({ millis: Date.now(), counter: 0, node: 'server' }),
      'changed',
    ),
  );
  if (!('deployment' in out)) throw new Error(`${out.code}: ${out.message}`);
  return out.deployment;
}

const held = async (d: HeadlessDevice) => (await d.db.table('deployments').get(project.id)) as Deployment | undefined;

describe('a fleet following a deployment through faults', () => {
  it('converges on the newest revision, never applying an older one after a newer', async () => {
    const [v1, v2, v3] = versions.map((v) => v.id);
    const plans: [DeploymentState, string][] = [
      [{ mode: 'shadow', champion: v1, challenger: v2, level: 'assist' }, 'try version 2 quietly'],
      [
        {
          mode: 'canary',
          champion: v1,
          challenger: v2,
          level: 'full',
          canary: { keyColumn: 'patient', ramp: [0.05, 0.25, 0.5, 1], step: 0, advance: null, rollbackOn: ['errorRate'], stepSince: T0 },
        },
        'a few patients',
      ],
      [{ mode: 'blue_green', champion: v1, challenger: v3, level: 'partial', confidence: 0.8 }, 'version 3 instead, kept ready'],
      [{ mode: 'blue_green', champion: v3, challenger: v1, level: 'partial', confidence: 0.8 }, 'switch to version 3'],
    ];
    const seen = new Map<HeadlessDevice, number>();
    let newest: Deployment | undefined;
    for (const [round, [state, why]] of plans.entries()) {
      newest = await change(state, why, true);
      expect(newest.revision).toBe(round + 1);
      // Some devices are out of reach this round; the others try once or twice over the lossy link.
      for (const d of fleet) {
        if (rng() < 0.4) continue;
        for (let attempt = 0; attempt < 1 + Math.floor(rng() * 2); attempt++) {
          try {
            await d.sync();
          } catch {
            // A lost request or answer: the next sync repeats it.
          }
          const rev = (await held(d))?.revision ?? 0;
          expect(rev).toBeGreaterThanOrEqual(seen.get(d) ?? 0);
          expect(rev).toBeLessThanOrEqual(newest.revision);
          seen.set(d, rev);
        }
      }
    }
    // Everyone reconnects in the end (still through the lossy link).
    for (const d of fleet) {
      for (let attempt = 0; attempt < 60 && ((await held(d))?.revision !== newest!.revision || (await d.engine.pendingCount()) > 0); attempt++) {
        try {
          await d.sync();
        } catch {
          // retried
        }
        const rev = (await held(d))?.revision ?? 0;
        expect(rev).toBeGreaterThanOrEqual(seen.get(d) ?? 0);
        seen.set(d, rev);
      }
      expect(await held(d)).toEqual(newest);
    }
    // Each device then reported the revision it follows, with the version it answers with.
    for (const d of fleet) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const mine = (await deploymentDevices(srv.db, srv.orgId, project.id)).find((x) => x.id === d.credential.deviceId);
        if (mine?.revision === newest!.revision) break;
        await d.sync().catch(() => {});
      }
    }
    const reported = await deploymentDevices(srv.db, srv.orgId, project.id);
    for (const d of fleet)
      expect(reported.find((x) => x.id === d.credential.deviceId)).toMatchObject({ revision: newest!.revision, serving: v3, behind: false });
  }, 120_000);
});
