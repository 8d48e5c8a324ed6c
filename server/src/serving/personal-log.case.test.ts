// The server's own prediction log on both stores: a column marked personal on a dataset of the
// project is never logged as itself when a device asks the server to predict (POST
// /api/models/versions/:id/predict), the same rule as a device's log (shared/src/data/privacy.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { saltedHash } from '@shared/data/privacy.js';
import type { Prediction } from '@shared/schema/records.js';
import { createApp } from '../app.js';
import { STORES } from '../store/test-stores.js';
import type { Db } from '../store/db.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { insertAppend, lockRecords } from '../store/record-writes.js';
import { importFromArgs } from '../import-args.js';
import { T0 } from '../store/fixtures.js';

const dir = fileURLToPath(new URL('../../../models/', import.meta.url));
const FILES: Record<string, Uint8Array> = {
  'cancer.onnx': new Uint8Array(readFileSync(dir + 'breast_cancer_mlp.onnx')),
  'cancer.json': new Uint8Array(readFileSync(dir + 'breast_cancer_mlp.json')),
};
const meta = JSON.parse(readFileSync(dir + 'breast_cancer_mlp.json', 'utf8')) as { columns: string[]; labels: string[]; raw_rows: number[][] };
const CLINICS = ['Clinic Alpha', 'Clinic Beta'];
const rows: Record<string, string | number>[] = meta.raw_rows
  .slice(0, 4)
  .map((r, i) => ({ ...Object.fromEntries(meta.columns.map((c, j) => [c, r[j]])), clinic: CLINICS[i % 2] }));
const SALT = 'abcdef0123456789abcdef0123456789';

describe.each(STORES)('the server’s prediction log and personal columns: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let app: ReturnType<typeof createApp>;
  let orgId: string;
  let token: string;

  beforeAll(async () => {
    db = await factory.open();
    app = createApp({
      db,
      config: { adminToken: 'personal-admin-token-0123456789', version: 'test', failuresPerSource: 1e6, failuresPerTarget: 1e6 },
      now: () => T0,
    });
    orgId = (await createOrg(db, 'Clinic')).org.id;
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    token = ((await (await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'phone' }) })).json()) as { token: string })
      .token;
  });
  afterAll(async () => db?.drop());

  const predict = (id: string) =>
    app.request(`/api/models/versions/${id}/predict`, {
      method: 'POST',
      body: JSON.stringify({ rows }),
      headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL.version), 'content-type': 'application/json' },
    });
  const logged = async (id: string) =>
    (
      await db.query<{ data: Prediction }>(`select data from records where org_id = $1 and tbl = 'predictions' and data->>'modelVersionId' = $2 order by seq`, [
        orgId,
        id,
      ])
    ).map((r) => r.data);
  const patchProject = (projectId: string, patch: object) =>
    db.query(`update records set data = data || $3::jsonb where org_id = $1 and tbl = 'projects' and id = $2`, [orgId, projectId, JSON.stringify(patch)]);

  it('logs a never column as null and a hash column (input or fairness attribute) as the project salt’s hash, for an imported model', async () => {
    const v = await importFromArgs(
      db,
      [orgId, 'cancer.onnx', '--name', 'Breast cancer', '--columns-from', 'cancer.json', '--labels', meta.labels.join(',')],
      { now: T0, appVersion: 'test' },
      (p) => FILES[p],
    );
    await patchProject(v.projectId, { fairness: { attribute: 'clinic', privileged: CLINICS[0], favourable: meta.labels[0] } });
    // Before anything is marked, the log keeps the values as sent.
    expect((await predict(v.id)).status).toBe(200);
    expect((await logged(v.id))[0].inputs['mean radius']).toBe(rows[0]['mean radius']);

    const [device] = await db.query<{ id: string }>(`select id from devices where org_id = $1`, [orgId]);
    const dataset = {
      id: '01900000-0000-7000-8000-00000000d001',
      projectId: v.projectId,
      name: 'visits',
      fileName: 'visits.csv',
      hash: '0'.repeat(64),
      rowCount: 0,
      columns: [],
      createdAt: T0,
      personal: { 'mean radius': 'never', 'mean texture': 'hash', clinic: 'hash' },
    };
    await db.tx(async (q) =>
      insertAppend(q, await lockRecords(q, orgId), { id: device.id, orgId }, [{ table: 'datasets', id: dataset.id, hlc: 'x', fields: dataset }]),
    );

    // No salt on the server yet: a hash column is logged as null, never as itself.
    const before = (await logged(v.id)).length;
    expect((await predict(v.id)).status).toBe(200);
    const unsalted = (await logged(v.id)).slice(before);
    expect(unsalted.map((p) => [p.inputs['mean radius'], p.inputs['mean texture'], p.attributes?.clinic])).toEqual(rows.map(() => [null, null, null]));

    await patchProject(v.projectId, { rowSalt: SALT });
    const n = (await logged(v.id)).length;
    expect((await predict(v.id)).status).toBe(200);
    const log = (await logged(v.id)).slice(n);
    expect(log).toHaveLength(rows.length);
    for (const [i, p] of log.entries()) {
      expect(p.inputs['mean radius']).toBeNull();
      expect(p.inputs['mean texture']).toBe(await saltedHash(SALT, rows[i]['mean texture']));
      expect(p.attributes).toEqual({ clinic: await saltedHash(SALT, rows[i].clinic) });
      expect(p.inputs['mean area']).toBe(rows[i]['mean area']);
    }
    const text = JSON.stringify(log);
    for (const c of CLINICS) expect(text).not.toContain(c);
  });
});
