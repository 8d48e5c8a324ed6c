// CORS only for the origins an operator lists (none by default), never `null`; the admin API
// answers no cross-origin request at all and sends no CORS headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { readConfig } from '../config.js';
import { openStore, type Db } from '../store/index.js';
import { T0 } from '../store/fixtures.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ADMIN = 'cors-admin-token-0123456789';
const ALLOWED = 'https://app.example.org';
let db: Db;
let plain: ReturnType<typeof createApp>;
let listed: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await openStore({});
  plain = createApp({ db, config: { adminToken: ADMIN, version: 't' }, now: () => T0 });
  listed = createApp({ db, config: { adminToken: ADMIN, version: 't', corsOrigins: [ALLOWED, 'null'] }, now: () => T0 });
});
afterAll(async () => db.close());

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));
const preflight = (app: typeof plain, path: string, origin: string) =>
  app.request(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });

describe('CORS', () => {
  it('by default no origin is allowed on any /api route: not another site, not null', async () => {
    for (const origin of ['https://evil.example', 'null', ALLOWED]) {
      for (const path of ['/api/health', '/api/sync/pull', '/api/enroll']) {
        expect(corsHeaders(await plain.request(path, { headers: { origin } }))).toEqual([]);
        expect(corsHeaders(await preflight(plain, path, origin))).toEqual([]);
      }
    }
  });

  it('a listed origin is allowed on the device API, with the headers a device sends and reads; null never is', async () => {
    const res = await listed.request('/api/health', { headers: { origin: ALLOWED } });
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/retry-after/);
    expect(res.headers.get('vary')).toMatch(/Origin/);
    const pre = await preflight(listed, '/api/sync/push', ALLOWED);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization.*x-outpost-protocol/);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/x-outpost-protocol/);
    // An error answer carries them too, so the app can read the sentence.
    expect((await listed.request('/api/sync/pull', { headers: { origin: ALLOWED } })).headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(corsHeaders(await listed.request('/api/health', { headers: { origin: 'null' } }))).toEqual([]);
    expect(corsHeaders(await listed.request('/api/health', { headers: { origin: 'https://evil.example' } }))).toEqual([]);
  });

  it('the admin API refuses every other origin with 403 and no CORS headers, listed ones included; no Origin (the CLI) or its own is fine', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    for (const app of [plain, listed]) {
      for (const origin of ['https://evil.example', 'null', ALLOWED]) {
        const res = await app.request('/api/admin/orgs', { headers: { ...auth, origin } });
        expect(res.status).toBe(403);
        expect(corsHeaders(res)).toEqual([]);
        const pre = await preflight(app, '/api/admin/orgs', origin);
        expect(pre.status).toBe(403);
        expect(corsHeaders(pre)).toEqual([]);
      }
      expect((await app.request('/api/admin/orgs', { headers: auth })).status).toBe(200);
      expect((await app.request('/api/admin/orgs', { headers: { ...auth, origin: 'http://localhost' } })).status).toBe(200);
    }
  });

  it('OUTPOST_CORS_ORIGINS is a comma-separated list of origins; anything else stops the server with a sentence', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-cfg-'));
    const env = { OUTPOST_DATA_DIR: dataDir, OUTPOST_ADMIN_TOKEN: ADMIN };
    expect(readConfig(env, 't').corsOrigins).toEqual([]);
    expect(readConfig({ ...env, OUTPOST_CORS_ORIGINS: ` ${ALLOWED}, http://localhost:5173 ` }, 't').corsOrigins).toEqual([ALLOWED, 'http://localhost:5173']);
    expect(() => readConfig({ ...env, OUTPOST_CORS_ORIGINS: 'null' }, 't')).toThrow(/OUTPOST_CORS_ORIGINS:/);
    expect(() => readConfig({ ...env, OUTPOST_CORS_ORIGINS: 'https://a.example/path' }, 't')).toThrow(/OUTPOST_CORS_ORIGINS:/);
  });
});
