import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { html } from 'hono/html';
import { httpStatusOf, type ErrorCode } from '@shared/errors.js';
import { mayPromote, type Actor } from '@shared/schema/registry.js';
import type { ModelVersion } from '@shared/schema/records.js';
import {
  AutomationLevel,
  DeploymentMode,
  ROLLBACK_MONITORS,
  type Deployment,
  type DeploymentEvent,
  type DeploymentState,
  type RollbackMonitor,
} from '@shared/schema/deployment.js';
import { LEVEL_LABELS, MODE_LABELS, levelSentence, modeSentence } from '@shared/deploy/describe.js';
import { canaryShare } from '@shared/deploy/assign.js';
import type { ArmFigures, DeploymentFigures } from '@shared/deploy/figures.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Db } from '../store/db.js';
import {
  FIGURES_LIMIT,
  READY_WINDOW_DAYS,
  actionChange,
  changeDeployment,
  deploymentDevices,
  deploymentEvents,
  deploymentFiguresFor,
  notReady,
  projectVersions,
  readDeployment,
  type DeploymentDevice,
  type DeploymentFiguresView,
} from '../store/deployments.js';
import { readForm } from '../middleware/form-body.js';
import { checkFormToken, formToken } from '../middleware/csrf.js';
import type { ConsoleVars } from '../middleware/console-session.js';
import { csrfInput, historyTable, messageView, page, when, who } from './console-page.js';

/**
 * A project's deployment in the console: what it says in plain words (the ML detail one tap
 * away), who changed it last and why, the form to change it and its buttons (ML leads and admins;
 * others read), its history, the figures per arm fleet-wide and per device, and the devices that
 * have not yet picked up its latest revision. A refusal is shown on the page as its sentence.
 */

type Env = { Variables: ConsoleVars };
type Html = ReturnType<typeof html>;
const MONITOR_WORDS: Record<RollbackMonitor, string> = { errorRate: 'Failures', latencyP95Ms: 'Speed', quality: 'Quality', drift: 'Drift' };
const pct = (x: number | null) => (x === null ? '—' : `${+(x * 100).toFixed(1)}%`);
const path = (projectId: string) => `/console/projects/${encodeURIComponent(projectId)}/deployment`;

interface View {
  projectId: string;
  projectName: string;
  versions: ModelVersion[];
  deployment: Deployment | null;
  events: DeploymentEvent[];
  devices: DeploymentDevice[];
  figures: DeploymentFiguresView;
  ready: { total: number; missing: string[] } | null;
  canChange: boolean;
  token: string;
  notice?: string;
}

async function load(db: Db, orgId: string, projectId: string, actor: Actor, token: string): Promise<View | null> {
  const found = await projectVersions(db, orgId, projectId);
  if (!found) return null;
  const { project, versions } = found;
  const deployment = await readDeployment(db, orgId, projectId);
  const other = deployment?.state.mode === 'blue_green' ? deployment.state.challenger : null;
  return {
    projectId,
    projectName: project.name,
    versions,
    deployment,
    events: await deploymentEvents(db, orgId, projectId),
    devices: await deploymentDevices(db, orgId, projectId),
    figures: await deploymentFiguresFor(db, orgId, projectId),
    ready: other ? await notReady(db, orgId, other) : null,
    canChange: mayPromote(actor.role),
    token,
  };
}

function nameOf(versions: ModelVersion[]) {
  return (id: string) => {
    const v = versions.find((x) => x.id === id);
    return v ? `${v.modelName} version ${v.version}` : `version ${id}`;
  };
}

function stateDetail(s: DeploymentState, name: (id: string) => string): Html {
  const c = s.canary;
  return html`<details>
    <summary>ML detail</summary>
    <ul>
      <li>
        Mode: ${MODE_LABELS[s.mode]} (<code>${s.mode}</code>); level: ${LEVEL_LABELS[s.level]}
        (<code>${s.level}</code>)${s.confidence !== undefined ? `, confidence ${pct(s.confidence)}` : ''}
      </li>
      <li>Champion: ${s.champion ? html`${name(s.champion)} <code>${s.champion}</code>` : 'none (people decide)'}</li>
      <li>Challenger: ${s.challenger ? html`${name(s.challenger)} <code>${s.challenger}</code>` : 'none'}</li>
      ${
        c
          ? html`<li>
              Canary: key <code>${c.keyColumn}</code>, ramp ${c.ramp.map(pct).join(' → ')}, step ${c.step + 1} of ${c.ramp.length} (${pct(canaryShare(s))})
              since ${when(c.stepSince)};
              ${c.advance ? `advances by rule after ${c.advance.minPredictions} answers and ${c.advance.minHours} hours` : 'advanced by hand'}; rolls back on
              ${c.rollbackOn.length ? c.rollbackOn.map((k) => MONITOR_WORDS[k]).join(', ') : 'nothing'}
            </li>`
          : ''
      }
    </ul>
  </details>`;
}

function summary(v: View): Html {
  const d = v.deployment;
  if (!d) return html`<p>This project has no deployment yet: devices answer with its production version. Make one below.</p>`;
  const name = nameOf(v.versions);
  return html`<p><strong>${modeSentence(d.state, name)}</strong></p>
    <p>${levelSentence(d.state.level, d.state.confidence)}</p>
    <p>Revision ${d.revision}, changed by ${who(d.changedBy)} at ${when(d.at)}: ${d.why || 'no reason given'}</p>
    ${stateDetail(d.state, name)}`;
}

function buttons(v: View): Html {
  const d = v.deployment;
  if (!d || !v.canChange) return html``;
  const s = d.state;
  const canAdvance = typeof actionChange(d, 'advance', 0) !== 'string';
  const canSwitch = s.mode === 'blue_green';
  const canRollBack = s.mode === 'canary' || s.mode === 'blue_green';
  if (!canAdvance && !canSwitch && !canRollBack) return html``;
  const ready = v.ready;
  return html`<h2>Change it in one step</h2>
    <form method="post" action="${path(v.projectId)}/action">
      ${csrfInput(v.token)}
      <input type="hidden" name="expectedRevision" value="${d.revision}" />
      <label for="action-why">Why</label> <input id="action-why" name="why" maxlength="1000" />
      ${canAdvance ? html`<button name="action" value="advance">Next step of the ramp</button>` : ''}
      ${
        canSwitch && ready
          ? html`<p>The other colour is ready on ${ready.total - ready.missing.length} of ${ready.total} devices seen in the last ${READY_WINDOW_DAYS} days.</p>
              <label><input type="checkbox" name="force" value="1" /> Switch even if not every device is ready</label>
              <button name="action" value="switch">Switch now</button>`
          : ''
      }
      ${canRollBack ? html`<button name="action" value="rollback">Roll back</button>` : ''}
    </form>`;
}

const option = (value: string, label: string, selected: boolean) => html`<option value="${value}" ${selected ? 'selected' : ''}>${label}</option>`;

function changeForm(v: View): Html {
  if (!v.canChange) return html`<p>Only an ML lead or an admin can change the deployment.</p>`;
  const s = v.deployment?.state;
  const c = s?.canary;
  const name = nameOf(v.versions);
  const versionOptions = (selected: string | null | undefined, none: string) =>
    html`${option('', none, !selected)}${v.versions.map((x) => option(x.id, `${name(x.id)} (${x.stage})`, x.id === selected))}`;
  const num = (x: number | undefined) => (x === undefined ? '' : String(x));
  return html`<h2>Change the deployment</h2>
    <form method="post" action="${path(v.projectId)}">
      ${csrfInput(v.token)}
      <input type="hidden" name="expectedRevision" value="${v.deployment?.revision ?? 0}" />
      <p>
        <label for="mode">Mode</label>
        <select id="mode" name="mode">
          ${DeploymentMode.options.map((m) => option(m, MODE_LABELS[m], (s?.mode ?? 'single') === m))}
        </select>
      </p>
      <p>
        <label for="champion">Champion (answers)</label>
        <select id="champion" name="champion">
          ${versionOptions(s?.champion, 'none: people decide (shadow only)')}
        </select>
      </p>
      <p>
        <label for="challenger">Challenger (shadow, canary, or the other colour)</label>
        <select id="challenger" name="challenger">
          ${versionOptions(s?.challenger, 'none')}
        </select>
      </p>
      <p>
        <label for="level">Level of automation</label>
        <select id="level" name="level">
          ${AutomationLevel.options.map((l) => option(l, LEVEL_LABELS[l], (s?.level ?? 'full') === l))}
        </select>
        <label for="confidence">Partial: decides when at least this sure (%)</label>
        <input id="confidence" name="confidence" inputmode="decimal" value="${s?.confidence !== undefined ? +(s.confidence * 100).toFixed(2) : ''}" />
      </p>
      <fieldset>
        <legend>Canary</legend>
        <label for="keyColumn">Key column (a patient or field id)</label> <input id="keyColumn" name="keyColumn" value="${c?.keyColumn ?? ''}" />
        <label for="ramp">Ramp (% of subjects, step by step)</label>
        <input id="ramp" name="ramp" value="${c ? c.ramp.map((r) => +(r * 100).toFixed(2)).join(', ') : '5, 25, 50, 100'}" />
        <p>Next step by rule (empty: by hand):</p>
        <label for="minPredictions">after this many answers</label>
        <input id="minPredictions" name="minPredictions" inputmode="numeric" value="${num(c?.advance?.minPredictions)}" />
        <label for="minHours">and this many hours</label> <input id="minHours" name="minHours" inputmode="decimal" value="${num(c?.advance?.minHours)}" />
        <p>Roll back automatically when the new version is in alert for:</p>
        ${ROLLBACK_MONITORS.map(
          (k) =>
            html`<label
              ><input type="checkbox" name="rollback_${k}" value="1" ${(c ? c.rollbackOn.includes(k) : k === 'errorRate') ? 'checked' : ''} />
              ${MONITOR_WORDS[k]}</label
            > `,
        )}
      </fieldset>
      <p><label for="why">Why</label> <input id="why" name="why" maxlength="1000" class="full" /></p>
      <button>Save the deployment</button>
    </form>`;
}

function history(events: DeploymentEvent[]): Html {
  const what = (e: DeploymentEvent) =>
    ({ changed: 'Changed', advanced: 'Next step', switched: 'Switched', rolled_back: 'Rolled back', refused: 'Refused' })[e.kind] +
    (e.kind === 'refused' ? ` (against revision ${e.revision})` : ` → revision ${e.revision}`);
  return html`<h2>History</h2>
    ${
      events.length
        ? historyTable(
            'Deployment history',
            events.map((e) => ({
              at: e.at,
              what: html`${what(e)}${e.after ? html`<br /><small>${MODE_LABELS[e.after.mode]}, ${LEVEL_LABELS[e.after.level]}</small>` : ''}`,
              actor: e.actor,
              why: e.why,
            })),
          )
        : html`<p>No changes yet.</p>`
    }`;
}

function armRows(f: DeploymentFigures, label: string): Html {
  const quality = (a: ArmFigures) =>
    a.accuracy !== null ? `accuracy ${pct(a.accuracy)}` : a.mae !== null ? `off by ${+a.mae.toPrecision(3)} on average` : '—';
  const row = (a: ArmFigures, agreement: string) =>
    html`<tr>
      <td>${label}</td>
      <td>${a.arm === 'champion' ? 'Champion' : 'Challenger'}</td>
      <td>${a.predictions}</td>
      <td>${a.errors} (${pct(a.errorRate)})</td>
      <td>${a.latencyP95Ms === null ? '—' : `${+a.latencyP95Ms.toPrecision(3)} ms`}</td>
      <td>${agreement}</td>
      <td>${quality(a)} (${a.outcomes} with outcomes)</td>
      <td>${pct(a.deferralRate)}</td>
    </tr>`;
  const agree = f.agreement.cases ? `${f.agreement.agree} of ${f.agreement.cases} (${pct(f.agreement.rate)})` : '—';
  const person = f.personAgreement.cases ? `people: ${f.personAgreement.agree} of ${f.personAgreement.cases} (${pct(f.personAgreement.rate)})` : '';
  return html`${row(f.champion, '—')}${row(f.challenger, [agree, person].filter((x) => x && x !== '—').join('; ') || '—')}`;
}

function figuresView(v: View): Html {
  const f = v.figures;
  return html`<h2>How each version does</h2>
    <p>
      From ${f.predictions} logged cases of this
      deployment${f.capped ? ` (only the newest ${FIGURES_LIMIT.toLocaleString('en')} are read)` : ` (at most the newest ${FIGURES_LIMIT.toLocaleString('en')})`}
      and their outcomes. People decided ${f.fleet.decisions.count}
      cases${f.fleet.decisions.withResult ? `; of those with a real result since, ${pct(f.fleet.decisions.accuracy)} were right` : ''}.
      ${f.fleet.keyMissing ? `${f.fleet.keyMissing} rows had no key and got the champion.` : ''}
      ${f.fleet.behind ? `${f.fleet.behind} cases were answered by a device that was behind.` : ''}
    </p>
    <div class="wrap">
      <table aria-label="Figures per arm">
        <tr>
          <th>Where</th>
          <th>Arm</th>
          <th>Cases</th>
          <th>Failures</th>
          <th>p95 latency</th>
          <th>Agreement</th>
          <th>Quality on outcomes</th>
          <th>Deferral rate</th>
        </tr>
        ${armRows(f.fleet, 'All devices')} ${f.devices.map((d) => armRows(d.figures, d.name))}
      </table>
    </div>`;
}

function devicesView(v: View): Html {
  const d = v.deployment;
  if (!d) return html``;
  const late = v.devices.filter((x) => x.revision !== d.revision || x.behind);
  const name = nameOf(v.versions);
  return html`<h2>Devices not yet on revision ${d.revision} (${late.length} of ${v.devices.length})</h2>
    ${
      late.length
        ? html`<div class="wrap">
            <table aria-label="Devices behind">
              <tr>
                <th>Device</th>
                <th>Last seen</th>
                <th>Follows revision</th>
                <th>Answers with</th>
                <th>Missing a version</th>
              </tr>
              ${late.map(
                (x) =>
                  html`<tr>
                    <td>${x.name}</td>
                    <td>${x.lastSeenAt ?? 'never'}</td>
                    <td>${x.revision ?? 'not reported yet'}</td>
                    <td>${x.serving ? name(x.serving) : '—'}</td>
                    <td>${x.behind ? 'yes: still downloading' : 'no'}</td>
                  </tr>`,
              )}
            </table>
          </div>`
        : html`<p>Every device follows the latest revision.</p>`
    }`;
}

const deploymentView = (v: View) =>
  page(
    `Deployment of ${v.projectName}`,
    html`<p><a href="/console">Back</a></p>
      <h1>Deployment of ${v.projectName}</h1>
      <p><a href="/console/projects/${encodeURIComponent(v.projectId)}/plan">The project’s plan: what it is for, as the field wrote it</a></p>
      <p><a href="/console/projects/${encodeURIComponent(v.projectId)}/data">The project’s data: datasets, versions and labels</a></p>
      ${v.notice ? html`<p role="alert" class="alert">${v.notice}</p>` : ''} ${summary(v)} ${buttons(v)} ${changeForm(v)} ${history(v.events)} ${figuresView(v)}
      ${devicesView(v)}`,
  );

/** The state the change form describes, or a sentence when a field cannot be read. */
export function stateFromForm(form: Record<string, string>, current: Deployment | null, now: number): unknown {
  const mode = form.mode ?? '';
  const percent = (x: string) => (x.trim() === '' ? NaN : Number(x.trim().replace('%', '')) / 100);
  const state: Record<string, unknown> = {
    mode,
    champion: form.champion || null,
    challenger: mode === 'single' ? null : form.challenger || null,
    level: form.level ?? '',
  };
  if (form.confidence?.trim()) {
    const c = percent(form.confidence);
    if (!Number.isFinite(c) || c < 0 || c > 1) return 'Write the confidence as a percentage from 0 to 100, for example 90.';
    state.confidence = c;
  }
  if (mode === 'canary') {
    const ramp = (form.ramp ?? '').split(',').map(percent);
    if (!ramp.length || ramp.some((r) => !Number.isFinite(r) || r <= 0 || r > 1))
      return 'Write the ramp as percentages above 0, up to 100, separated by commas, for example 5, 25, 50, 100.';
    const n = form.minPredictions?.trim() ?? '';
    const h = form.minHours?.trim() ?? '';
    const advance = n || h ? { minPredictions: n ? Number(n) : 1, minHours: h ? Number(h) : 0 } : null;
    if (advance && (!Number.isInteger(advance.minPredictions) || advance.minPredictions < 1 || !Number.isFinite(advance.minHours) || advance.minHours < 0))
      return 'Write the rule as a whole number of answers (1 or more) and a number of hours (0 or more), or leave both empty to advance by hand.';
    // The same canary, changed: it stays where it is on the ramp; a new one starts at the first step.
    const was = current?.state.mode === 'canary' && current.state.challenger === state.challenger ? current.state.canary : undefined;
    const step = was ? Math.min(was.step, ramp.length - 1) : 0;
    state.canary = {
      keyColumn: form.keyColumn ?? '',
      ramp,
      step,
      advance,
      rollbackOn: ROLLBACK_MONITORS.filter((k) => form[`rollback_${k}`]),
      stepSince: was && was.step === step ? was.stepSince : now,
    };
  }
  return state;
}

/** The deployment page and its forms (they need a signed-in session; see consoleRoutes). */
export function deploymentConsoleRoutes(db: Db, now: () => number) {
  const hlc = () => formatHlc({ millis: now(), counter: 0, node: 'console' });
  const show = async (c: Context<Env>, notice?: string, status: ContentfulStatusCode = 200) => {
    const projectId = c.req.param('projectId') ?? '';
    const v = await load(db, c.get('org')!.id, projectId, c.get('actor')!, formToken(c.get('sessionId')!));
    if (!v) return c.html(messageView('Deployment', 'There is no project with that id in this organisation.'), 404);
    return c.html(deploymentView({ ...v, notice }), status);
  };
  const signed = async (c: Context<Env>) => {
    const form = await readForm(c);
    checkFormToken(form, c.get('sessionId'));
    return { orgId: c.get('org')!.id, actor: c.get('actor')!, form, projectId: c.req.param('projectId') ?? '' };
  };
  const expected = (form: Record<string, string>) => {
    const n = Number(form.expectedRevision);
    return Number.isInteger(n) && n >= 0 ? n : -1;
  };
  const apply = async (
    c: Context<Env>,
    orgId: string,
    projectId: string,
    req: { expectedRevision: number; state: unknown; why: string; force?: boolean },
    actor: Actor,
    kind: Parameters<typeof changeDeployment>[7],
  ) => {
    const o = await db.tx((q) => changeDeployment(q, orgId, projectId, req, actor, now(), hlc(), kind));
    if ('deployment' in o) return c.redirect(path(projectId), 303);
    return show(c, o.message, httpStatusOf(o.code as ErrorCode) as ContentfulStatusCode);
  };
  return new Hono<Env>()
    .get('/projects/:projectId/deployment', (c) => show(c))
    .post('/projects/:projectId/deployment', async (c) => {
      const { orgId, actor, form, projectId } = await signed(c);
      if (!mayPromote(actor.role)) return show(c, 'Only an ML lead or an admin can change a deployment.', 403);
      const current = await readDeployment(db, orgId, projectId);
      const state = stateFromForm(form, current, now());
      if (typeof state === 'string') return show(c, state, 400);
      return apply(c, orgId, projectId, { expectedRevision: expected(form), state, why: (form.why ?? '').slice(0, 1000) }, actor, 'changed');
    })
    .post('/projects/:projectId/deployment/action', async (c) => {
      const { orgId, actor, form, projectId } = await signed(c);
      if (!mayPromote(actor.role)) return show(c, 'Only an ML lead or an admin can change a deployment.', 403);
      const action = form.action;
      if (action !== 'advance' && action !== 'switch' && action !== 'rollback') return show(c, 'Choose one of the buttons.', 400);
      const current = await readDeployment(db, orgId, projectId);
      if (!current) return show(c, 'This project has no deployment yet; make one with the form first.', 404);
      const next = actionChange(current, action, now());
      if (typeof next === 'string') return show(c, next, 400);
      const req = { expectedRevision: expected(form), state: next.state, why: (form.why ?? '').slice(0, 1000), force: form.force === '1' };
      return apply(c, orgId, projectId, req, actor, next.kind);
    });
}
