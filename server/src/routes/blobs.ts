import { Hono } from 'hono';
import { OutpostError } from '@shared/errors.js';
import { BlobName } from '@shared/sync/protocol.js';
import type { Db } from '../store/db.js';
import { admitChunk, blobStatus, DEFAULT_BLOB_LIMITS, ownedBlobSize, putChunk, streamBlob, type BlobLimits } from '../store/blobs.js';
import { deviceAuth, type DeviceVars } from '../middleware/auth.js';
import { limitBody } from '../middleware/body-limit.js';
import { protocolGate } from '../middleware/protocol.js';

/** Most bytes in one uploaded chunk (devices send 256 KiB). */
export const MAX_CHUNK = 1024 * 1024;

function blobName(name: string): string {
  if (!BlobName.safeParse(name).success)
    throw new OutpostError('invalid_blob_name', 'A blob name is the lowercase SHA-256 hex of its bytes (64 characters 0-9, a-f).');
  return name;
}

/** A whole number of bytes from the query string: digits only, within what a double holds exactly. */
function byteCount(value: string | undefined): number {
  const n = /^\d{1,16}$/.test(value ?? '') ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new OutpostError('bad_request', 'Give ?offset= and ?total= as whole numbers of bytes.');
  return n;
}

export type ByteRange = { start: number; end: number };

/**
 * One HTTP byte range (RFC 9110 §14.1.2) of a blob of `size` bytes, as [start, end): undefined
 * without a Range header, 'unsatisfiable' for a range that names no byte of the blob (a start at
 * or past the end, a last byte before the first, a zero suffix, numbers past 2^53). Anything that
 * is not one range in the bytes unit is refused with a sentence.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === ''))
    throw new OutpostError('bad_request', 'Ask for one range of bytes: "Range: bytes=first-last", "bytes=first-" or "bytes=-count".');
  const first = m[1] === '' ? undefined : Number(m[1]);
  const last = m[2] === '' ? undefined : Number(m[2]);
  if ([first, last].some((n) => n !== undefined && !Number.isSafeInteger(n))) return 'unsatisfiable';
  if (first === undefined) {
    // The suffix form: the last `last` bytes.
    if (last === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - last!), end: size };
  }
  if (first >= size || (last !== undefined && last < first)) return 'unsatisfiable';
  return { start: first, end: Math.min(size, last === undefined ? size : last + 1) };
}

export interface BlobRouteOptions {
  limits?: BlobLimits;
  now?: () => number;
}

/** Content-addressed blobs: status, resumable chunked upload, and ranged download. */
export function blobRoutes(db: Db, limit?: (key: string) => Promise<void>, { limits = DEFAULT_BLOB_LIMITS, now = Date.now }: BlobRouteOptions = {}) {
  return new Hono<{ Variables: DeviceVars }>()
    .use('*', protocolGate(), deviceAuth(db, limit))
    .get('/:hash/status', async (c) => {
      const s = await blobStatus(db, c.get('device').orgId, blobName(c.req.param('hash')));
      if (!s) throw new OutpostError('not_found', 'No such blob for this organisation; upload it from offset 0.');
      return c.json(s);
    })
    .put('/:hash', limitBody(MAX_CHUNK), async (c) => {
      const hash = blobName(c.req.param('hash'));
      const orgId = c.get('device').orgId;
      const offset = byteCount(c.req.query('offset'));
      const total = byteCount(c.req.query('total'));
      // Limits, offsets and a finished blob are answered before the body is read.
      const done = await admitChunk(db, orgId, hash, offset, total, limits);
      if (done) return c.json(done);
      const chunk = new Uint8Array(await c.req.arrayBuffer());
      return c.json(await putChunk(db, orgId, hash, offset, total, chunk, { limits, now: now() }));
    })
    .get('/:hash', async (c) => {
      const hash = blobName(c.req.param('hash'));
      const size = await ownedBlobSize(db, c.get('device').orgId, hash);
      if (size === undefined) throw new OutpostError('not_found', 'No such blob for this organisation.');
      const range = parseRange(c.req.header('range'), size);
      if (range === 'unsatisfiable') {
        const e = new OutpostError('range_not_satisfiable', `This blob has ${size} bytes; ask for a range that starts before byte ${size}.`, { size });
        return c.json(e.toJSON(), 416, { 'content-range': `bytes */${size}` });
      }
      const { start, end } = range ?? { start: 0, end: size };
      const headers: Record<string, string> = {
        'content-type': 'application/octet-stream',
        'content-length': String(end - start),
        'accept-ranges': 'bytes',
        'cache-control': 'private, max-age=31536000, immutable',
      };
      if (range) headers['content-range'] = `bytes ${start}-${end - 1}/${size}`;
      // Streamed part by part (at most 1 MiB each) rather than capped: a device or tool that asks
      // for the whole blob gets it in one answer, and the server holds about one part at a time.
      return c.body(streamBlob(db, hash, start, end), range ? 206 : 200, headers);
    });
}
