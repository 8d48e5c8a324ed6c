// The console under attack and bad data: encoded ids, revocable expiring sessions that are not the
// admin key, Secure cookies over HTTPS, CSRF refusal, and a page that survives any one record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createOrg } from '../store/orgs.js';
import { hashSecret } from '../store/secrets.js';
import { T0, insertRecord, modelVersion } from '../store/fixtures.js';
import { CONSOLE_ORIGIN, consoleSignIn, formTokenIn, loginForm, signInResponse } from '../testing/console-client.js';

const ADMIN = 'console-admin-token-0123456789';
let db: Db;
let app: ReturnType<typeof createApp>;
let clock = T0;

// Straight into the records table, as a record that passed yesterday's validation would be.
const codesOf = async (orgId: string) => (await db.query<{ n: number }>(`select count(*)::int as n from enrollment_codes where org_id = $1`, [orgId]))[0].n;
const sessionCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('outpost_session=')) ?? '';

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: ADMIN, version: 't' }, now: () => clock });
});
afterAll(async () => db.close());

describe('console', () => {
  it('ids are URL-encoded in form actions: a version with the id ../codes? is moved by its Move button, and no code is made', async () => {
    const { org, adminKey } = await createOrg(db, 'Encoded');
    await insertRecord(db, org.id, 'model_versions', '../codes?', modelVersion('../codes?', 'a'.repeat(64), 'staging'));
    const admin = await consoleSignIn(app, adminKey);
    const page = await (await admin.get('/console')).text();
    expect(page).toContain('action="/console/versions/..%2Fcodes%3F/stage"');
    expect(page).not.toContain('action="/console/versions/../codes');
    const moved = await admin.post('/console/versions/..%2Fcodes%3F/stage', { from: 'staging', to: 'production' });
    expect(moved.status).toBe(302);
    const [row] = await db.query<{ stage: string }>(`select data->>'stage' as stage from records where org_id = $1 and id = '../codes?'`, [org.id]);
    expect(row.stage).toBe('production');
    expect(await codesOf(org.id)).toBe(0);
  });

  it('the cookie holds a random session id (stored hashed), never the admin key; sign-out revokes it; it expires after 8 hours', async () => {
    clock = T0;
    const { org, adminKey } = await createOrg(db, 'Sessions');
    const res = await signInResponse(app, adminKey);
    const cookie = sessionCookie(res);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(adminKey);
    expect(cookie).not.toContain(encodeURIComponent(adminKey));
    const id = cookie.split(';')[0].slice('outpost_session='.length);
    const stored = await db.query<{ id_hash: string; org_id: string }>(`select id_hash, org_id from console_sessions where org_id = $1`, [org.id]);
    expect(stored).toEqual([{ id_hash: hashSecret(id), org_id: org.id }]);

    const admin = await consoleSignIn(app, adminKey);
    expect(await (await admin.get('/console')).text()).toContain('<h1>Sessions</h1>');
    expect((await admin.post('/console/logout')).status).toBe(302);
    expect(await (await admin.get('/console')).text()).toContain('<h1>Sign in</h1>');

    const later = await consoleSignIn(app, adminKey);
    clock = T0 + 8 * 3600_000 - 1;
    expect(await (await later.get('/console')).text()).toContain('<h1>Sessions</h1>');
    clock = T0 + 8 * 3600_000 + 1;
    expect(await (await later.get('/console')).text()).toContain('<h1>Sign in</h1>');
    clock = T0;
  });

  it('the session cookie is Secure over HTTPS, and behind a trusted proxy that says so; not over plain HTTP or an untrusted header', async () => {
    const { adminKey } = await createOrg(db, 'Secure');
    const proxied = createApp({ db, config: { adminToken: ADMIN, version: 't', trustProxy: true }, now: () => clock });
    const signIn = async (a: typeof app, base: string, origin: string, headers: Record<string, string> = {}) => {
      const form = await a.request(`${base}/console`, { headers });
      const login = form.headers.getSetCookie()[0].split(';')[0];
      return a.request(`${base}/console/login`, {
        method: 'POST',
        body: new URLSearchParams({ key: adminKey, csrf: formTokenIn(await form.text()) }),
        headers: { ...headers, origin, cookie: login },
      });
    };
    expect(sessionCookie(await signIn(app, 'https://outpost.example', 'https://outpost.example'))).toMatch(/; Secure/);
    expect(sessionCookie(await signIn(app, 'http://outpost.example', 'http://outpost.example'))).not.toMatch(/Secure/);
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'outpost.example' };
    expect(sessionCookie(await signIn(proxied, 'http://10.0.0.5:8787', 'https://outpost.example', forwarded))).toMatch(/; Secure/);
    // Without OUTPOST_TRUST_PROXY the header is anyone's to send: the request was plain HTTP.
    expect(sessionCookie(await signIn(app, 'http://10.0.0.5:8787', 'http://10.0.0.5:8787', { 'x-forwarded-proto': 'https' }))).not.toMatch(/Secure/);
  });

  it('CSRF: sign-in and every console form from another origin, or without the right form token, is refused with 403 and does nothing', async () => {
    const { org, adminKey } = await createOrg(db, 'Forgery');
    const form = await loginForm(app);
    const login = (headers: Record<string, string>, csrf = form.token) =>
      app.request('/console/login', { method: 'POST', body: new URLSearchParams({ key: adminKey, csrf }), headers: { cookie: form.cookie, ...headers } });
    expect((await login({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await login({})).status).toBe(403);
    expect((await login({ origin: CONSOLE_ORIGIN }, 'forged')).status).toBe(403);
    expect((await login({ 'sec-fetch-site': 'same-origin' })).status).toBe(302);

    const admin = await consoleSignIn(app, adminKey);
    const other = await consoleSignIn(app, (await createOrg(db, 'Other')).adminKey);
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      app.request('/console/codes', { method: 'POST', body: new URLSearchParams(fields), headers: { cookie: admin.cookie, ...headers } });
    expect((await post({ origin: 'https://evil.example' }, { csrf: admin.token })).status).toBe(403);
    expect((await post({ origin: 'null' }, { csrf: admin.token })).status).toBe(403);
    expect((await post({ origin: CONSOLE_ORIGIN }, {})).status).toBe(403);
    expect((await post({ origin: CONSOLE_ORIGIN }, { csrf: other.token })).status).toBe(403);
    expect(await codesOf(org.id)).toBe(0);
    expect((await post({ origin: CONSOLE_ORIGIN }, { csrf: admin.token })).status).toBe(200);
    expect(await codesOf(org.id)).toBe(1);
    // A sign-out without the form token (a forged one) signs no one out.
    const forged = await app.request('/console/logout', {
      method: 'POST',
      body: new URLSearchParams({}),
      headers: { cookie: admin.cookie, origin: CONSOLE_ORIGIN },
    });
    expect(forged.status).toBe(403);
    expect(await (await admin.get('/console')).text()).toContain('<h1>Forgery</h1>');
  });

  it('one record with an impossible date or odd fields does not break the page: the console never answers 5xx because of one record', async () => {
    const { org, adminKey } = await createOrg(db, 'Odd data');
    const big = 9007199254740991;
    await insertRecord(db, org.id, 'model_versions', 'mv-big', {
      ...modelVersion('mv-big', 'b'.repeat(64), 'staging'),
      createdAt: big,
      metrics: { task: 'classification', accuracy: 'high' },
    });
    await insertRecord(db, org.id, 'model_versions', 'mv-proto', { id: 'mv-proto', stage: '__proto__', createdAt: -big, metrics: [1, 2] });
    await insertRecord(db, org.id, 'model_versions', 'mv-null', null);
    await insertRecord(db, org.id, 'runs', 'run-big', { id: 'run-big', startedAt: big, status: { nested: true }, params: 'task', metrics: null });
    await insertRecord(db, org.id, 'runs', 'run-list', [1, 2, 3]);
    const admin = await consoleSignIn(app, adminKey);
    const res = await admin.get('/console');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('Model versions (3)');
    expect(page).toContain('Runs (2)');
    expect(page).toContain('<td>—</td>');
    expect(page).toContain('accuracy —');
  });

  it("routes and middleware hold no SQL: the console's queries live in store/", () => {
    const sql = /(?<!req)\.query\s*[<(]|\b(insert\s+into|delete\s+from)\s+\w+|\bselect\s[^;`]*\bfrom\s+\w+\s+where\b/i;
    for (const dir of ['routes', 'middleware']) {
      const url = new URL(`../${dir}/`, import.meta.url);
      for (const f of readdirSync(url).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
        expect(sql.test(readFileSync(new URL(f, url), 'utf8')), `${dir}/${f}`).toBe(false);
      }
    }
  });
});
