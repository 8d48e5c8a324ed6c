// Every route that reads a body refuses an oversized one with 413 and a sentence before reading it:
// a body that says its size is never read at all; a chunked one is read only up to the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { T0 } from '../store/fixtures.js';
import { CONSOLE_ORIGIN, consoleSignIn } from '../testing/console-client.js';

const ADMIN = 'limit-admin-token-0123456789';
const MB = 1024 * 1024;
let db: Db;
let app: ReturnType<typeof createApp>;
let device: string;
let consoleCookie: string;

/** A body produced only as it is read, counting what was pulled. */
function lazyBody(total: number) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(ctrl) {
        if (pulled >= total) return ctrl.close();
        const n = Math.min(64 * 1024, total - pulled);
        pulled += n;
        ctrl.enqueue(new Uint8Array(n).fill(0x61));
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: ADMIN, version: 't' }, now: () => T0 });
  const { org, adminKey } = await createOrg(db, 'Limits');
  const { code } = await createEnrollmentCode(db, org.id, 1, T0);
  device = ((await (await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code, deviceName: 'd' }) })).json()) as { token: string }).token;
  consoleCookie = (await consoleSignIn(app, adminKey)).cookie;
});
afterAll(async () => db.close());

// Each route that reads a body, with the most it may be.
const ROUTES: { method: string; path: string; limit: number; who?: 'device' | 'admin' | 'console' }[] = [
  { method: 'POST', path: '/console/login', limit: 64 * 1024 },
  { method: 'POST', path: '/console/logout', limit: 64 * 1024, who: 'console' },
  { method: 'POST', path: '/console/codes', limit: 64 * 1024, who: 'console' },
  { method: 'POST', path: '/console/versions/mv1/stage', limit: 64 * 1024, who: 'console' },
  { method: 'POST', path: '/api/enroll', limit: 64 * 1024 },
  { method: 'POST', path: '/api/admin/orgs', limit: 64 * 1024, who: 'admin' },
  { method: 'POST', path: '/api/admin/orgs/x/codes', limit: 64 * 1024, who: 'admin' },
  { method: 'POST', path: '/api/sync/status', limit: 64 * 1024, who: 'device' },
  { method: 'POST', path: '/api/sync/push', limit: 4 * 1_000_000, who: 'device' },
  { method: 'PUT', path: `/api/blobs/${'c'.repeat(64)}?offset=0&total=${300 * MB}`, limit: MB, who: 'device' },
  { method: 'POST', path: '/api/no-such-route', limit: 64 * 1024 },
];

function headersFor(who: string | undefined): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', origin: CONSOLE_ORIGIN };
  if (who === 'device') h.authorization = `Bearer ${device}`;
  if (who === 'admin') h.authorization = `Bearer ${ADMIN}`;
  if (who === 'console') h.cookie = consoleCookie;
  return h;
}

async function expectSentence(res: Response) {
  expect(res.status).toBe(413);
  const text = await res.text();
  expect(text).toMatch(/larger than \d+ KB/);
}

describe('body limits', () => {
  it.each(ROUTES)('$method $path: a 300 MB chunked body is refused with 413 after reading at most its limit', async ({ method, path, limit, who }) => {
    const { body, pulled } = lazyBody(300 * MB);
    const res = await app.request(path, { method, body, headers: headersFor(who), duplex: 'half' } as RequestInit);
    await expectSentence(res);
    // The limit plus the chunk that crossed it, and what the stream had buffered ahead.
    expect(pulled()).toBeLessThanOrEqual(limit + 256 * 1024);
  });

  it.each(ROUTES)('$method $path: a body whose Content-Length says 300 MB is refused with 413 unread', async ({ method, path, who }) => {
    const { body, pulled } = lazyBody(300 * MB);
    const res = await app.request(path, { method, body, headers: { ...headersFor(who), 'content-length': String(300 * MB) }, duplex: 'half' } as RequestInit);
    await expectSentence(res);
    expect(pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it('bodies within the limits still arrive whole', async () => {
    const res = await app.request('/api/enroll', { method: 'POST', body: JSON.stringify({ code: 'x'.repeat(60), deviceName: 'y'.repeat(3000) }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
  });
});
