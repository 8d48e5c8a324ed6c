import { createHash } from 'node:crypto';
import { OutpostError } from '@shared/errors.js';
import type { Db, Queryable } from './db.js';

/**
 * Content-addressed blobs kept in the database (so server processes stay stateless). Uploads arrive
 * in chunks at explicit offsets and can resume; the bytes are verified against their SHA-256 name
 * before the blob exists. One stored copy however many devices or organisations upload it; an
 * organisation can read a blob only after one of its devices uploaded (and so proved) the bytes.
 *
 * Memory stays within a few chunks whatever a blob's size: a chunk is at most 1 MiB, a finished
 * upload is hashed one chunk at a time and its chunks become the blob's parts inside the database
 * (insert … select), and reads fetch only the parts they need.
 */
export interface BlobStatus {
  hash: string;
  size: number;
  offset: number;
  complete: boolean;
}

export interface BlobLimits {
  /** Most bytes one blob may have. */
  maxBlobBytes: number;
  /** Most bytes an organisation may hold: its stored blobs plus its partial uploads' declared totals. */
  maxOrgBlobBytes: number;
}

export const DEFAULT_BLOB_LIMITS: BlobLimits = { maxBlobBytes: 64 * 1024 * 1024, maxOrgBlobBytes: 2 * 1024 * 1024 * 1024 };

const MiB = 1024 * 1024;
const mb = (bytes: number) => (bytes < MiB ? `${bytes} bytes` : `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MB`);

export async function blobStatus(db: Queryable, orgId: string, hash: string): Promise<BlobStatus | undefined> {
  const size = await ownedBlobSize(db, orgId, hash);
  if (size !== undefined) return { hash, size, offset: size, complete: true };
  const [partial] = await db.query<{ received: number; total: number | null }>(
    `select coalesce(sum(length(bytes)), 0)::bigint as received, max(total) as total from blob_chunks where org_id = $1 and hash = $2`,
    [orgId, hash],
  );
  if (!partial || partial.total === null) return undefined;
  return { hash, size: Number(partial.total), offset: Number(partial.received), complete: false };
}

/** The size of a blob this organisation owns (one of its devices uploaded the bytes). */
export async function ownedBlobSize(db: Queryable, orgId: string, hash: string): Promise<number | undefined> {
  const [owned] = await db.query<{ size: number }>(`select b.size from blob_owners o join blobs b on b.hash = o.hash where o.hash = $1 and o.org_id = $2`, [
    hash,
    orgId,
  ]);
  return owned ? Number(owned.size) : undefined;
}

/** Bytes counted against an organisation's limit: its stored blobs plus its other partial uploads' declared totals. */
async function orgBlobBytes(q: Queryable, orgId: string, exceptHash: string): Promise<number> {
  const [row] = await q.query<{ used: number }>(
    `select (select coalesce(sum(b.size), 0) from blob_owners o join blobs b on b.hash = o.hash where o.org_id = $1)
          + (select coalesce(sum(t), 0) from (select max(total) as t from blob_chunks where org_id = $1 and hash <> $2 group by hash) p) as used`,
    [orgId, exceptHash],
  );
  return Number(row.used);
}

/**
 * Everything that can be said about a chunk before its body is read: the blob is already complete
 * (its status, nothing to do), or the chunk is refused (413 over a limit, 409 at the wrong offset,
 * 400 for a changed total). Undefined means: read the body and store it. putChunk checks again.
 */
export async function admitChunk(
  q: Queryable,
  orgId: string,
  hash: string,
  offset: number,
  total: number,
  limits: BlobLimits,
): Promise<BlobStatus | undefined> {
  const status = await blobStatus(q, orgId, hash);
  if (status?.complete) return status;
  if (total > limits.maxBlobBytes)
    throw new OutpostError(
      'payload_too_large',
      `This file is ${mb(total)}; the server takes files of at most ${mb(limits.maxBlobBytes)}. Ask your coordinator to raise the server's limit (OUTPOST_MAX_BLOB_BYTES).`,
    );
  if (status && status.size !== total)
    throw new OutpostError(
      'bad_request',
      `This upload was started with a total of ${status.size} bytes, not ${total}; a SHA-256 name always has the same length. Send total=${status.size}.`,
    );
  if (offset !== (status?.offset ?? 0)) {
    const have = status?.offset ?? 0;
    throw new OutpostError('blob_offset_mismatch', `The server has ${have} bytes of this blob; continue from offset ${have}.`, { offset: have });
  }
  if (!status && (await orgBlobBytes(q, orgId, hash)) + total > limits.maxOrgBlobBytes)
    throw new OutpostError(
      'payload_too_large',
      `Your organisation's files on the server would pass its limit of ${mb(limits.maxOrgBlobBytes)}. Ask your coordinator to remove old model versions or raise the limit (OUTPOST_MAX_ORG_BLOB_BYTES).`,
    );
  return undefined;
}

// Bytes cross to the database as hex text: PGlite turns a bytea parameter or column into hex one
// byte at a time in JavaScript (about a second and tens of MB per MiB); Buffer's codec is native.
// PostgreSQL's wire format for bytea is hex text anyway.
const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

// Serialises the chunks of one upload (every server process, one database).
const lockUpload = (q: Queryable, orgId: string, hash: string) => q.query(`select pg_advisory_xact_lock(hashtext($1 || $2))`, [orgId, hash]);

export interface PutChunkOptions {
  limits?: BlobLimits;
  /** When the chunk arrived (epoch ms): partial uploads untouched for long expire. */
  now?: number;
}

/**
 * Store one chunk at `offset` of an upload declared `total` bytes long. A chunk is never empty
 * (except the one chunk of a zero-byte blob) and starts exactly where the received bytes end, so
 * the stored chunks always tile [0, received) and no sequence of chunks can wedge an upload.
 */
export async function putChunk(
  db: Db,
  orgId: string,
  hash: string,
  offset: number,
  total: number,
  chunk: Uint8Array,
  opts: PutChunkOptions = {},
): Promise<BlobStatus> {
  const limits = opts.limits ?? DEFAULT_BLOB_LIMITS;
  const now = opts.now ?? Date.now();
  const result = await db.tx(async (q) => {
    await lockUpload(q, orgId, hash);
    // A new upload also takes its organisation's lock, so concurrent starts cannot pass the limit together.
    if (offset === 0) await q.query(`select pg_advisory_xact_lock(hashtext('blob-quota' || $1))`, [orgId]);
    const done = await admitChunk(q, orgId, hash, offset, total, limits);
    if (done) return done;
    if (chunk.length === 0 && total > 0)
      throw new OutpostError('bad_request', 'A chunk is empty; send at least one byte (only a zero-byte file is sent as one empty chunk).');
    if (offset + chunk.length > total) throw new OutpostError('bad_request', `The chunk goes past the declared total of ${total} bytes.`);
    if (chunk.length > 0)
      await q.query(`insert into blob_chunks (org_id, hash, "offset", total, bytes, written_at) values ($1, $2, $3, $4, decode($5, 'hex'), $6)`, [
        orgId,
        hash,
        offset,
        total,
        hex(chunk),
        new Date(now).toISOString(),
      ]);
    const received = offset + chunk.length;
    if (received < total) return { hash, size: total, offset: received, complete: false };
    // A mismatch commits the deletion of the bad chunks, then is refused: the upload starts again from zero.
    return (await finishUpload(q, orgId, hash, total)) ? { hash, size: total, offset: total, complete: true } : undefined;
  });
  if (!result)
    throw new OutpostError('blob_hash_mismatch', 'The uploaded bytes do not match their SHA-256 name. The upload was discarded; upload the file again.');
  return result;
}

/**
 * Hash the received chunks one at a time, by offset (never all at once); when they match the name,
 * make them the blob's parts inside the database. Either way the chunks are gone afterwards.
 */
async function finishUpload(q: Queryable, orgId: string, hash: string, total: number): Promise<boolean> {
  const sha = createHash('sha256');
  let at = 0;
  while (at < total) {
    const [c] = await q.query<{ hex: string }>(`select encode(bytes, 'hex') as hex from blob_chunks where org_id = $1 and hash = $2 and "offset" = $3`, [
      orgId,
      hash,
      at,
    ]);
    if (!c?.hex) break; // a gap: these cannot be the named bytes
    const bytes = Buffer.from(c.hex, 'hex');
    sha.update(bytes);
    at += bytes.length;
  }
  const matches = at === total && sha.digest('hex') === hash;
  if (matches) {
    const created = await q.query(`insert into blobs (hash, size) values ($1, $2) on conflict (hash) do nothing returning hash`, [hash, total]);
    // Only the first organisation to finish stores the parts; the others prove the bytes and own them.
    if (created.length > 0)
      await q.query(`insert into blob_parts (hash, "offset", bytes) select hash, "offset", bytes from blob_chunks where org_id = $1 and hash = $2`, [
        orgId,
        hash,
      ]);
    await q.query(`insert into blob_owners (hash, org_id) values ($1, $2) on conflict do nothing`, [hash, orgId]);
  }
  await q.query(`delete from blob_chunks where org_id = $1 and hash = $2`, [orgId, hash]);
  return matches;
}

/**
 * Delete partial uploads untouched for longer than `ttlMs` (a device that gave up, or never comes
 * back). Each is deleted under its upload's lock, so a chunk arriving at that moment is not split
 * from the chunks before it. Returns how many uploads were deleted.
 */
export async function expireUploads(db: Db, now: number, ttlMs: number): Promise<number> {
  const cutoff = new Date(now - ttlMs).toISOString();
  const stale = await db.query<{ org_id: string; hash: string }>(
    `select org_id, hash from blob_chunks group by org_id, hash having max(written_at) < $1::timestamptz`,
    [cutoff],
  );
  let expired = 0;
  for (const { org_id: orgId, hash } of stale) {
    expired += await db.tx(async (q) => {
      await lockUpload(q, orgId, hash);
      const [last] = await q.query<{ at: unknown }>(`select max(written_at) as at from blob_chunks where org_id = $1 and hash = $2`, [orgId, hash]);
      if (last?.at == null || new Date(last.at as string).getTime() >= now - ttlMs) return 0;
      await q.query(`delete from blob_chunks where org_id = $1 and hash = $2`, [orgId, hash]);
      return 1;
    });
  }
  return expired;
}

/** The parts overlapping [start, end), in order and cut to it in the database, at most `limit` of them. */
async function partsOverlapping(db: Queryable, hash: string, start: number, end: number, limit: number | null): Promise<Uint8Array[]> {
  const rows = await db.query<{ hex: string }>(
    `select encode(substring(bytes from (greatest($2 - "offset", 0) + 1)::int for ($3 - greatest($2, "offset"))::int), 'hex') as hex
     from blob_parts
     where hash = $1 and "offset" < $3
       and "offset" >= coalesce((select max("offset") from blob_parts where hash = $1 and "offset" <= $2), 0)
     order by "offset" limit $4`,
    [hash, start, end, limit],
  );
  return rows.map((r) => new Uint8Array(Buffer.from(r.hex, 'hex')));
}

/**
 * Bytes [start, end) of a blob this organisation owns, read from the parts that overlap them. For
 * small ranges (tests, tools); the HTTP route streams with streamBlob.
 */
export async function readBlob(db: Queryable, orgId: string, hash: string, start = 0, end?: number): Promise<{ bytes: Uint8Array; size: number } | undefined> {
  const size = await ownedBlobSize(db, orgId, hash);
  if (size === undefined) return undefined;
  const stop = Math.min(end ?? size, size);
  if (start >= stop) return { bytes: new Uint8Array(0), size };
  const parts = await partsOverlapping(db, hash, start, stop, null);
  return { bytes: new Uint8Array(Buffer.concat(parts)), size };
}

/**
 * Bytes [start, end) of a stored blob as a stream that reads one part (at most 1 MiB) each time the
 * reader asks for more, so a download of any size holds about one part in memory and a slow
 * reader slows the reads (the caller checks ownership and bounds first).
 */
export function streamBlob(db: Queryable, hash: string, start: number, end: number): ReadableStream<Uint8Array> {
  let at = start;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (at >= end) return controller.close();
        const [part] = await partsOverlapping(db, hash, at, end, 1);
        if (!part?.length) return controller.error(new Error(`Blob ${hash} has no stored part at byte ${at}.`));
        controller.enqueue(part);
        at += part.length;
      },
    },
    { highWaterMark: 0 },
  );
}
