// Route fuzzing and organisation isolation. Every route gets FUZZ_RUNS (default 2,000) random and
// malformed requests: bodies, headers (content type and encoding, length lies, credentials, range,
// cookie and origin junk) and query strings, with valid credentials half of the time so that the
// checks behind authentication are reached too. Never a 5xx; memory stays bounded; the server is
// healthy afterwards; nothing of one organisation is visible to another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { join } from 'node:path';
import { createApp } from './app.js';
import { OPERATIONS } from './openapi.js';
import { openStore, type Db } from './store/index.js';
import { createEnrollmentCode, createOrg } from './store/orgs.js';
import { createConsoleSession } from './store/sessions.js';
import { formToken } from './middleware/csrf.js';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { change, modelVersion, prediction, project, sha256, T0 } from './store/fixtures.js';
import { body, headers, segment, withQuery, type FuzzKeys, type FuzzRoute } from './testing/fuzz-requests.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const ADMIN = 'fuzz-admin-token-0123456789';
const ORIGIN = 'http://localhost';
// Memory. What the run leaves behind is the JavaScript heap plus external memory (Buffers and
// PGlite's WebAssembly heap), measured after full garbage collections (and the pauses in which
// freed buffers are swept) at the start and end of the run. It must stay under RETAINED_BOUND:
// the store keeps what the fuzzer writes (thousands of sessions, codes and organisations; PGlite's
// heap only grows), a few MB for a default run and under 30 MB for 8,000 runs per route, while a
// leak of each request's body or answer (a few KB each, 40,000 requests) would be hundreds of MB.
// The resident size (rss), sampled through the run, must stay under PEAK_BOUND above where it
// started: garbage between collections comes and goes, but no request may make the server hold
// much more than its largest body limits (4 MB pushes, inflated to 4 MB more), whatever it sends.
const RETAINED_BOUND = 96 * 1024 * 1024;
const PEAK_BOUND = 768 * 1024 * 1024;
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
async function heldMemory(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    collectGarbage();
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

let db: Db;
let app: ReturnType<typeof createApp>;
let keys: FuzzKeys;
let tokenA: string;
let orgA: string;
let orgB: string;

async function enroll(orgId: string) {
  const { code } = await createEnrollmentCode(db, orgId, 1, T0);
  const res = await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'd' }) });
  return ((await res.json()) as { token: string }).token;
}
const count = async () => (await db.query<{ n: number }>(`select count(*)::int as n from records`))[0].n;
const auth = (token: string) => ({ authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL.version) });

function webDir() {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-fuzz-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Outpost</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'export {};');
  return dir;
}

beforeAll(async () => {
  db = await openStore({});
  // Throttles and rate limits far out of the way, so every case reaches the code behind them.
  const config = { adminToken: ADMIN, version: 't', webDir: webDir(), ratePerMinute: 1e9, failuresPerSource: 1e9, failuresPerTarget: 1e9 };
  app = createApp({ db, config, now: () => T0 });
  const a = await createOrg(db, 'A');
  orgA = a.org.id;
  orgB = (await createOrg(db, 'B')).org.id;
  tokenA = await enroll(orgA);
  const bytes = new Uint8Array(3000).map((_, i) => i % 251);
  await app.request(`/api/blobs/${sha256(bytes)}?offset=0&total=${bytes.length}`, { method: 'PUT', body: bytes, headers: auth(tokenA) });
  await app.request('/api/sync/push', {
    method: 'POST',
    body: JSON.stringify({
      batchSeq: 1e12,
      changes: [change('projects', 'p1', project('p1')), change('model_versions', 'fuzz-mv', modelVersion('fuzz-mv', sha256(bytes), 'staging'))],
    }),
    headers: auth(tokenA),
  });
  const loginSecret = 'opl_fuzz-login-secret';
  keys = {
    deviceToken: tokenA,
    adminToken: ADMIN,
    adminKey: a.adminKey,
    blobHash: sha256(bytes),
    versionId: 'fuzz-mv',
    origin: ORIGIN,
    login: { cookie: `outpost_login=${loginSecret}`, token: formToken(loginSecret) },
    async session() {
      const { sessionId } = await createConsoleSession(db, a.org.id, T0);
      return { cookie: `outpost_session=${sessionId}`, token: formToken(sessionId) };
    },
  };
});
afterAll(async () => db.close());

const fixed = (p: string) => () => withQuery(fc.constant(p));
const ROUTES: FuzzRoute[] = [
  { name: 'GET /api/health', method: 'GET', path: fixed('/api/health'), body: 'none', auth: 'none' },
  { name: 'GET /api/openapi.json', method: 'GET', path: fixed('/api/openapi.json'), body: 'none', auth: 'none' },
  { name: 'POST /api/enroll', method: 'POST', path: fixed('/api/enroll'), body: 'json', auth: 'none', fields: ['code', 'deviceName'] },
  {
    name: 'POST /api/sync/push',
    method: 'POST',
    path: fixed('/api/sync/push'),
    body: 'json',
    auth: 'device',
    fields: ['batchSeq', 'changes', 'deviceId', 'orgId'],
  },
  {
    name: 'POST /api/sync/status',
    method: 'POST',
    path: fixed('/api/sync/status'),
    body: 'json',
    auth: 'device',
    fields: ['pending', 'activeVersions', 'appVersion'],
  },
  {
    name: 'POST /api/sync/monitors',
    method: 'POST',
    path: fixed('/api/sync/monitors'),
    body: 'json',
    auth: 'device',
    fields: ['days', 'verdicts'],
  },
  { name: 'GET /api/sync/pull', method: 'GET', path: fixed('/api/sync/pull'), body: 'none', auth: 'device' },
  { name: 'POST /api/registry/sessions', method: 'POST', path: fixed('/api/registry/sessions'), body: 'json', auth: 'device', fields: ['key'] },
  {
    name: 'POST /api/registry/proposals/:id',
    method: 'POST',
    path: () => withQuery(segment(['p1']).map((id) => `/api/registry/proposals/${id}`)),
    body: 'json',
    auth: 'device',
    fields: ['approve', 'why'],
  },
  {
    name: 'POST /api/registry/versions/:id/stage',
    method: 'POST',
    path: (k) => withQuery(segment([k.versionId]).map((id) => `/api/registry/versions/${id}/stage`)),
    body: 'json',
    auth: 'device',
    fields: ['from', 'to', 'why', 'measurements'],
  },
  {
    name: 'GET /api/blobs/:hash/status',
    method: 'GET',
    path: (k) => withQuery(segment([k.blobHash]).map((h) => `/api/blobs/${h}/status`)),
    body: 'none',
    auth: 'device',
  },
  {
    name: 'PUT /api/blobs/:hash',
    method: 'PUT',
    path: (k) =>
      withQuery(
        fc
          .tuple(segment([k.blobHash, 'b'.repeat(64)]), fc.oneof(fc.nat().map(String), segment()), fc.oneof(fc.nat().map(String), segment()))
          .map(([h, o, t]) => `/api/blobs/${h}?offset=${o}&total=${t}`),
      ),
    body: 'bytes',
    auth: 'device',
  },
  { name: 'GET /api/blobs/:hash', method: 'GET', path: (k) => withQuery(segment([k.blobHash]).map((h) => `/api/blobs/${h}`)), body: 'none', auth: 'device' },
  {
    name: 'POST /api/models/versions/:id/predict',
    method: 'POST',
    // fuzz-mv's weights are not a model: a body that gets past every check is refused when it loads, so junk logs nothing.
    path: (k) => withQuery(segment([k.versionId]).map((id) => `/api/models/versions/${id}/predict`)),
    body: 'json',
    auth: 'device',
    fields: ['rows', 'inputs'],
  },
  // Deployments: project p1 has none, so no body, however it is made, can change or predict anything.
  {
    name: 'GET /api/deployments/:projectId',
    method: 'GET',
    path: () => withQuery(segment(['p1']).map((id) => `/api/deployments/${id}`)),
    body: 'none',
    auth: 'device',
  },
  {
    name: 'PUT /api/deployments/:projectId',
    method: 'PUT',
    path: () => withQuery(segment(['p1']).map((id) => `/api/deployments/${id}`)),
    body: 'json',
    auth: 'device',
    fields: ['expectedRevision', 'state', 'why', 'force'],
  },
  ...(['advance', 'switch', 'rollback'] as const).map((action): FuzzRoute => ({
    name: `POST /api/deployments/:projectId/${action}`,
    method: 'POST',
    path: () => withQuery(segment(['p1']).map((id) => `/api/deployments/${id}/${action}`)),
    body: 'json',
    auth: 'device',
    fields: ['expectedRevision', 'why', 'force'],
  })),
  {
    name: 'POST /api/projects/:projectId/predict',
    method: 'POST',
    path: () => withQuery(segment(['p1']).map((id) => `/api/projects/${id}/predict`)),
    body: 'json',
    auth: 'device',
    fields: ['rows'],
  },
  { name: 'GET /api/admin/orgs', method: 'GET', path: fixed('/api/admin/orgs'), body: 'none', auth: 'admin' },
  { name: 'POST /api/admin/orgs', method: 'POST', path: fixed('/api/admin/orgs'), body: 'json', auth: 'admin', fields: ['name'] },
  {
    name: 'POST /api/admin/orgs/:id/codes',
    method: 'POST',
    path: () => withQuery(segment().map((id) => `/api/admin/orgs/${id}/codes`)),
    body: 'json',
    auth: 'admin',
    fields: ['days'],
  },
  {
    name: 'GET /api/admin/orgs/:id/devices',
    method: 'GET',
    path: () => withQuery(segment().map((id) => `/api/admin/orgs/${id}/devices`)),
    body: 'none',
    auth: 'admin',
  },
  {
    name: 'GET /api/admin/orgs/:id/stats',
    method: 'GET',
    path: () => withQuery(segment().map((id) => `/api/admin/orgs/${id}/stats`)),
    body: 'none',
    auth: 'admin',
  },
  {
    name: 'POST /api/admin/orgs/:id/models',
    method: 'POST',
    path: () => withQuery(segment().map((id) => `/api/admin/orgs/${id}/models`)),
    body: 'form',
    auth: 'admin',
    fields: ['file', 'request'],
  },
  {
    name: 'POST /api/admin/devices/:id/revoke',
    method: 'POST',
    path: () => withQuery(segment().map((id) => `/api/admin/devices/${id}/revoke`)),
    body: 'json',
    auth: 'admin',
  },
  { name: 'GET /outpost-ca.cer', method: 'GET', path: fixed('/outpost-ca.cer'), body: 'none', auth: 'none' },
  { name: 'GET /console', method: 'GET', path: fixed('/console'), body: 'none', auth: 'console' },
  { name: 'POST /console/login', method: 'POST', path: fixed('/console/login'), body: 'form', auth: 'login', fields: ['key'] },
  { name: 'POST /console/logout', method: 'POST', path: fixed('/console/logout'), body: 'form', auth: 'console' },
  { name: 'POST /console/codes', method: 'POST', path: fixed('/console/codes'), body: 'form', auth: 'console' },
  {
    name: 'GET /console/versions/:id',
    method: 'GET',
    path: (k) => withQuery(segment([k.versionId, '..%2Fcodes%3F']).map((id) => `/console/versions/${id}`)),
    body: 'none',
    auth: 'console',
  },
  {
    name: 'POST /console/versions/:id/alias',
    method: 'POST',
    // A version the server does not hold: a valid alias is then refused too, so junk writes nothing.
    path: () => withQuery(segment(['no-such-version']).map((id) => `/console/versions/${id}/alias`)),
    body: 'form',
    auth: 'console',
    fields: ['alias'],
  },
  {
    name: 'POST /console/proposals/:id',
    method: 'POST',
    path: () => withQuery(segment(['p1']).map((id) => `/console/proposals/${id}`)),
    body: 'form',
    auth: 'console',
    fields: ['decision', 'why'],
  },
  { name: 'POST /console/people', method: 'POST', path: fixed('/console/people'), body: 'form', auth: 'console', fields: ['name', 'role'] },
  {
    name: 'POST /console/people/:id/revoke',
    method: 'POST',
    path: () => withQuery(segment(['someone']).map((id) => `/console/people/${id}/revoke`)),
    body: 'form',
    auth: 'console',
  },
  { name: 'GET /console/models/import', method: 'GET', path: fixed('/console/models/import'), body: 'none', auth: 'console' },
  {
    name: 'POST /console/models/import',
    method: 'POST',
    path: fixed('/console/models/import'),
    body: 'form',
    auth: 'console',
    fields: ['file', 'name', 'labels', 'columns', 'tensorShape', 'scale'],
  },
  {
    name: 'GET /console/versions/:id/ratings',
    method: 'GET',
    path: (k) => withQuery(segment([k.versionId, '..%2Fcodes%3F']).map((id) => `/console/versions/${id}/ratings`)),
    body: 'none',
    auth: 'console',
  },
  {
    name: 'GET /console/projects/:projectId/deployment',
    method: 'GET',
    path: () => withQuery(segment(['p1', '..%2Fcodes%3F']).map((id) => `/console/projects/${id}/deployment`)),
    body: 'none',
    auth: 'console',
  },
  {
    name: 'GET /console/projects/:projectId/plan',
    method: 'GET',
    path: () => withQuery(segment(['p1', '..%2Fcodes%3F']).map((id) => `/console/projects/${id}/plan`)),
    body: 'none',
    auth: 'console',
  },
  {
    name: 'GET /console/projects/:projectId/data',
    method: 'GET',
    path: () => withQuery(segment(['p1', '..%2Fcodes%3F']).map((id) => `/console/projects/${id}/data`)),
    body: 'none',
    auth: 'console',
  },
  {
    name: 'GET /console/projects/:projectId/data/:datasetId/labels.csv',
    method: 'GET',
    path: () => withQuery(fc.tuple(segment(['p1']), segment(['d1', '..%2Fcodes%3F'])).map(([p, d]) => `/console/projects/${p}/data/${d}/labels.csv`)),
    body: 'none',
    auth: 'console',
  },
  {
    name: 'POST /console/projects/:projectId/deployment',
    method: 'POST',
    path: () => withQuery(segment(['p1']).map((id) => `/console/projects/${id}/deployment`)),
    body: 'form',
    auth: 'console',
    fields: ['mode', 'champion', 'challenger', 'level', 'ramp', 'confidence', 'minPredictions', 'expectedRevision'],
  },
  {
    name: 'POST /console/projects/:projectId/deployment/action',
    method: 'POST',
    path: () => withQuery(segment(['p1']).map((id) => `/console/projects/${id}/deployment/action`)),
    body: 'form',
    auth: 'console',
    fields: ['action', 'expectedRevision', 'force', 'why'],
  },
  {
    name: 'GET /console/versions/:id/monitor',
    method: 'GET',
    path: (k) => withQuery(segment([k.versionId, '..%2Fcodes%3F']).map((id) => `/console/versions/${id}/monitor`)),
    body: 'none',
    auth: 'console',
  },
  {
    name: 'GET /console/versions/:id/export.zip',
    method: 'GET',
    path: (k) => withQuery(segment([k.versionId, '..%2Fcodes%3F']).map((id) => `/console/versions/${id}/export.zip`)),
    body: 'none',
    auth: 'console',
  },
  {
    name: 'POST /console/versions/:id/stage',
    method: 'POST',
    path: (k) => withQuery(segment([k.versionId, '..%2Fcodes%3F']).map((id) => `/console/versions/${id}/stage`)),
    body: 'form',
    auth: 'console',
    fields: ['from', 'to'],
  },
  {
    name: 'GET web fallback',
    method: 'GET',
    path: () => withQuery(fc.array(segment(['assets', 'app.js', 'index.html', 'sw.js']), { maxLength: 3 }).map((s) => `/${s.join('/')}`)),
    body: 'none',
    auth: 'none',
  },
  {
    name: 'any method, any path',
    method: 'GET',
    path: () =>
      withQuery(fc.constantFrom('/api/sync/push', '/api/enroll', '/console/codes', '/api/admin/orgs', `/api/blobs/${'a'.repeat(64)}`, '/', '/console')),
    body: 'json',
    auth: 'none',
  },
];

type Case = { path: string; method: string; body: { data: string | Uint8Array | undefined; gzip: string }; headers: Record<string, string | boolean> };

async function send(route: FuzzRoute, c: Case): Promise<Response> {
  const { valid, ...junk } = c.headers;
  const h = junk as Record<string, string>;
  let data = c.body.data;
  if (c.body.gzip !== 'no' && data !== undefined) h['content-encoding'] = 'gzip';
  if (c.body.gzip === 'yes' && data !== undefined) data = gzipSync(data);
  if (valid) {
    // Credentials, the current protocol and a same-origin browser's headers; body and query stay random.
    h[PROTOCOL_HEADER] = String(PROTOCOL.version);
    delete h['content-length'];
    delete h.origin;
    if (route.auth === 'device') h.authorization = `Bearer ${keys.deviceToken}`;
    if (route.auth === 'admin') h.authorization = `Bearer ${keys.adminToken}`;
    if (route.auth === 'console' || route.auth === 'login') {
      const s = route.auth === 'login' ? keys.login : await keys.session();
      h.cookie = s.cookie;
      h.origin = keys.origin;
      if (typeof data === 'string' && route.body === 'form') data = `csrf=${encodeURIComponent(s.token)}&${data}`;
    }
  }
  const method = c.method;
  const sendsBody = method !== 'GET' && method !== 'HEAD';
  return app.request(c.path, { method, headers: h, body: sendsBody ? (data as RequestInit['body']) : undefined });
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

describe('route fuzzing', () => {
  let heldBefore = 0;
  let rssBefore = 0;
  let rssPeak = 0;
  let records = 0;
  let sampler: NodeJS.Timeout;
  beforeAll(async () => {
    records = await count();
    heldBefore = await heldMemory();
    rssBefore = process.memoryUsage().rss;
    sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  });
  afterAll(() => clearInterval(sampler));

  it('fuzzes every route the OpenAPI document lists', () => {
    const fuzzed = new Set(ROUTES.map((r) => r.name));
    const missing = OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path.replace(/\{(\w+)\}/g, ':$1')}`).filter((n) => !fuzzed.has(n));
    expect(missing).toEqual([]);
  });

  it.each(ROUTES)(
    `$name: ${RUNS} random and malformed requests, never a 5xx`,
    async (route) => {
      const method = route.name === 'any method, any path' ? fc.constantFrom(...METHODS) : fc.constant(route.method);
      const cases = fc.record({ path: route.path(keys), method, body: body(route, keys), headers: headers(route, keys) });
      await fc.assert(
        fc.asyncProperty(cases, async (c) => {
          const res = await send(route, c as Case);
          const text = await res.text();
          expect(res.status, `${c.method} ${c.path} → ${text.slice(0, 300)}`).toBeLessThan(500);
          if (c.method !== 'HEAD' && res.status >= 400 && res.headers.get('content-type')?.includes('json')) {
            expect((JSON.parse(text) as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
          }
        }),
        { numRuns: RUNS },
      );
    },
    300_000,
  );

  it('afterwards: memory stayed bounded, the server is healthy, and junk wrote no records', async () => {
    clearInterval(sampler);
    const retained = (await heldMemory()) - heldBefore;
    console.log(`route fuzzing memory: ${Math.round(retained / 2 ** 20)} MB retained, ${Math.round((rssPeak - rssBefore) / 2 ** 20)} MB peak above the start`);
    expect(retained).toBeLessThan(RETAINED_BOUND);
    expect(rssPeak - rssBefore).toBeLessThan(PEAK_BOUND);
    const health = await app.request('/api/health');
    expect(health.status).toBe(200);
    // Which records a case wrote, should one ever do: a request valid enough to change something is a finding to read.
    const written = await db.query<{ tbl: string; id: string; data: unknown }>(
      `select tbl, id, data from records order by seq desc limit ${Math.max(1, (await count()) - records)}`,
    );
    expect(await count(), JSON.stringify(written).slice(0, 2000)).toBe(records);
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
            headers: auth(tokenA),
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
    // Devices of their own: the fuzzer may have moved tokenA's batch numbers anywhere.
    const tokenA = await enroll(orgA);
    const tokenB = await enroll(orgB);
    const bytes = new Uint8Array([5, 4, 3, 2, 1]);
    const hash = sha256(bytes);
    await app.request(`/api/blobs/${hash}?offset=0&total=5`, { method: 'PUT', body: bytes, headers: auth(tokenA) });
    await app.request('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({
        batchSeq: 9e15,
        changes: [change('projects', 'secret-project', project('secret-project', 'Secret')), change('predictions', 'secret-pred', prediction('secret-pred'))],
      }),
      headers: auth(tokenA),
    });
    const asB = (path: string, init: RequestInit = {}) => app.request(path, { ...init, headers: { ...auth(tokenB), ...(init.headers ?? {}) } });
    const pulled = (await (await asB('/api/sync/pull?cursor=0&limit=1000')).json()) as { records: { id: string }[] };
    expect(pulled.records.map((r) => r.id)).not.toContain('secret-project');
    expect((await asB(`/api/blobs/${hash}`)).status).toBe(404);
    expect((await asB(`/api/blobs/${hash}/status`)).status).toBe(404);
    expect((await asB(`/api/blobs/${hash}`, { headers: { range: 'bytes=0-' } })).status).toBe(404);
    const predict = await asB(`/api/models/versions/${keys.versionId}/predict`, { method: 'POST', body: JSON.stringify({ rows: [{ x: 1 }] }) });
    expect(predict.status).toBe(404);
    // B writing a record with A's id creates B's own record; A's stays as it was.
    await asB('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({ batchSeq: 0, changes: [change('projects', 'secret-project', project('secret-project', 'Hijack'), '999999999999999-0000-x')] }),
    });
    const aView = (await (await app.request('/api/sync/pull?cursor=0&limit=1000', { headers: auth(tokenA) })).json()) as {
      records: { id: string; data: { name: string } }[];
    };
    expect(aView.records.find((r) => r.id === 'secret-project')?.data.name).toBe('Secret');
  });
});
