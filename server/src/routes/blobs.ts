import { Hono } from 'hono';
import { OutpostError } from '@shared/errors.js';
import { BlobName } from '@shared/sync/protocol.js';
import type { Db } from '../store/db.js';
import { blobStatus, putChunk, readBlob } from '../store/blobs.js';
import { deviceAuth, type DeviceVars } from '../middleware/auth.js';
import { limitBody } from '../middleware/body-limit.js';

const MAX_CHUNK = 1024 * 1024;

function blobName(name: string): string {
  if (!BlobName.safeParse(name).success)
    throw new OutpostError('invalid_blob_name', 'A blob name is the lowercase SHA-256 hex of its bytes (64 characters 0-9, a-f).');
  return name;
}

/** Content-addressed blobs: status, resumable chunked upload, and ranged download. */
export function blobRoutes(db: Db, limit?: (key: string) => Promise<void>) {
  return new Hono<{ Variables: DeviceVars }>()
    .use('*', deviceAuth(db, limit))
    .get('/:hash/status', async (c) => {
      const s = await blobStatus(db, c.get('device').orgId, blobName(c.req.param('hash')));
      if (!s) throw new OutpostError('not_found', 'No such blob for this organisation; upload it from offset 0.');
      return c.json(s);
    })
    .put('/:hash', limitBody(MAX_CHUNK), async (c) => {
      const hash = blobName(c.req.param('hash'));
      const offset = Number(c.req.query('offset'));
      const total = Number(c.req.query('total'));
      if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(total) || total < 0 || total > 512 * 1024 * 1024) {
        throw new OutpostError('bad_request', 'Give ?offset= and ?total= as whole numbers of bytes (total at most 512 MB).');
      }
      const chunk = new Uint8Array(await c.req.arrayBuffer());
      return c.json(await putChunk(db, c.get('device').orgId, hash, offset, total, chunk));
    })
    .get('/:hash', async (c) => {
      const hash = blobName(c.req.param('hash'));
      const range = /^bytes=(\d+)-(\d*)$/.exec(c.req.header('range') ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = range && range[2] ? Number(range[2]) + 1 : undefined;
      const blob = await readBlob(db, c.get('device').orgId, hash, start, end);
      if (!blob) throw new OutpostError('not_found', 'No such blob for this organisation.');
      const headers: Record<string, string> = {
        'content-type': 'application/octet-stream',
        'accept-ranges': 'bytes',
        'cache-control': 'private, max-age=31536000, immutable',
      };
      if (range) {
        if (start >= blob.size && blob.size > 0) return c.body(null, 416, { 'content-range': `bytes */${blob.size}` });
        headers['content-range'] = `bytes ${start}-${start + blob.bytes.length - 1}/${blob.size}`;
        return c.body(blob.bytes as Uint8Array<ArrayBuffer>, 206, headers);
      }
      return c.body(blob.bytes as Uint8Array<ArrayBuffer>, 200, headers);
    });
}
