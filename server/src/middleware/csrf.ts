import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { OutpostError } from '@shared/errors.js';

/** The hidden field every console form carries. */
export const CSRF_FIELD = 'csrf';

/**
 * The form token for a secret that only the browser holds, in an HttpOnly cookie (the session id,
 * or before sign-in a random login cookie). Only a page this server rendered for that browser can
 * know it; another site can neither read the cookie nor our pages.
 */
export const formToken = (secret: string): string => createHmac('sha256', secret).update('outpost console form').digest('base64url');

/** Refuse a form whose token does not belong to `secret` (403). */
export function checkFormToken(form: Record<string, string>, secret: string | undefined): void {
  const sent = Buffer.from(form[CSRF_FIELD] ?? '');
  const expected = Buffer.from(secret ? formToken(secret) : '');
  if (!secret || sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
    throw new OutpostError('forbidden', 'This form has expired or did not come from this console. Reload the page and try again.');
  }
}

/**
 * Forms are accepted only from our own pages: Hono's csrf() origin check (Origin equal to the
 * server's own, or Sec-Fetch-Site: same-origin), answered as a 403 with a sentence.
 */
export const sameOriginForms = (ownOrigin: (c: Context) => string) => {
  const check = csrf({ origin: (origin, c) => origin === ownOrigin(c) });
  return createMiddleware(async (c, next) => {
    try {
      await check(c, async () => {});
    } catch (e) {
      if (e instanceof HTTPException)
        throw new OutpostError('forbidden', 'This form was sent from another site. Open the console at its own address and try again.');
      throw e;
    }
    await next();
  });
};
