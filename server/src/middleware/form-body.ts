import type { Context } from 'hono';
import { OutpostError } from '@shared/errors.js';

/**
 * Read an HTML form's fields (urlencoded or multipart), keeping text fields only. A body that
 * claims to be a form and is not one is a 400, not a 500.
 */
export async function readForm(c: Context): Promise<Record<string, string>> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody();
  } catch {
    throw new OutpostError('invalid_body', 'The form could not be read. Reload the page and send it again.');
  }
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
