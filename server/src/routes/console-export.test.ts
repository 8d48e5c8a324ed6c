// The console's export of a model version: one zip built from the stored record and its blob, for
// a signed-in session of the version's own organisation only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { readBundle } from '@shared/registry/bundle.js';
import { binaryVersion } from '@shared/registry/bundle.testing.js';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createOrg } from '../store/orgs.js';
import { putChunk } from '../store/blobs.js';
import { T0, insertRecord, project, sha256 } from '../store/fixtures.js';
import { consoleSignIn } from '../testing/console-client.js';

const ADMIN = 'console-admin-token-0123456789';
const onnx = new Uint8Array(readFileSync(new URL('../../../models/breast_cancer_mlp.onnx', import.meta.url)));
let db: Db;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: ADMIN, version: 't' }, now: () => T0 });
});
afterAll(async () => db.close());

describe('console export of a model version', () => {
  it('a signed-in session downloads <model>-v<version>.zip: the stored record, its weights and the model card with the project', async () => {
    const { org, adminKey } = await createOrg(db, 'Export');
    const version = binaryVersion(sha256(onnx), onnx.length, { id: 'mv-export', modelName: 'triage north' });
    await putChunk(db, org.id, version.weightsHash, 0, onnx.length, onnx);
    await insertRecord(db, org.id, 'projects', version.projectId, { ...project(version.projectId, 'North clinic'), description: 'Who sees the doctor first' });
    await insertRecord(db, org.id, 'model_versions', version.id, version);
    const admin = await consoleSignIn(app, adminKey);

    const page = await (await admin.get('/console/versions/mv-export')).text();
    expect(page).toContain('href="/console/versions/mv-export/export.zip"');
    const res = await admin.get('/console/versions/mv-export/export.zip');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="triage_north-v3.zip"');
    const zip = new Uint8Array(await res.arrayBuffer());
    const back = await readBundle(zip);
    expect(back.version).toEqual(version);
    expect(back.weights).toEqual(onnx);
    expect(back.project).toEqual({ name: 'North clinic', description: 'Who sees the doctor first' });
    expect(strFromU8(unzipSync(zip)['model-card.html'])).toContain('Who sees the doctor first');
  });

  it('refuses without a session, for another organisation, without the weights, and for a record that is not valid', async () => {
    const { org, adminKey } = await createOrg(db, 'Owner');
    const other = await consoleSignIn(app, (await createOrg(db, 'Other')).adminKey);
    const version = binaryVersion(sha256(onnx), onnx.length, { id: 'mv-owned' });
    await putChunk(db, org.id, version.weightsHash, 0, onnx.length, onnx);
    await insertRecord(db, org.id, 'model_versions', version.id, version);
    await insertRecord(db, org.id, 'model_versions', 'mv-no-weights', { ...version, id: 'mv-no-weights', weightsHash: 'e'.repeat(64) });
    await insertRecord(db, org.id, 'model_versions', 'mv-odd', { ...version, id: 'mv-odd', stage: '__proto__' });
    const owner = await consoleSignIn(app, adminKey);

    const signedOut = await app.request('/console/versions/mv-owned/export.zip');
    expect(signedOut.headers.get('content-type')).not.toBe('application/zip');
    expect(await signedOut.text()).toContain('Sign in first.');
    const theirs = await other.get('/console/versions/mv-owned/export.zip');
    expect(theirs.status).toBe(404);
    expect(await theirs.text()).toContain('That model version is not on the server.');
    const noWeights = await owner.get('/console/versions/mv-no-weights/export.zip');
    expect(noWeights.status).toBe(404);
    expect(await noWeights.text()).toContain('The weights of this version are not on the server yet');
    const odd = await owner.get('/console/versions/mv-odd/export.zip');
    expect(odd.status).toBe(422);
    expect((await owner.get('/console/versions/mv-owned/export.zip')).status).toBe(200);
  });
});
