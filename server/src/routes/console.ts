import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { randomUUID } from 'node:crypto';
import { httpStatusOf, isOutpostError } from '@shared/errors.js';
import { Stage } from '@shared/schema/records.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Db } from '../store/db.js';
import { createEnrollmentCode, orgForAdminKey } from '../store/orgs.js';
import { consoleOverview } from '../store/console.js';
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

/** A plain server page for an organisation's admins: devices, runs and model versions. */
export function consoleRoutes({ db, now, throttle, trustProxy }: ConsoleDeps) {
  const https = (c: Context) => requestOrigin(c, trustProxy).startsWith('https:');
  const login = (c: Context, error = '', status: ContentfulStatusCode = error ? 401 : 200) =>
    c.html(loginView(formToken(loginSecret(c, https(c))), error), status);
  // Every signed-in form carries the session's token; a missing or stale one is a 403.
  const signedInForm = async (c: Context<Env>) => {
    const form = await readForm(c);
    checkFormToken(form, c.get('sessionId'));
    return { org: c.get('org')!, form };
  };

  const app = new Hono<Env>();
  app.onError(consoleError);
  app.use(
    '*',
    limitBody(CONSOLE_FORM_LIMIT, 'Send less.'),
    sameOriginForms((c) => requestOrigin(c, trustProxy)),
    consoleSession(db, now),
  );
  // Forms other than sign-in and sign-out need a live session.
  app.use('/versions/*', async (c, next) => (c.get('org') ? next() : login(c, 'Sign in first.')));
  app.use('/codes', async (c, next) => (c.get('org') ? next() : login(c, 'Sign in first.')));

  return app
    .get('/', async (c) => {
      const org = c.get('org');
      if (!org) return login(c);
      return c.html(overviewView(org, await consoleOverview(db, org.id), formToken(c.get('sessionId')!)));
    })
    .post('/login', async (c) => {
      const form = await readForm(c);
      const secret = sentLoginSecret(c);
      try {
        checkFormToken(form, secret);
      } catch {
        return login(c, 'The sign-in page had expired. Type the key again.', 403);
      }
      await throttle.check(c);
      const org = await orgForAdminKey(db, form.key ?? '');
      if (!org) {
        await throttle.fail(c);
        return login(c, 'That admin key is not known.');
      }
      const { sessionId } = await createConsoleSession(db, org.id, now());
      startSession(c, sessionId, https(c));
      return c.redirect('/console');
    })
    .post('/logout', async (c) => {
      const sessionId = c.get('sessionId');
      if (sessionId) {
        checkFormToken(await readForm(c), sessionId);
        await revokeConsoleSession(db, sessionId, now());
      }
      endSession(c);
      return c.redirect('/console');
    })
    .post('/versions/:id/stage', async (c) => {
      const { org, form } = await signedInForm(c);
      const from = Stage.safeParse(form.from);
      const to = Stage.safeParse(form.to);
      if (!from.success || !to.success) return c.html(messageView('Stage', 'Choose a stage.'), 400);
      const outcome = await db.tx((q) =>
        moveStage(
          q,
          org.id,
          { id: randomUUID(), modelVersionId: c.req.param('id'), from: from.data, to: to.data, createdAt: now() },
          formatHlc({ millis: now(), counter: 0, node: 'console' }),
          null,
        ),
      );
      if (outcome !== 'applied') return c.html(messageView('Stage', outcome.message), 409);
      return c.redirect('/console');
    })
    .post('/codes', async (c) => {
      const { org } = await signedInForm(c);
      const { code, expiresAt } = await createEnrollmentCode(db, org.id, 7, now());
      return c.html(codeView(code, expiresAt));
    });
}
