// Throttles on guessing (enrollment codes, console admin keys, the admin token) and the per-device
// request rate limit, on every store. Counts live in the database: on PostgreSQL, two apps with
// their own connection pools (as two server processes would have) share one budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from '../app.js';
import { STORES } from '../store/test-stores.js';
import type { Db } from '../store/db.js';
import { openStore } from '../store/index.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { T0 } from '../store/fixtures.js';
import { TEST_DATABASE_URL } from '../testing/postgres.js';
import { signInResponse } from '../testing/console-client.js';
import { readConfig } from '../config.js';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ADMIN = 'throttle-admin-token-0123456789';
type App = ReturnType<typeof createApp>;

describe.each(STORES)('throttles and rate limits: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  // A second connection to the same database: on PostgreSQL its own pool (another process).
  let other: Db;
  let clock = T0;
  let orgId: string;
  let adminKey: string;
  const apps: App[] = [];

  const makeApp = (store: Db, config: Partial<AppDeps['config']> = {}) =>
    createApp({
      db: store,
      config: { adminToken: ADMIN, version: 't', failuresPerSource: 3, failuresPerTarget: 5, failureWindowSeconds: 600, ...config },
      now: () => clock,
      // Tests say where a request comes from; a served app takes it from the connection.
      clientAddress: (c) => c.req.header('x-test-source') ?? '192.0.2.1',
    });

  beforeAll(async () => {
    db = await factory.open();
    if (db.kind === 'postgres') {
      const [{ search_path }] = await db.query<{ search_path: string }>('show search_path');
      other = await openStore({ databaseUrl: TEST_DATABASE_URL, schema: search_path.split(',')[0].trim() });
    } else other = db;
    ({
      org: { id: orgId },
      adminKey,
    } = await createOrg(db, 'Throttled'));
    apps.push(makeApp(db), makeApp(other));
  });
  afterAll(async () => {
    if (other !== db) await other.close();
    await db.drop();
  });

  // Alternate between the two apps (on PGlite both use the one store, as one process would).
  let turn = 0;
  const next = () => apps[turn++ % apps.length];
  const enroll = (code: string, source: string) =>
    next().request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'd' }), headers: { 'x-test-source': source } });

  it('wrong enrollment codes: a source is throttled after its failures (429, Retry-After), another source is not, until the endpoint has had too many', async () => {
    clock = T0;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await enroll('WRONG-CODE1', '198.51.100.7')).status);
    expect(statuses).toEqual([400, 400, 400, 429]);
    const limited = await enroll('WRONG-CODE1', '198.51.100.7');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // A throttled source cannot tell a right code from a wrong one: the right one is refused too.
    const { code } = await createEnrollmentCode(db, orgId, 1, clock);
    expect((await enroll(code, '198.51.100.7')).status).toBe(429);
    // Other sources: two more failures fill the endpoint's five, then everyone waits.
    expect((await enroll('WRONG-CODE2', '203.0.113.1')).status).toBe(400);
    expect((await enroll('WRONG-CODE3', '203.0.113.2')).status).toBe(400);
    expect((await enroll(code, '203.0.113.3')).status).toBe(429);
    // The next window starts afresh, and a right code is not counted as a failure.
    clock = T0 + 600_000;
    expect((await enroll(code, '198.51.100.7')).status).toBe(201);
  });

  it('wrong console admin keys are throttled per source across apps', async () => {
    clock = T0 + 2 * 600_000;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await signInResponse(next(), 'opa_wrong')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const page = await signInResponse(next(), adminKey);
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBeTruthy();
    expect(await page.text()).toMatch(/Too many wrong attempts/);
  });

  it('wrong admin tokens are throttled per source across apps; a missing token is not a guess', async () => {
    clock = T0 + 4 * 600_000;
    const asAdmin = (token: string | undefined, source = '192.0.2.50') =>
      next().request('/api/admin/orgs', { headers: { 'x-test-source': source, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) } });
    for (let i = 0; i < 5; i++) expect((await asAdmin(undefined)).status).toBe(401);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await asAdmin('wrong-token-0123456789')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect((await asAdmin(ADMIN)).status).toBe(429);
    expect((await asAdmin(ADMIN, '192.0.2.51')).status).toBe(200);
  });

  it('the per-device request rate holds across apps on one database', async () => {
    clock = T0 + 6 * 600_000;
    const limitedApps = [makeApp(db, { ratePerMinute: 6 }), makeApp(other, { ratePerMinute: 6 })];
    const { code } = await createEnrollmentCode(db, orgId, 1, clock);
    const res = await limitedApps[0].request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'busy' }) });
    const { token } = (await res.json()) as { token: string };
    const device = { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL.version) };
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await limitedApps[i % 2].request('/api/sync/pull', { headers: device })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    const limited = await limitedApps[1].request('/api/sync/pull', { headers: device });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    clock += 60_000;
    expect((await limitedApps[1].request('/api/sync/pull', { headers: device })).status).toBe(200);
  });

  it('ended windows are swept from the table', async () => {
    clock = T0 + 1000 * 600_000;
    await enroll('WRONG-CODE9', '192.0.2.99');
    const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from throttle_windows where expires_at <= $1`, [clock]);
    expect(n).toBe(0);
  });
});

describe('throttle settings', () => {
  it('default to 10 failures per source and 200 per endpoint in 10 minutes, 600 requests per device per minute; each has its variable', () => {
    const env = { OUTPOST_DATA_DIR: mkdtempSync(join(tmpdir(), 'outpost-cfg-')), OUTPOST_ADMIN_TOKEN: ADMIN };
    expect(readConfig(env, 't')).toMatchObject({
      failuresPerSource: 10,
      failuresPerTarget: 200,
      failureWindowSeconds: 600,
      ratePerMinute: 600,
      trustProxy: false,
    });
    const set = readConfig(
      {
        ...env,
        OUTPOST_FAILURES_PER_SOURCE: '5',
        OUTPOST_FAILURES_PER_TARGET: '50',
        OUTPOST_FAILURE_WINDOW_SECONDS: '60',
        OUTPOST_RATE_PER_MINUTE: '100',
        OUTPOST_TRUST_PROXY: '1',
      },
      't',
    );
    expect(set).toMatchObject({ failuresPerSource: 5, failuresPerTarget: 50, failureWindowSeconds: 60, ratePerMinute: 100, trustProxy: true });
    expect(() => readConfig({ ...env, OUTPOST_TRUST_PROXY: 'yes' }, 't')).toThrow(/OUTPOST_TRUST_PROXY:/);
  });
});

describe('source address', () => {
  it('X-Forwarded-For counts only with OUTPOST_TRUST_PROXY=1, and then only its last entry (the address the proxy saw)', async () => {
    const db = await openStore({});
    const make = (trustProxy: boolean) =>
      createApp({ db, config: { adminToken: ADMIN, version: 't', failuresPerSource: 2, failuresPerTarget: 100, trustProxy }, now: () => T0 });
    const statuses = async (app: App, forwarded: string[]) => {
      const out = [];
      for (const f of forwarded)
        out.push((await app.request('/api/admin/orgs', { headers: { authorization: 'Bearer wrong-token-0123456789', 'x-forwarded-for': f } })).status);
      return out;
    };
    const trusted = make(true);
    // Made-up first entries do not buy a fresh budget; another last entry is another source.
    expect(await statuses(trusted, ['203.0.113.1, 10.0.0.1', '203.0.113.2, 10.0.0.1', '203.0.113.3, 10.0.0.1'])).toEqual([401, 401, 429]);
    expect(await statuses(trusted, ['10.0.0.2'])).toEqual([401]);
    // Untrusted, the header is anyone's to send and is ignored: one source, the connection.
    expect(await statuses(make(false), ['198.51.100.1', '198.51.100.2', '198.51.100.3'])).toEqual([401, 401, 429]);
    await db.close();
  });
});
