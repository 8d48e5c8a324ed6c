import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { httpStatusOf, isOutpostError, OutpostError } from '@shared/errors.js';

/**
 * The one place errors become HTTP answers: `{ error: { code, message } }` with the status for
 * the code. Database connection failures are transient (503, retry later); anything unexpected is
 * a 500 with a plain sentence, never a stack trace.
 */
export function onError(err: Error, c: Context) {
  if (isOutpostError(err)) {
    const retryAfter = (err.details as { retryAfter?: number } | undefined)?.retryAfter;
    if (retryAfter) c.header('retry-after', String(retryAfter));
    return c.json(err.toJSON(), httpStatusOf(err.code) as ContentfulStatusCode);
  }
  // Hono's own refusals (e.g. a body it could not parse) are the client's doing: keep their 4xx.
  if (err instanceof HTTPException && err.status < 500) {
    const e = new OutpostError('bad_request', 'The server could not accept this request as sent. Check it and send it again.');
    return c.json(e.toJSON(), err.status as ContentfulStatusCode);
  }
  if (isUnstorableValue(err)) {
    const e = new OutpostError(
      'bad_request',
      'The request holds a value the server cannot store: a NUL character, a broken Unicode character or a number out of range. Remove it and send again.',
    );
    return c.json(e.toJSON(), 400);
  }
  if (isTransientDbError(err)) {
    const e = new OutpostError('store_unavailable', 'The server cannot reach its database right now. Nothing was saved; your device will try again.');
    return c.json(e.toJSON(), 503);
  }
  console.error(err);
  return c.json(new OutpostError('internal', 'Something went wrong on the server. Nothing was saved; try again later.').toJSON(), 500);
}

const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '40001', '40P01', '53300']);
function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return !!code && TRANSIENT.has(code);
}

// PostgreSQL's data exceptions for values that came with a request (a NUL in text, \u0000 or a
// lone surrogate in JSON, a number past bigint): the request's fault, so a 400, never a 500. The
// routes check what they can first; this is the backstop for any value that slips through.
const UNSTORABLE = new Set(['22021', '22P05', '22P02', '22003']);
function isUnstorableValue(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return !!code && UNSTORABLE.has(code);
}

export function notFound(c: Context) {
  return c.json(new OutpostError('not_found', `Nothing at ${c.req.path}.`).toJSON(), 404);
}
