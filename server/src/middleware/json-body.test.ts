// JSON nested thousands deep is a 400 on every JSON route, never a 500: the depth is counted on the
// text before anything is parsed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { T0 } from '../store/fixtures.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './json-body.js';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';

const ADMIN = 'json-admin-token-0123456789';
let db: Db;
let app: ReturnType<typeof createApp>;
let device: string;

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: ADMIN, version: 't' }, now: () => T0 });
  const { org } = await createOrg(db, 'Deep');
  const { code } = await createEnrollmentCode(db, org.id, 1, T0);
  device = ((await (await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'd' }) })).json()) as { token: string }).token;
});
afterAll(async () => db.close());

const nest = (n: number, leaf = '1') => '{"a":'.repeat(n) + leaf + '}'.repeat(n);
const arrays = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('JSON depth', () => {
  it('counts nesting outside strings only, escapes included', () => {
    expect(jsonDepthExceeds(arrays(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(arrays(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(nest(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(JSON.stringify({ s: '['.repeat(1000) }), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ s: '\\"[[[[' + '['.repeat(100) }), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify([{ s: '"' }, ...Array(70).fill([])]), MAX_JSON_DEPTH)).toBe(false);
  });

  // As deep as each route's body limit allows (600 levels fit enrollment's 4 KB: nine times the bound).
  const ROUTES = [
    {
      path: '/api/sync/push',
      depth: 20_000,
      auth: () => `Bearer ${device}`,
      wrap: (deep: string) => `{"batchSeq":0,"changes":[{"table":"projects","id":"p","hlc":"x","fields":${deep}}]}`,
    },
    {
      path: '/api/sync/status',
      depth: 2500,
      auth: () => `Bearer ${device}`,
      wrap: (deep: string) => `{"pending":0,"activeVersions":${deep},"appVersion":"1"}`,
    },
    { path: '/api/enroll', depth: 600, auth: () => '', wrap: (deep: string) => `{"code":${deep},"deviceName":"d"}` },
    { path: '/api/admin/orgs', depth: 2500, auth: () => `Bearer ${ADMIN}`, wrap: (deep: string) => `{"name":${deep}}` },
  ];

  it.each(ROUTES)('POST $path: arrays and objects nested $depth deep are a 400 invalid_body, plain or gzip-compressed', async ({ path, depth, auth, wrap }) => {
    for (const deep of [arrays(depth), nest(depth)]) {
      for (const gzip of [false, true]) {
        const body = gzip ? gzipSync(wrap(deep)) : wrap(deep);
        const headers: Record<string, string> = { 'content-type': 'application/json', authorization: auth(), [PROTOCOL_HEADER]: String(PROTOCOL.version) };
        if (gzip) headers['content-encoding'] = 'gzip';
        const res = await app.request(path, { method: 'POST', body, headers });
        expect(res.status).toBe(400);
        const err = ((await res.json()) as { error: { code: string; message: string } }).error;
        expect(err.code).toBe('invalid_body');
        expect(err.message).toMatch(/levels deep/);
      }
    }
  });
});
