// API fuzzing and organisation isolation: random and malformed bodies on every route give a 4xx
// with a sentence, never a 5xx and never a partial write; nothing of one organisation is visible to
// another through any route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createApp } from './app.js';
import { openStore, type Db } from './store/index.js';
import { createEnrollmentCode, createOrg } from './store/orgs.js';
import { change, prediction, project, sha256, T0 } from './store/fixtures.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let tokenA: string;
let tokenB: string;
const ADMIN = 'fuzz-admin-token-0123456789';

async function enroll(orgId: string) {
  const { code } = await createEnrollmentCode(db, orgId, 1, T0);
  const res = await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'd' }) });
  return ((await res.json()) as { token: string }).token;
}
const count = async () => (await db.query<{ n: number }>(`select count(*)::int as n from records`))[0].n;

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: ADMIN, version: 't' }, now: () => T0 });
  tokenA = await enroll((await createOrg(db, 'A')).org.id);
  tokenB = await enroll((await createOrg(db, 'B')).org.id);
});
afterAll(async () => db.close());

const ROUTES: { method: string; path: string; auth?: 'device' | 'admin' }[] = [
  { method: 'POST', path: '/api/enroll' },
  { method: 'POST', path: '/api/sync/push', auth: 'device' },
  { method: 'GET', path: '/api/sync/pull?cursor=', auth: 'device' },
  { method: 'PUT', path: `/api/blobs/${'a'.repeat(64)}?offset=0&total=`, auth: 'device' },
  { method: 'GET', path: '/api/blobs/', auth: 'device' },
  { method: 'POST', path: '/api/admin/orgs', auth: 'admin' },
  { method: 'POST', path: '/api/admin/orgs/x/codes', auth: 'admin' },
  { method: 'POST', path: '/console/login' },
];

describe('API fuzzing', () => {
  it('random bodies and query values on every route: a 4xx with a message, never a 5xx, nothing written', async () => {
    const before = await count();
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ batchSeq: fc.anything(), changes: fc.anything() }).map((v) => JSON.stringify(v)),
      fc.record({ code: fc.anything(), deviceName: fc.anything() }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), body, fc.string({ maxLength: 20 }), async (route, b, suffix) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (route.auth === 'device') headers.authorization = `Bearer ${tokenA}`;
        if (route.auth === 'admin') headers.authorization = `Bearer ${ADMIN}`;
        const res = await app.request(route.path + encodeURIComponent(suffix), { method: route.method, body: route.method === 'GET' ? undefined : b, headers });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
          const err = (await res.json()) as { error: { code: string; message: string } };
          expect(err.error.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 300 },
    );
    // Valid-looking pushes with a bad batchSeq or junk changes may apply nothing; nothing else wrote.
    expect(await count()).toBe(before);
  });

  it('a push of random changes applies only the valid ones and rejects the rest with reasons', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.anything(), fc.record({ table: fc.string(), id: fc.string(), hlc: fc.string(), fields: fc.object() })), { maxLength: 20 }),
        async (junk) => {
          const before = await count();
          const res = await app.request('/api/sync/push', {
            method: 'POST',
            body: JSON.stringify({ batchSeq: Date.now() + Math.floor(Math.random() * 1e6), changes: junk }),
            headers: { authorization: `Bearer ${tokenA}` },
          });
          expect(res.status).toBe(200);
          const r = (await res.json()) as { applied: number; rejected: unknown[] };
          expect(r.applied + r.rejected.length).toBeLessThanOrEqual(junk.length);
          expect(await count()).toBe(before + r.applied);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('organisation isolation', () => {
  it('records and blobs of one organisation are invisible to another on every route', async () => {
    const bytes = new Uint8Array([5, 4, 3, 2, 1]);
    const hash = sha256(bytes);
    await app.request(`/api/blobs/${hash}?offset=0&total=5`, { method: 'PUT', body: bytes, headers: { authorization: `Bearer ${tokenA}` } });
    await app.request('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({
        batchSeq: 9e15,
        changes: [change('projects', 'secret-project', project('secret-project', 'Secret')), change('predictions', 'secret-pred', prediction('secret-pred'))],
      }),
      headers: { authorization: `Bearer ${tokenA}` },
    });
    const asB = (path: string, init: RequestInit = {}) =>
      app.request(path, { ...init, headers: { authorization: `Bearer ${tokenB}`, ...(init.headers ?? {}) } });
    const pulled = (await (await asB('/api/sync/pull?cursor=0&limit=1000')).json()) as { records: { id: string }[] };
    expect(pulled.records.map((r) => r.id)).not.toContain('secret-project');
    expect((await asB(`/api/blobs/${hash}`)).status).toBe(404);
    expect((await asB(`/api/blobs/${hash}/status`)).status).toBe(404);
    expect((await asB(`/api/blobs/${hash}`, { headers: { range: 'bytes=0-' } })).status).toBe(404);
    // B writing a record with A's id creates B's own record; A's stays as it was.
    await asB('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({ batchSeq: 0, changes: [change('projects', 'secret-project', project('secret-project', 'Hijack'), '999999999999999-0000-x')] }),
    });
    const aView = (await (await app.request('/api/sync/pull?cursor=0&limit=1000', { headers: { authorization: `Bearer ${tokenA}` } })).json()) as {
      records: { id: string; data: { name: string } }[];
    };
    expect(aView.records.find((r) => r.id === 'secret-project')?.data.name).toBe('Secret');
  });
});
