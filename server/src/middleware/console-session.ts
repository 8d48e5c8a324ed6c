import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Queryable } from '../store/db.js';
import type { Org } from '../store/orgs.js';
import { CONSOLE_SESSION_MS, consoleSessionOf } from '../store/sessions.js';
import type { Actor } from '@shared/schema/registry.js';
import { newToken } from '../store/secrets.js';

const SESSION_COOKIE = 'outpost_session';
const LOGIN_COOKIE = 'outpost_login';
// Our ids are 48 characters; anything much longer is not one of ours and is not looked up.
const MAX_COOKIE = 128;

export type ConsoleVars = { org: Org | undefined; sessionId: string | undefined; actor: Actor | undefined };

const cookieOptions = (secure: boolean) => ({ httpOnly: true, secure, sameSite: 'Strict' as const, path: '/console' });

/** Who is signed in to the console: the organisation of a live session cookie, if any. */
export const consoleSession = (db: Queryable, now: () => number) =>
  createMiddleware<{ Variables: ConsoleVars }>(async (c, next) => {
    const id = getCookie(c, SESSION_COOKIE);
    const session = id && id.length <= MAX_COOKIE ? await consoleSessionOf(db, id, now()) : undefined;
    c.set('org', session?.org);
    c.set('actor', session?.actor);
    c.set('sessionId', session ? id : undefined);
    await next();
  });

/** Signed in: the session cookie (Secure over HTTPS) replaces the sign-in page's cookie. */
export function startSession(c: Context, sessionId: string, secure: boolean): void {
  setCookie(c, SESSION_COOKIE, sessionId, { ...cookieOptions(secure), maxAge: CONSOLE_SESSION_MS / 1000 });
  deleteCookie(c, LOGIN_COOKIE, { path: '/console' });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console' });
}

/** The sign-in page's own secret (its form token is made from it), set once per browser. */
export function loginSecret(c: Context, secure: boolean): string {
  const existing = getCookie(c, LOGIN_COOKIE);
  if (existing && existing.length <= MAX_COOKIE) return existing;
  const secret = newToken('opl');
  setCookie(c, LOGIN_COOKIE, secret, { ...cookieOptions(secure), maxAge: 3600 });
  return secret;
}

/** The sign-in page's secret as the browser sent it back (undefined when it has none). */
export const sentLoginSecret = (c: Context): string | undefined => getCookie(c, LOGIN_COOKIE);
