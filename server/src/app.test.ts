import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { PROTOCOL, PUSH_LIMITS } from '@shared/sync/protocol.js';
import { openStore, type Db } from './store/index.js';
import { createEnrollmentCode, createOrg, revokeDevice } from './store/orgs.js';
import { change, modelVersion, prediction, sha256, stamp, T0 } from './store/fixtures.js';
import { consoleSignIn, signInResponse } from './testing/console-client.js';

// The HTTP surface through app.request(): no network, the real store (PGlite in memory).
const ADMIN = 'test-admin-token-0123456789';
let db: Db;
let app: ReturnType<typeof createApp>;
let orgA: string;
let orgB: string;

async function enroll(orgId: string) {
  const { code } = await createEnrollmentCode(db, orgId, 1, T0);
  const res = await app.request('/api/enroll', {
    method: 'POST',
    body: JSON.stringify({ code, deviceName: 'phone' }),
    headers: { 'content-type': 'application/json' },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { deviceId: string; token: string; orgId: string };
}
// Devices of this app send their sync protocol version (requests without it are the first app's).
const auth = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, 'x-outpost-protocol': '2', ...extra });

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: ADMIN, version: 'test' }, now: () => T0 });
  orgA = (await createOrg(db, 'A')).org.id;
  orgB = (await createOrg(db, 'B')).org.id;
});
afterAll(async () => db.close());

describe('HTTP API', () => {
  it('GET /api/health names the store; every /api answer names the protocol version', async () => {
    const res = await app.request('/api/health');
    expect(await res.json()).toEqual({ status: 'ok', store: 'pglite', version: 'test' });
    expect(res.headers.get('x-outpost-protocol')).toBe(String(PROTOCOL.version));
    const enroll = await app.request('/api/enroll', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(enroll.headers.get('x-outpost-protocol')).toBe(String(PROTOCOL.version));
  });

  it('missing, unknown and revoked credentials get 401 with a sentence', async () => {
    expect((await app.request('/api/sync/pull')).status).toBe(401);
    expect((await app.request('/api/sync/pull', { headers: auth('opd_nope') })).status).toBe(401);
    const d = await enroll(orgA);
    expect((await app.request('/api/sync/pull', { headers: auth(d.token) })).status).toBe(200);
    await revokeDevice(db, d.deviceId);
    const res = await app.request('/api/sync/pull', { headers: auth(d.token) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'credential_revoked',
      message: expect.stringMatching(/coordinator/),
    });
  });

  it('a wrong enrollment body is a 400 that says what to send', async () => {
    const res = await app.request('/api/enroll', { method: 'POST', body: '{"code": 5}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
  });

  it('every invalid enrollment code (unknown, used, expired) gets the same status, code and sentence', async () => {
    const post = async (code: string) => {
      const res = await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'phone' }) });
      return { status: res.status, body: await res.json() };
    };
    const { code: used } = await createEnrollmentCode(db, orgA, 1, T0);
    expect((await post(used)).status).toBe(201);
    const { code: expired } = await createEnrollmentCode(db, orgA, 1, T0 - 2 * 86_400_000);
    const answers = [await post('ZZZZZ-ZZZZZ'), await post(used), await post(expired)];
    expect(answers[0]).toMatchObject({ status: 400, body: { error: { code: 'enrollment_code_invalid' } } });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('a NUL character the database cannot store is a 400 with a sentence wherever it arrives (path, body), never a 500', async () => {
    for (const path of ['/api/admin/orgs/%00/devices', '/api/admin/orgs/%00/stats', '/api/admin/devices/a%00b/revoke']) {
      const res = await app.request(path, { method: path.endsWith('revoke') ? 'POST' : 'GET', headers: auth(ADMIN) });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/cannot store/);
    }
    const { code } = await createEnrollmentCode(db, orgA, 1, T0);
    const res = await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'a\u0000b' }) });
    expect(res.status).toBe(400);
    // Nothing was spent: the code still works.
    expect((await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'ab' }) })).status).toBe(201);
  });

  it('malformed JSON is a 400 and writes nothing; oversized bodies and batches are 413', async () => {
    const d = await enroll(orgA);
    const bad = await app.request('/api/sync/push', {
      method: 'POST',
      body: '{"batchSeq": 0, "changes": [',
      headers: auth(d.token, { 'content-type': 'application/json' }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const wrongTypes = await app.request('/api/sync/push', { method: 'POST', body: '{"batchSeq": "zero", "changes": {}}', headers: auth(d.token) });
    expect(wrongTypes.status).toBe(400);
    const huge = 'x'.repeat(2 * PUSH_LIMITS.maxBytes + 100_000);
    const big = await app.request('/api/sync/push', { method: 'POST', body: huge, headers: auth(d.token, { 'content-length': String(huge.length) }) });
    expect(big.status).toBe(413);
    const many = Array.from({ length: PUSH_LIMITS.maxChanges + 1 }, (_, i) => change('predictions', `p${i}`, prediction(`p${i}`)));
    const tooMany = await app.request('/api/sync/push', { method: 'POST', body: JSON.stringify({ batchSeq: 0, changes: many }), headers: auth(d.token) });
    expect(tooMany.status).toBe(413);
    const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from records where device_id = $1`, [d.deviceId]);
    expect(n).toBe(0);
  });

  it('the organisation comes from the credential, never from the body; a device writing as another gets 403', async () => {
    const d = await enroll(orgA);
    const asOther = { batchSeq: 0, deviceId: 'someone-else', changes: [change('predictions', 'own0', prediction('own0'))] };
    expect((await app.request('/api/sync/push', { method: 'POST', body: JSON.stringify(asOther), headers: auth(d.token) })).status).toBe(403);
    const otherOrg = { batchSeq: 0, orgId: orgB, changes: [change('predictions', 'own0', prediction('own0'))] };
    expect((await app.request('/api/sync/push', { method: 'POST', body: JSON.stringify(otherOrg), headers: auth(d.token) })).status).toBe(403);
    const body = { batchSeq: 0, changes: [change('predictions', 'own1', prediction('own1'))] };
    const res = await app.request('/api/sync/push', { method: 'POST', body: JSON.stringify(body), headers: auth(d.token) });
    expect(res.status).toBe(200);
    const rows = await db.query<{ org_id: string; device_id: string }>(`select org_id, device_id from records where id = 'own1'`);
    expect(rows).toEqual([{ org_id: orgA, device_id: d.deviceId }]);
    expect(await db.query(`select 1 from records where id = 'own0'`)).toEqual([]);
  });

  it('a clock a day ahead is refused with a clear error', async () => {
    const d = await enroll(orgA);
    const res = await app.request('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({ batchSeq: 0, changes: [change('predictions', 'f1', prediction('f1'), stamp(T0 + 86_400_000))] }),
      headers: auth(d.token),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'clock_drift',
      message: expect.stringMatching(/date and time/),
    });
  });

  it('blobs: names are checked, uploads resume, downloads honour Range, other organisations get 404', async () => {
    const a = await enroll(orgA);
    const b = await enroll(orgB);
    expect((await app.request('/api/blobs/..%2F..%2Fetc%2Fpasswd/status', { headers: auth(a.token) })).status).toBe(400);
    expect((await app.request('/api/blobs/ABC/status', { headers: auth(a.token) })).status).toBe(400);
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) % 256);
    const hash = sha256(bytes);
    const put = (offset: number, part: Uint8Array) =>
      app.request(`/api/blobs/${hash}?offset=${offset}&total=${bytes.length}`, {
        method: 'PUT',
        body: part as Uint8Array<ArrayBuffer>,
        headers: auth(a.token, { 'content-type': 'application/octet-stream' }),
      });
    expect((await put(0, bytes.subarray(0, 7000))).status).toBe(200);
    const status = (await (await app.request(`/api/blobs/${hash}/status`, { headers: auth(a.token) })).json()) as { offset: number };
    expect(status.offset).toBe(7000);
    expect((await put(7000, bytes.subarray(7000))).status).toBe(200);
    const ranged = await app.request(`/api/blobs/${hash}`, { headers: auth(a.token, { range: 'bytes=9000-' }) });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe('bytes 9000-9999/10000');
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(Buffer.from(bytes.subarray(9000)));
    expect((await app.request(`/api/blobs/${hash}`, { headers: auth(b.token) })).status).toBe(404);
    expect((await app.request(`/api/blobs/${hash}/status`, { headers: auth(b.token) })).status).toBe(404);
  });

  it('the admin API needs the server admin token', async () => {
    expect((await app.request('/api/admin/orgs')).status).toBe(401);
    const res = await app.request('/api/admin/orgs', { method: 'POST', body: '{"name":"C"}', headers: auth(ADMIN) });
    expect(res.status).toBe(201);
    const org = (await res.json()) as { id: string; adminKey: string };
    const code = await app.request(`/api/admin/orgs/${org.id}/codes`, { method: 'POST', body: '{}', headers: auth(ADMIN) });
    expect(((await code.json()) as { code: string }).code).toMatch(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/);
  });

  it('the console signs in with an organisation admin key and lists its devices', async () => {
    const { org, adminKey } = await createOrg(db, 'Console org');
    const { code } = await createEnrollmentCode(db, org.id, 1, T0);
    await app.request('/api/enroll', {
      method: 'POST',
      body: JSON.stringify({ code, deviceName: 'Field tablet 7' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await (await app.request('/console')).text()).toMatch(/Sign in/);
    const bad = await signInResponse(app, 'nope');
    expect(bad.status).toBe(401);
    const login = await signInResponse(app, adminKey);
    expect(login.status).toBe(302);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/);
    const page = await (await (await consoleSignIn(app, adminKey)).get('/console')).text();
    expect(page).toContain('Field tablet 7');
    expect(page).toContain('Console org');
  });

  it('organisation admins move a model version between stages from the console, by compare-and-set', async () => {
    const { org, adminKey } = await createOrg(db, 'Central');
    const d = await enroll(org.id);
    const bytes = new Uint8Array([1, 1, 2, 3, 5]);
    await app.request(`/api/blobs/${sha256(bytes)}?offset=0&total=5`, { method: 'PUT', body: bytes, headers: auth(d.token) });
    await app.request('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({ batchSeq: 0, changes: [change('model_versions', 'cv1', modelVersion('cv1', sha256(bytes)))] }),
      headers: auth(d.token),
    });
    const admin = await consoleSignIn(app, adminKey);
    expect(await (await admin.get('/console')).text()).toContain('Move to');
    const move = (from: string, to: string) => admin.post('/console/versions/cv1/stage', { from, to });
    expect((await move('none', 'production')).status).toBe(302);
    const pulled = (await (await app.request('/api/sync/pull?cursor=0', { headers: auth(d.token) })).json()) as {
      records: { id: string; data: { stage: string } }[];
    };
    expect(pulled.records.find((r) => r.id === 'cv1')?.data.stage).toBe('production');
    const stale = await move('none', 'staging');
    expect(stale.status).toBe(409);
    expect(await stale.text()).toMatch(/now “production” on the server/);
  });

  it('gzip-compressed pushes are inflated; one that inflates past the limit is a 413', async () => {
    const d = await enroll(orgA);
    const { gzipSync } = await import('node:zlib');
    const ok = gzipSync(JSON.stringify({ batchSeq: 0, changes: [change('predictions', 'gz1', prediction('gz1'))] }));
    const res = await app.request('/api/sync/push', { method: 'POST', body: ok, headers: auth(d.token, { 'content-encoding': 'gzip' }) });
    expect(((await res.json()) as { applied: number }).applied).toBe(1);
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 32));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const big = await app.request('/api/sync/push', { method: 'POST', body: bomb, headers: auth(d.token, { 'content-encoding': 'gzip' }) });
    expect(big.status).toBe(413);
  });

  it('a device past its request budget gets 429 with Retry-After', async () => {
    const limited = createApp({ db, config: { adminToken: ADMIN, version: 'test', ratePerMinute: 5 }, now: () => T0 });
    const d = await enroll(orgA);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await limited.request('/api/sync/pull', { headers: auth(d.token) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const res = await limited.request('/api/sync/pull', { headers: auth(d.token) });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
