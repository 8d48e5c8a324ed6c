// Deployments through app.request(): a person who may promote changes one from a device, devices
// pull it, the server answers rows as it says (each key on the arm the shared canaryArm gives,
// every run logged with the deployment it followed), and the canary rules act when a monitor
// upload arrives: rolled back when the challenger fails, moved on when its rule is met.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PERSON_HEADER, PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import type { Deployment, DeploymentEvent, DeploymentState } from '@shared/schema/deployment.js';
import type { ModelVersion, Prediction } from '@shared/schema/records.js';
import { canaryArm } from '@shared/deploy/assign.js';
import { addPrediction, emptySummary } from '@shared/monitor/summary.js';
import { predictionOf } from '@shared/monitor/model.testing.js';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { createPerson, createPersonSession } from '../store/people.js';
import { importFromArgs } from '../import-args.js';
import { T0 } from '../store/fixtures.js';

const dir = fileURLToPath(new URL('../../../models/', import.meta.url));
const FILES: Record<string, Uint8Array> = {
  'cancer.onnx': new Uint8Array(readFileSync(dir + 'breast_cancer_mlp.onnx')),
  'cancer.json': new Uint8Array(readFileSync(dir + 'breast_cancer_mlp.json')),
};
const meta = JSON.parse(readFileSync(dir + 'breast_cancer_mlp.json', 'utf8')) as { columns: string[]; labels: string[]; raw_rows: number[][] };
const rows = meta.raw_rows.map((r) => Object.fromEntries(meta.columns.map((c, i) => [c, r[i]])));

let db: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;
let clock = T0;
const device = { id: '', token: '' };
let lead = '';
let field = '';

async function enroll(name: string) {
  const { code } = await createEnrollmentCode(db, orgId, 1, T0);
  const res = await app.request('/api/enroll', {
    method: 'POST',
    body: JSON.stringify({ code, deviceName: name }),
    headers: { 'content-type': 'application/json' },
  });
  const d = (await res.json()) as { deviceId: string; token: string };
  return { id: d.deviceId, token: d.token };
}
const call = (method: string, path: string, body?: unknown, person?: string) =>
  app.request(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    headers: {
      authorization: `Bearer ${device.token}`,
      [PROTOCOL_HEADER]: String(PROTOCOL.version),
      'content-type': 'application/json',
      ...(person ? { [PERSON_HEADER]: person } : {}),
    },
  });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

/** Two versions of one model in a project of their own (imported on the server, stage none). */
async function pair(name: string): Promise<[ModelVersion, ModelVersion]> {
  const args = [orgId, 'cancer.onnx', '--name', name, '--columns-from', 'cancer.json', '--labels', meta.labels.join(',')];
  const read = (p: string) => FILES[p];
  const a = await importFromArgs(db, args, { now: T0, appVersion: 'test' }, read);
  const b = await importFromArgs(db, args, { now: T0, appVersion: 'test' }, read);
  return [a, b];
}
const canary = (champion: string, challenger: string, extra: Partial<NonNullable<DeploymentState['canary']>> = {}): DeploymentState => ({
  mode: 'canary',
  champion,
  challenger,
  level: 'full',
  canary: { keyColumn: 'patient', ramp: [0.5, 1], step: 0, advance: null, rollbackOn: ['errorRate'], stepSince: T0, ...extra },
});
const deploymentOf = async (projectId: string) =>
  (await (await call('GET', `/api/deployments/${projectId}`)).json()) as { deployment: Deployment | null; events: DeploymentEvent[] };
/** A day of monitor counts of `v`, `failed` of its `n` predictions failing. */
function day(v: ModelVersion, n: number, failed: number) {
  const s = emptySummary(v, new Date(clock).toISOString().slice(0, 10));
  for (let i = 0; i < n; i++)
    addPrediction(s, v, predictionOf(v, { createdAt: clock, inputs: rows[i % rows.length], ...(i < failed ? { error: 'boom' } : {}) }));
  return s;
}
const upload = (days: unknown[]) => call('POST', '/api/sync/monitors', { days, verdicts: [] });

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'x'.repeat(20), version: 't', failuresPerSource: 1e6, failuresPerTarget: 1e6 }, now: () => clock });
  orgId = (await createOrg(db, 'Deploy')).org.id;
  Object.assign(device, await enroll('ward'));
  const ada = await createPerson(db, orgId, 'Ada', 'ml_lead');
  lead = (await createPersonSession(db, ada.person, device.id, T0)).token;
  const femi = await createPerson(db, orgId, 'Femi', 'field');
  field = (await createPersonSession(db, femi.person, device.id, T0)).token;
});
afterAll(async () => db.close());

describe('deployments over the API', () => {
  let v1: ModelVersion;
  let v2: ModelVersion;
  let projectId: string;

  it('only a person who may promote changes one; devices read it, its history, and pull it', async () => {
    [v1, v2] = await pair('Cancer');
    projectId = v1.projectId;
    expect(await deploymentOf(projectId)).toEqual({ deployment: null, events: [] });
    const body = { expectedRevision: 0, state: canary(v1.id, v2.id), why: 'try the new one on half' };
    expect((await call('PUT', `/api/deployments/${projectId}`, body)).status).toBe(401);
    const refused = await call('PUT', `/api/deployments/${projectId}`, body, field);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toBe('Only an ML lead or an admin can change a deployment.');
    const bad = await call('PUT', `/api/deployments/${projectId}`, { ...body, state: { mode: 'sideways' } }, lead);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/^The deployment was not changed: /);
    const ok = await call('PUT', `/api/deployments/${projectId}`, body, lead);
    expect(ok.status).toBe(200);
    const { deployment } = (await ok.json()) as { deployment: Deployment };
    expect(deployment).toMatchObject({ revision: 1, changedBy: { name: 'Ada', role: 'ml_lead' }, state: canary(v1.id, v2.id) });
    const read = await deploymentOf(projectId);
    expect(read.deployment).toEqual(deployment);
    expect(read.events.map((e) => e.kind)).toEqual(['changed']);
    // A stale revision is a 409 naming who changed it; a button that does not apply is a 400.
    const stale = await call('PUT', `/api/deployments/${projectId}`, body, lead);
    expect(stale.status).toBe(409);
    expect((await errorOf(stale)).message).toMatch(/^Someone else changed this deployment first \(now revision 1, by Ada: try the new one on half\)/);
    const sw = await call('POST', `/api/deployments/${projectId}/switch`, { expectedRevision: 1, why: '' }, lead);
    expect(sw.status).toBe(400);
    expect((await errorOf(sw)).message).toBe('Only a blue-green deployment switches between its two versions.');
    const pulled = (await (await call('GET', '/api/sync/pull?cursor=0&limit=1000')).json()) as { records: { table: string; id: string; data: unknown }[] };
    expect(pulled.records.find((r) => r.table === 'deployments')).toEqual(expect.objectContaining({ id: projectId, data: deployment }));
    expect(pulled.records.some((r) => r.table === 'deployment_events')).toBe(false);
    // A device cannot write a deployment itself.
    const push = await call('POST', '/api/sync/push', {
      batchSeq: 1,
      changes: [{ table: 'deployments', id: projectId, hlc: '001764000000000-0000-dev', fields: { ...deployment, revision: 9 } }],
    });
    expect(((await push.json()) as { rejected: { code: string }[] }).rejected).toEqual([expect.objectContaining({ code: 'forbidden' })]);
  });

  it('the server answers each row on the arm the shared canaryArm gives, and logs every run with the deployment it followed', async () => {
    const keyed = rows.map((r, i) => ({ ...r, patient: `pt-${i}` }));
    const body = [...keyed, rows[0]];
    const res = await call('POST', `/api/projects/${projectId}/predict`, { rows: body });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      revision: number;
      cases: {
        caseId: string;
        arm: string;
        versionId: string;
        output: { label?: string } | null;
        personDecides: boolean;
        keyMissing: boolean;
        predictionIds: string[];
      }[];
    };
    expect(answer.revision).toBe(1);
    const { deployment } = await deploymentOf(projectId);
    const want = await Promise.all(body.map((r) => canaryArm(projectId, deployment!.state, r)));
    expect(answer.cases.map((c) => c.arm)).toEqual(want.map((w) => w.arm));
    expect(answer.cases.map((c) => c.keyMissing)).toEqual(want.map((w) => w.keyMissing));
    expect(new Set(want.map((w) => w.arm))).toEqual(new Set(['champion', 'challenger']));
    expect(answer.cases.at(-1)).toMatchObject({ arm: 'champion', keyMissing: true });
    for (const c of answer.cases) {
      expect(c.versionId).toBe(c.arm === 'champion' ? v1.id : v2.id);
      expect(c.output?.label).toMatch(new RegExp(`^(${meta.labels.join('|')})$`));
      expect(c.personDecides).toBe(false);
      expect(c.predictionIds).toHaveLength(1);
    }
    const logged = (
      await db.query<{ data: Prediction }>(`select data from records where org_id = $1 and tbl = 'predictions' and data->>'projectId' = $2`, [orgId, projectId])
    ).map((r) => r.data);
    expect(logged).toHaveLength(body.length);
    for (const c of answer.cases) {
      const p = logged.find((x) => x.id === c.predictionIds[0])!;
      expect(p).toMatchObject({
        source: 'server',
        modelVersionId: c.versionId,
        deployment: { revision: 1, mode: 'canary', level: 'full', arm: c.arm, caseId: c.caseId, shown: true },
      });
      expect(!!p.deployment!.keyMissing).toBe(c.keyMissing);
    }
    const none = await call('POST', `/api/projects/no-such-project/predict`, { rows: [rows[0]] });
    expect(none.status).toBe(404);
    expect((await errorOf(none)).message).toMatch(/no deployment yet.*POST \/api\/models\/versions\/\{id\}\/predict/);
  });

  it('rolls a canary back when a monitor upload puts the challenger’s failures in alert, with the reason in the history', async () => {
    // The champion failing changes nothing: only the challenger's monitors count.
    expect((await upload([day(v1, 40, 20)])).status).toBe(200);
    expect((await deploymentOf(projectId)).deployment!.revision).toBe(1);
    expect((await upload([day(v2, 40, 10)])).status).toBe(200);
    const { deployment, events } = await deploymentOf(projectId);
    expect(deployment).toMatchObject({
      revision: 2,
      state: { mode: 'single', champion: v1.id, challenger: null },
      changedBy: { kind: 'server', name: 'Outpost server' },
    });
    expect(events[0]).toMatchObject({ kind: 'rolled_back', revision: 2, actor: { kind: 'server' }, before: { mode: 'canary' }, after: { mode: 'single' } });
    expect(events[0].why).toMatch(/^Rolled back automatically: failures is in alert for the new version \(10 of 40 predictions failed\.\)/);
    expect(deployment!.why).toBe(events[0].why);
    // The rules are safe to run again: nothing more happens.
    await upload([day(v2, 40, 10)]);
    expect((await deploymentOf(projectId)).deployment!.revision).toBe(2);
  });

  it('moves a canary to its next step once its rule is met: enough answers and hours, no alert', async () => {
    const [a, b] = await pair('Cancer rule');
    const state = canary(a.id, b.id, { advance: { minPredictions: 3, minHours: 1 } });
    expect((await call('PUT', `/api/deployments/${a.projectId}`, { expectedRevision: 0, state, why: 'ramp by rule' }, lead)).status).toBe(200);
    const keyed = rows.map((r, i) => ({ ...r, patient: `rule-${i}` }));
    const arms = await Promise.all(keyed.map((r) => canaryArm(a.projectId, state, r)));
    expect(arms.filter((x) => x.arm === 'challenger').length).toBeGreaterThanOrEqual(3);
    expect((await call('POST', `/api/projects/${a.projectId}/predict`, { rows: keyed })).status).toBe(200);
    clock = T0 + 30 * 60_000;
    await upload([day(b, 20, 0)]);
    expect((await deploymentOf(a.projectId)).deployment!.revision).toBe(1);
    clock = T0 + 2 * 3_600_000;
    await upload([day(b, 20, 0)]);
    const { deployment, events } = await deploymentOf(a.projectId);
    expect(deployment).toMatchObject({ revision: 2, state: { mode: 'canary', canary: { step: 1, stepSince: clock } } });
    expect(events[0]).toMatchObject({ kind: 'advanced', actor: { name: 'Outpost server' } });
    expect(events[0].why).toMatch(/^Moved to the next step automatically: the new version answered \d+ cases in 2 hours/);
    // At the last step there is nothing further; a person can still roll it back by its button.
    await upload([day(b, 20, 0)]);
    expect((await deploymentOf(a.projectId)).deployment!.revision).toBe(2);
    const back = await call('POST', `/api/deployments/${a.projectId}/rollback`, { expectedRevision: 2, why: 'enough for today' }, lead);
    expect(back.status).toBe(200);
    expect(((await back.json()) as { deployment: Deployment }).deployment).toMatchObject({ revision: 3, state: { mode: 'single', champion: a.id } });
    expect((await deploymentOf(a.projectId)).events[0]).toMatchObject({ kind: 'rolled_back', why: 'enough for today', actor: { name: 'Ada' } });
    clock = T0;
  });
});
