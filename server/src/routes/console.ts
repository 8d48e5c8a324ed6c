import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { randomUUID } from 'node:crypto';
import { httpStatusOf, isOutpostError, type ErrorCode } from '@shared/errors.js';
import { serverGates } from '../store/gates.js';
import { Stage } from '@shared/schema/records.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Db } from '../store/db.js';
import { createEnrollmentCode, getOrg, listDevices, orgForAdminKey } from '../store/orgs.js';
import { personForKey } from '../store/people.js';
import { registryConsoleRoutes, registrySections } from './console-registry.js';
import { humanConsoleRoutes } from './console-human.js';
import { deploymentConsoleRoutes } from './console-deployments.js';
import { planConsoleRoutes } from './console-plan.js';
import { dataConsoleRoutes, projectsSection } from './console-data.js';
import { projectList } from '../store/console-data.js';
import { html } from 'hono/html';
import { consoleOverview, fleetInput } from '../store/console.js';
import { fleetOf } from '@shared/monitor/fleet.js';
import { fleetTable, versionMonitorView } from './console-monitor.js';
import { createConsoleSession, revokeConsoleSession } from '../store/sessions.js';
import { moveStage } from '../store/sync.js';
import { onError } from '../middleware/errors.js';
import { limitBody } from '../middleware/body-limit.js';
import { readForm } from '../middleware/form-body.js';
import { checkFormToken, formToken, sameOriginForms } from '../middleware/csrf.js';
import { consoleSession, endSession, loginSecret, sentLoginSecret, startSession, type ConsoleVars } from '../middleware/console-session.js';
import { requestOrigin } from '../middleware/client-address.js';
import type { FailureThrottle } from '../middleware/throttle.js';
import { codeView, loginView, messageView, overviewView } from './console-page.js';

/** Most bytes a console form may send (the largest is an admin key). */
export const CONSOLE_FORM_LIMIT = 16 * 1024;

export interface ConsoleDeps {
  db: Db;
  now: () => number;
  /** Counts wrong admin keys at sign-in. */
  throttle: FailureThrottle;
  trustProxy: boolean;
}

type Env = { Variables: ConsoleVars };

// Errors in the console are pages, not JSON: the sentence, the status, and a way back.
function consoleError(err: Error, c: Context) {
  if (!isOutpostError(err)) return onError(err, c);
  const retryAfter = (err.details as { retryAfter?: number } | undefined)?.retryAfter;
  if (retryAfter) c.header('retry-after', String(retryAfter));
  return c.html(messageView('Not done', err.message), httpStatusOf(err.code) as ContentfulStatusCode);
}

const https = (c: Context, trustProxy: boolean) => requestOrigin(c, trustProxy).startsWith('https:');

/** The sign-in page (with `error` when a try failed), with its form token. */
const loginPage = (c: Context, trustProxy: boolean, error = '', status: ContentfulStatusCode = error ? 401 : 200) =>
  c.html(loginView(formToken(loginSecret(c, https(c, trustProxy))), error), status);

// Every signed-in form carries the session's token; a missing or stale one is a 403.
async function signedInForm(c: Context<Env>) {
  const form = await readForm(c);
  checkFormToken(form, c.get('sessionId'));
  return { org: c.get('org')!, form };
}

/** POST /login: the page's own token, then the throttle, then the key; a session on success. */
async function signIn(c: Context<Env>, { db, now, throttle, trustProxy }: ConsoleDeps) {
  const form = await readForm(c);
  try {
    checkFormToken(form, sentLoginSecret(c));
  } catch {
    return loginPage(c, trustProxy, 'The sign-in page had expired. Type the key again.', 403);
  }
  await throttle.check(c);
  // The organisation's admin key, or a person's own key (their role decides what they may do).
  const key = form.key ?? '';
  const person = await personForKey(db, key);
  const org = person ? await getOrg(db, person.orgId) : await orgForAdminKey(db, key);
  if (!org) {
    await throttle.fail(c);
    return loginPage(c, trustProxy, 'That key is not known.');
  }
  const { sessionId } = await createConsoleSession(db, org.id, now(), person?.id ?? null);
  startSession(c, sessionId, https(c, trustProxy));
  return c.redirect('/console');
}

/** POST /versions/:id/stage: a compare-and-set stage move, in one transaction like every writer. */
async function moveVersionStage(c: Context<Env>, { db, now }: ConsoleDeps) {
  const { org, form } = await signedInForm(c);
  const from = Stage.safeParse(form.from);
  const to = Stage.safeParse(form.to);
  if (!from.success || !to.success) return c.html(messageView('Stage', 'Choose a stage.'), 400);
  const outcome = await db.tx((q) =>
    moveStage(
      q,
      org.id,
      { id: randomUUID(), modelVersionId: c.req.param('id') ?? '', from: from.data, to: to.data, createdAt: now(), why: (form.why ?? '').slice(0, 1000) },
      formatHlc({ millis: now(), counter: 0, node: 'console' }),
      c.get('actor')!,
      serverGates(),
    ),
  );
  if (outcome === 'proposed') return c.redirect('/console');
  if (outcome !== 'applied') return c.html(messageView('Stage', outcome.message), httpStatusOf(outcome.code as ErrorCode) as ContentfulStatusCode);
  return c.redirect('/console');
}

/** A plain server page for an organisation's admins: devices, runs and model versions. */
export function consoleRoutes(deps: ConsoleDeps) {
  const { db, now, trustProxy } = deps;
  const app = new Hono<Env>();
  app.onError(consoleError);
  app.use(
    '*',
    limitBody(CONSOLE_FORM_LIMIT, 'Send less.'),
    sameOriginForms((c) => requestOrigin(c, trustProxy)),
    consoleSession(db, now),
  );
  // Forms other than sign-in and sign-out need a live session.
  const needSession = createMiddleware<Env>(async (c, next) => (c.get('org') ? next() : loginPage(c, trustProxy, 'Sign in first.')));
  app.use('/versions/*', needSession);
  app.use('/codes', needSession);
  for (const path of ['/people', '/people/*', '/proposals/*', '/projects/*']) app.use(path, needSession);

  return app
    .get('/', async (c) => {
      const org = c.get('org');
      if (!org) return loginPage(c, trustProxy);
      const overview = await consoleOverview(db, org.id);
      const fleet = fleetOf(await fleetInput(db, org.id));
      const token = formToken(c.get('sessionId')!);
      const registry = await registrySections(db, org.id, c.get('actor')!, token);
      const projects = projectsSection(await projectList(db, org.id));
      return c.html(overviewView(org, overview, token, html`${projects} ${registry} ${fleetTable(fleet, overview.devices)}`));
    })
    .get('/versions/:id/monitor', async (c) => {
      const org = c.get('org')!;
      const [f] = fleetOf(await fleetInput(db, org.id, c.req.param('id')));
      if (!f) return c.html(messageView('Monitoring', 'No device has sent monitor counts for that model version yet.'), 404);
      return c.html(versionMonitorView(f, await listDevices(db, org.id)));
    })
    .post('/login', (c) => signIn(c, deps))
    .post('/logout', async (c) => {
      const sessionId = c.get('sessionId');
      if (sessionId) {
        checkFormToken(await readForm(c), sessionId);
        await revokeConsoleSession(db, sessionId, now());
      }
      endSession(c);
      return c.redirect('/console');
    })
    .post('/versions/:id/stage', (c) => moveVersionStage(c, deps))
    .route('/', registryConsoleRoutes(db, now))
    .route('/', humanConsoleRoutes(db))
    .route('/', deploymentConsoleRoutes(db, now))
    .route('/', planConsoleRoutes(db))
    .route('/', dataConsoleRoutes(db))
    .post('/codes', async (c) => {
      const { org } = await signedInForm(c);
      const { code, expiresAt } = await createEnrollmentCode(db, org.id, 7, now());
      return c.html(codeView(code, expiresAt));
    });
}
