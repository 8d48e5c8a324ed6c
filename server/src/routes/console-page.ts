import { createHash } from 'node:crypto';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { ALLOWED_STAGE_MOVES } from '@shared/sync/stages.js';
import type { Stage } from '@shared/schema/records.js';
import type { Actor } from '@shared/schema/registry.js';
import type { Org } from '../store/orgs.js';
import type { ConsoleOverview } from '../store/console.js';
import { CSRF_FIELD } from '../middleware/csrf.js';

// The console's only style, inline; its hash is the whole of the console's style-src.
const STYLE = `
body { font: 16px/1.45 system-ui, sans-serif; margin: 0; color: #111; }
header { background: #0b3d2e; color: #fff; padding: 0.6rem 0.9rem; }
main { padding: 0.75rem; max-width: 1000px; margin: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { border-bottom: 1px solid #ccd; padding: 0.35rem 0.5rem; text-align: left; }
th { background: #e5eae8; }
.wrap { overflow-x: auto; }
button, input, select { font: inherit; min-height: 44px; padding: 0.4rem 0.8rem; }
button { background: #0b3d2e; color: #fff; border: 0; border-radius: 6px; }
code { background: #f3f5f4; padding: 0.1rem 0.3rem; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.code { font-size: 1.6rem; font-weight: 800; letter-spacing: 0.08em; }
.alert { color: #9b1c1c; }
.full { width: 100%; }
.canvas { white-space: pre-wrap; }
.muted { color: #555; }
`;
export const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export const page = (title: string, body: Html) =>
  html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Outpost console</title>
        ${raw(`<style>${STYLE}</style>`)}
      </head>
      <body>
        <header><strong>Outpost console</strong></header>
        <main>${body}</main>
      </body>
    </html>`;

/** The links between a project's console pages (plan, deployment, data); `here` is the page shown, if one is. */
export function projectNav(projectId: string, here?: 'plan' | 'deployment' | 'data', label = 'This project') {
  const base = `/console/projects/${encodeURIComponent(projectId)}`;
  const pages = [
    ['plan', 'Plan'],
    ['deployment', 'Deployment'],
    ['data', 'Data'],
  ] as const;
  return html`<nav aria-label="${label}">
    ${pages.map(([p, words], i) => html`${i ? ' · ' : ''}${p === here ? html`<strong>${words}</strong>` : html`<a href="${base}/${p}">${words}</a>`}`)}
  </nav>`;
}

export const csrfInput = (token: string) => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}" />`;

// Records are shown as stored, whatever they hold: one odd value must not break the page.
const asObject = (x: unknown): Record<string, unknown> => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
const text = (x: unknown): string => (typeof x === 'string' ? x : typeof x === 'number' || typeof x === 'boolean' ? String(x) : '');
// Dates past ±8.64e15 ms are outside what Date can show (toISOString would throw a RangeError).
export const when = (ms: unknown): string => (typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : '—');
/** Who did something, with their role: "Ada (ml lead)". */
export const who = (a: Actor | undefined): string => (a ? `${a.name}${a.role ? ` (${a.role.replace('_', ' ')})` : ''}` : '—');

/** A history as the console shows it (a version's, a deployment's): when, what, who, why, oldest first as given. */
export function historyTable(label: string, rows: { at: number; what: unknown; actor: Actor | undefined; why: string }[]) {
  return html`<div class="wrap">
    <table aria-label="${label}">
      <tr>
        <th>When</th>
        <th>What</th>
        <th>Who</th>
        <th>Why</th>
      </tr>
      ${rows.map(
        (r) =>
          html`<tr>
            <td>${when(r.at)}</td>
            <td>${r.what}</td>
            <td>${who(r.actor)}</td>
            <td>${r.why || '—'}</td>
          </tr>`,
      )}
    </table>
  </div>`;
}
const fixed = (x: unknown): string => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(3) : '—');
const metric = (m: unknown): string => {
  const o = asObject(m);
  if (!Object.keys(o).length) return '';
  return o.task === 'classification' ? `accuracy ${fixed(o.accuracy)}, F1 ${fixed(o.f1)}` : `MAE ${fixed(o.mae)}, R² ${fixed(o.r2)}`;
};
const movesFrom = (stage: string): readonly Stage[] => (Object.hasOwn(ALLOWED_STAGE_MOVES, stage) ? ALLOWED_STAGE_MOVES[stage as Stage] : []);

/** Each row drawn on its own: a record that cannot be drawn says so instead of failing the page. */
function rows<T>(items: T[], columns: number, draw: (item: T, i: number) => Html): Html[] {
  return items.map((item, i) => {
    try {
      return draw(item, i);
    } catch {
      return html`<tr>
        <td colspan="${columns}">This record could not be shown.</td>
      </tr>`;
    }
  });
}

export const loginView = (token: string, error = '') =>
  page(
    'Sign in',
    html`<h1>Sign in</h1>
      ${error ? html`<p role="alert" class="alert">${error}</p>` : ''}
      <form method="post" action="/console/login">
        ${csrfInput(token)}
        <label for="key">Organisation admin key</label><br />
        <input id="key" name="key" type="password" required class="full" /><br /><br /><button>Sign in</button>
      </form>
      <p>The admin key is printed when the organisation is created (<code>npm run admin -- create-org NAME</code>).</p>`,
  );

export const messageView = (title: string, message: string, back = true) =>
  page(
    title,
    html`<h1>${title}</h1>
      <p role="alert">${message}</p>
      ${back ? html`<p><a href="/console">Back</a></p>` : ''}`,
  );

export const codeView = (code: string, expiresAt: string) =>
  page(
    'Enrollment code',
    html`<h1>Enrollment code</h1>
      <p class="code">${code}</p>
      <p>
        One device can use it, until ${expiresAt}. On the device: Settings → Enrollment code → Connect. Type the ten letters and digits; the dash is optional.
      </p>
      <p><a href="/console">Back</a></p>`,
  );

const devicesTable = (o: ConsoleOverview) =>
  html`<h2>Devices (${o.devices.length})</h2>
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
        ${rows(
          o.devices,
          7,
          (d) =>
            html`<tr>
              <td>${d.name}</td>
              <td>${d.lastSeenAt ?? 'never'}</td>
              <td>${d.pending ?? 'unknown'}</td>
              <td>
                ${
                  (Array.isArray(d.activeVersions) ? d.activeVersions : [])
                    .map((v) => `${text(asObject(v).modelName)} v${text(asObject(v).version)}`)
                    .join(', ') || 'none'
                }
              </td>
              <td>${d.appVersion ?? ''}</td>
              <td>${d.revokedAt ? 'revoked' : 'active'}</td>
              <td><code>${d.id}</code></td>
            </tr>`,
        )}
      </table>
    </div>`;

const versionsTable = (o: ConsoleOverview, token: string) =>
  html`<h2>Model versions (${o.versions.length})</h2>
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
        ${rows(o.versions, 6, (r, i) => {
          const v = asObject(r.data);
          const stage = text(v.stage);
          const moves = movesFrom(stage);
          // The id goes into a path: encoded, so no id can turn this form into another action.
          const action = `/console/versions/${encodeURIComponent(text(v.id))}/stage`;
          return html`<tr>
            <td>
              <a href="/console/versions/${encodeURIComponent(text(v.id))}">${text(v.modelName)}</a>
              <br /><a href="/console/projects/${encodeURIComponent(text(v.projectId))}/deployment">Deployment</a> ·
              <a href="/console/projects/${encodeURIComponent(text(v.projectId))}/data">Data</a>
            </td>
            <td>${text(v.version)}</td>
            <td>${stage}</td>
            <td>${metric(v.metrics)}</td>
            <td>${when(v.createdAt)}</td>
            <td>
              ${
                moves.length
                  ? html`<form method="post" action="${action}">
                      ${csrfInput(token)}
                      <input type="hidden" name="from" value="${stage}" />
                      <label class="sr" for="to-${i}">Stage for ${text(v.modelName)} v${text(v.version)}</label>
                      <select id="to-${i}" name="to">
                        ${moves.map((m) => html`<option>${m}</option>`)}
                      </select>
                      <label class="sr" for="why-v-${i}">Why</label>
                      <input id="why-v-${i}" name="why" placeholder="why" />
                      <button>Move</button>
                    </form>`
                  : '—'
              }
            </td>
          </tr>`;
        })}
      </table>
    </div>`;

const runsTable = (o: ConsoleOverview) =>
  html`<h2>Runs (${o.runs.length})</h2>
    <div class="wrap">
      <table>
        <tr>
          <th>Started</th>
          <th>Status</th>
          <th>Task</th>
          <th>Metrics</th>
          <th>Backend</th>
        </tr>
        ${rows(o.runs, 5, (r) => {
          const run = asObject(r.data);
          return html`<tr>
            <td>${when(run.startedAt)}</td>
            <td>${text(run.status)}</td>
            <td>${text(asObject(run.params).task)}</td>
            <td>${metric(run.metrics)}</td>
            <td>${text(run.backend)}</td>
          </tr>`;
        })}
      </table>
    </div>`;

/** The front page for a signed-in organisation admin; `token` goes into every form. */
export const overviewView = (org: Org, o: ConsoleOverview, token: string, monitoring: Html = '' as unknown as Html) =>
  page(
    org.name,
    html`<h1>${org.name}</h1>
      <form method="post" action="/console/codes">${csrfInput(token)}<button>New enrollment code</button></form>
      <p><a href="/console/models/import">Import a model</a> (ONNX or TensorFlow.js, trained elsewhere)</p>
      ${monitoring} ${devicesTable(o)} ${versionsTable(o, token)} ${runsTable(o)}
      <h2>Predictions</h2>
      <p>${o.predictions} predictions logged by this organisation's devices.</p>
      <form method="post" action="/console/logout">${csrfInput(token)}<button>Sign out</button></form>`,
  );
