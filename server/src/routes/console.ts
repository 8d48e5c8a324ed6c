import { Hono, type Context } from 'hono';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Db } from '../store/db.js';
import { createEnrollmentCode, listDevices, orgForAdminKey, type Org } from '../store/orgs.js';
import { moveStage } from '../store/sync.js';
import { ALLOWED_STAGE_MOVES } from '@shared/sync/stages.js';
import { Stage } from '@shared/schema/records.js';
import { formatHlc } from '@shared/sync/hlc.js';
import { randomUUID } from 'node:crypto';

const COOKIE = 'outpost_admin';

const page = (title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>) =>
  html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Outpost console</title>
        <style>
          body {
            font:
              16px/1.45 system-ui,
              sans-serif;
            margin: 0;
            color: #111;
          }
          header {
            background: #0b3d2e;
            color: #fff;
            padding: 0.6rem 0.9rem;
          }
          main {
            padding: 0.75rem;
            max-width: 1000px;
            margin: auto;
          }
          table {
            border-collapse: collapse;
            width: 100%;
            font-size: 0.95rem;
          }
          th,
          td {
            border-bottom: 1px solid #ccd;
            padding: 0.35rem 0.5rem;
            text-align: left;
          }
          th {
            background: #e5eae8;
          }
          .wrap {
            overflow-x: auto;
          }
          button,
          input {
            font: inherit;
            min-height: 44px;
            padding: 0.4rem 0.8rem;
          }
          button {
            background: #0b3d2e;
            color: #fff;
            border: 0;
            border-radius: 6px;
          }
          code {
            background: #f3f5f4;
            padding: 0.1rem 0.3rem;
          }
          .sr {
            position: absolute;
            width: 1px;
            height: 1px;
            overflow: hidden;
            clip: rect(0 0 0 0);
          }
          .code {
            font-size: 1.6rem;
            font-weight: 800;
            letter-spacing: 0.08em;
          }
        </style>
      </head>
      <body>
        <header><strong>Outpost console</strong></header>
        <main>${body}</main>
      </body>
    </html>`;

type Rec = { data: Record<string, unknown>; updated_at: string };

/** A plain server page for an organisation's admins: devices, runs and model versions. */
export function consoleRoutes(db: Db, now: () => number) {
  async function signedIn(c: Context): Promise<Org | undefined> {
    const key = getCookie(c, COOKIE);
    return key ? orgForAdminKey(db, key) : undefined;
  }
  const login = (c: Context, error = '') =>
    c.html(
      page(
        'Sign in',
        html`<h1>Sign in</h1>
          ${error ? html`<p role="alert" style="color:#9b1c1c">${error}</p>` : ''}
          <form method="post" action="/console/login">
            <label for="key">Organisation admin key</label><br />
            <input id="key" name="key" type="password" required style="width:100%" /><br /><br /><button>Sign in</button>
          </form>
          <p>The admin key is printed when the organisation is created (<code>npm run admin -- create-org NAME</code>).</p>`,
      ),
      error ? 401 : 200,
    );

  return new Hono()
    .get('/', async (c) => {
      const org = await signedIn(c);
      if (!org) return login(c);
      const devices = await listDevices(db, org.id);
      const runs = await db.query<Rec>(`select data, updated_at::text from records where org_id = $1 and tbl = 'runs' order by seq desc limit 100`, [org.id]);
      const versions = await db.query<Rec>(
        `select data, updated_at::text from records where org_id = $1 and tbl = 'model_versions' order by seq desc limit 100`,
        [org.id],
      );
      const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from records where org_id = $1 and tbl = 'predictions'`, [org.id]);
      const metric = (m: Record<string, unknown> | undefined) =>
        !m
          ? ''
          : m.task === 'classification'
            ? `accuracy ${Number(m.accuracy).toFixed(3)}, F1 ${Number(m.f1).toFixed(3)}`
            : `MAE ${Number(m.mae).toFixed(3)}, R² ${Number(m.r2).toFixed(3)}`;
      return c.html(
        page(
          org.name,
          html`<h1>${org.name}</h1>
            <form method="post" action="/console/codes"><button>New enrollment code</button></form>
            <h2>Devices (${devices.length})</h2>
            <div class="wrap">
              <table>
                <tr>
                  <th>Name</th>
                  <th>Last contact</th>
                  <th>Still to send</th>
                  <th>Active model</th>
                  <th>App</th>
                  <th>State</th>
                  <th>Id</th>
                </tr>
                ${devices.map(
                  (d) =>
                    html`<tr>
                      <td>${d.name}</td>
                      <td>${d.lastSeenAt ?? 'never'}</td>
                      <td>${d.pending ?? 'unknown'}</td>
                      <td>${(d.activeVersions ?? []).map((v) => `${v.modelName} v${v.version}`).join(', ') || 'none'}</td>
                      <td>${d.appVersion ?? ''}</td>
                      <td>${d.revokedAt ? 'revoked' : 'active'}</td>
                      <td><code>${d.id}</code></td>
                    </tr>`,
                )}
              </table>
            </div>
            <h2>Model versions (${versions.length})</h2>
            <div class="wrap">
              <table>
                <tr>
                  <th>Model</th>
                  <th>Version</th>
                  <th>Stage</th>
                  <th>Metrics</th>
                  <th>Registered</th>
                  <th>Move to</th>
                </tr>
                ${versions.map((v) => {
                  const stage = String(v.data.stage) as Stage;
                  const moves = ALLOWED_STAGE_MOVES[stage] ?? [];
                  return html`<tr>
                    <td>${String(v.data.modelName)}</td>
                    <td>${String(v.data.version)}</td>
                    <td>${stage}</td>
                    <td>${metric(v.data.metrics as Record<string, unknown>)}</td>
                    <td>${new Date(Number(v.data.createdAt)).toISOString()}</td>
                    <td>
                      <form method="post" action="/console/versions/${String(v.data.id)}/stage">
                        <input type="hidden" name="from" value="${stage}" />
                        <label class="sr" for="to-${String(v.data.id)}">Stage for ${String(v.data.modelName)} v${String(v.data.version)}</label>
                        <select id="to-${String(v.data.id)}" name="to">
                          ${moves.map((m) => html`<option>${m}</option>`)}
                        </select>
                        <button>Move</button>
                      </form>
                    </td>
                  </tr>`;
                })}
              </table>
            </div>
            <h2>Runs (${runs.length})</h2>
            <div class="wrap">
              <table>
                <tr>
                  <th>Started</th>
                  <th>Status</th>
                  <th>Task</th>
                  <th>Metrics</th>
                  <th>Backend</th>
                </tr>
                ${runs.map(
                  (r) =>
                    html`<tr>
                      <td>${new Date(Number(r.data.startedAt)).toISOString()}</td>
                      <td>${String(r.data.status)}</td>
                      <td>${String((r.data.params as { task?: string })?.task ?? '')}</td>
                      <td>${metric(r.data.metrics as Record<string, unknown>)}</td>
                      <td>${String(r.data.backend)}</td>
                    </tr>`,
                )}
              </table>
            </div>
            <h2>Predictions</h2>
            <p>${n} predictions logged by this organisation's devices.</p>
            <form method="post" action="/console/logout"><button>Sign out</button></form>`,
        ),
      );
    })
    .post('/login', async (c) => {
      const form = await c.req.parseBody();
      const key = String(form.key ?? '');
      if (!(await orgForAdminKey(db, key))) return login(c, 'That admin key is not known.');
      setCookie(c, COOKIE, key, { httpOnly: true, sameSite: 'Strict', path: '/console', maxAge: 8 * 3600 });
      return c.redirect('/console');
    })
    .post('/logout', (c) => {
      deleteCookie(c, COOKIE, { path: '/console' });
      return c.redirect('/console');
    })
    .post('/versions/:id/stage', async (c) => {
      const org = await signedIn(c);
      if (!org) return login(c);
      const form = await c.req.parseBody();
      const from = Stage.safeParse(form.from);
      const to = Stage.safeParse(form.to);
      if (!from.success || !to.success)
        return c.html(
          page(
            'Stage',
            html`<p role="alert">Choose a stage.</p>
              <p><a href="/console">Back</a></p>`,
          ),
          400,
        );
      const outcome = await db.tx((q) =>
        moveStage(
          q,
          org.id,
          { id: randomUUID(), modelVersionId: c.req.param('id'), from: from.data, to: to.data, createdAt: now() },
          formatHlc({ millis: now(), counter: 0, node: 'console' }),
          null,
        ),
      );
      if (outcome !== 'applied')
        return c.html(
          page(
            'Stage',
            html`<p role="alert">${outcome.message}</p>
              <p><a href="/console">Back</a></p>`,
          ),
          409,
        );
      return c.redirect('/console');
    })
    .post('/codes', async (c) => {
      const org = await signedIn(c);
      if (!org) return login(c);
      const { code, expiresAt } = await createEnrollmentCode(db, org.id, 7, now());
      return c.html(
        page(
          'Enrollment code',
          html`<h1>Enrollment code</h1>
            <p class="code">${code}</p>
            <p>One device can use it, until ${expiresAt}. On the device: Settings → Enrollment code → Connect.</p>
            <p><a href="/console">Back</a></p>`,
        ),
      );
    });
}
void raw;
