import { gunzipSync } from 'node:zlib';
import { PUSH_LIMITS } from '@shared/sync/protocol.js';
import { OutpostError } from '@shared/errors.js';

/** Most a gzip-compressed body may expand to. */
export const MAX_INFLATED_BYTES = 2 * PUSH_LIMITS.maxBytes;

/**
 * Deepest nesting of arrays and objects a request may have. Nothing Outpost sends nests past a
 * handful of levels; thousands of levels would overflow the stack of whatever walks the value next
 * (schema checks, JSON encoding for the database), which is a 500 instead of a 400.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * How deeply `text` nests arrays and objects, counted outside strings, stopping as soon as it
 * passes `limit`. Runs before JSON.parse so no deep value is ever built.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > limit) return true;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return false;
}

async function bodyText(req: Request): Promise<string> {
  if ((req.headers.get('content-encoding') ?? '').toLowerCase() !== 'gzip') return req.text();
  const buf = Buffer.from(await req.arrayBuffer());
  try {
    return gunzipSync(buf, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new OutpostError('payload_too_large', `The request expands to more than ${MAX_INFLATED_BYTES / 1e6} MB. Send it in smaller batches.`);
    }
    throw new OutpostError('invalid_body', 'The request says it is gzip-compressed but is not. Send it again, compressed or not.');
  }
}

/**
 * Read a JSON body, inflating it first when it was sent with `Content-Encoding: gzip` (devices
 * compress pushes: a 2G link forgives nothing). A body that inflates past the limit is a 413; one
 * nested deeper than MAX_JSON_DEPTH is a 400.
 */
export async function readJson(req: Request): Promise<unknown> {
  const text = await bodyText(req);
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new OutpostError('invalid_body', `The request nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep. Send plainer data.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new OutpostError('invalid_json', 'The request body is not valid JSON.');
  }
}
