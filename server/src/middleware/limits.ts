import { gunzipSync } from 'node:zlib';
import { PUSH_LIMITS } from '@shared/sync/protocol.js';
import { bodyLimit } from 'hono/body-limit';
import { OutpostError } from '@shared/errors.js';

/** Refuse a body over `maxSize` bytes with 413 before it is parsed (Content-Length or streamed). */
export const limitBody = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new OutpostError('payload_too_large', `The request is larger than ${Math.round(maxSize / 1024)} KB. Send it in smaller batches.`);
    },
  });

/** Most a gzip-compressed body may expand to. */
export const MAX_INFLATED_BYTES = 2 * PUSH_LIMITS.maxBytes;

/**
 * Read a JSON body, inflating it first when it was sent with `Content-Encoding: gzip` (devices
 * compress pushes: a 2G link forgives nothing). A body that inflates past the limit is a 413.
 */
export async function readJson(req: Request): Promise<unknown> {
  let text: string;
  if ((req.headers.get('content-encoding') ?? '').toLowerCase() === 'gzip') {
    const buf = Buffer.from(await req.arrayBuffer());
    try {
      text = gunzipSync(buf, { maxOutputLength: MAX_INFLATED_BYTES }).toString('utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
        throw new OutpostError('payload_too_large', `The request expands to more than ${MAX_INFLATED_BYTES / 1e6} MB. Send it in smaller batches.`);
      }
      throw new OutpostError('invalid_body', 'The request says it is gzip-compressed but is not.');
    }
  } else text = await req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new OutpostError('invalid_json', 'The request body is not valid JSON.');
  }
}

/**
 * A per-device request budget (token bucket, per server process): `perMinute` requests with bursts
 * up to the same number. Past it: 429 with Retry-After, and the device backs off.
 */
export function rateLimit(perMinute: number, now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (key: string) => {
    const t = now();
    const b = buckets.get(key) ?? { tokens: perMinute, at: t };
    b.tokens = Math.min(perMinute, b.tokens + ((t - b.at) / 60_000) * perMinute);
    b.at = t;
    if (b.tokens < 1) {
      buckets.set(key, b);
      const wait = Math.ceil(((1 - b.tokens) / perMinute) * 60);
      throw new OutpostError('rate_limited', `This device is sending too many requests; it will try again in ${wait} s.`, { retryAfter: wait });
    }
    b.tokens -= 1;
    buckets.set(key, b);
    if (buckets.size > 100_000) buckets.clear();
  };
}
