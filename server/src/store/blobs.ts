import { createHash } from 'node:crypto';
import { OutpostError } from '@shared/errors.js';
import type { Db, Queryable } from './db.js';

export interface BlobStatus {
  hash: string;
  size: number;
  offset: number;
  complete: boolean;
}

/**
 * Content-addressed blobs kept in the database (so server processes stay stateless). Uploads arrive
 * in chunks at explicit offsets and can resume; the bytes are verified against their SHA-256 name
 * before the blob exists. One stored copy however many devices or organisations upload it; an
 * organisation can read a blob only after one of its devices uploaded (and so proved) the bytes.
 */
export async function blobStatus(db: Queryable, orgId: string, hash: string): Promise<BlobStatus | undefined> {
  const [owned] = await db.query<{ size: number }>(`select b.size from blob_owners o join blobs b on b.hash = o.hash where o.hash = $1 and o.org_id = $2`, [
    hash,
    orgId,
  ]);
  if (owned) return { hash, size: Number(owned.size), offset: Number(owned.size), complete: true };
  const [partial] = await db.query<{ received: number; total: number }>(
    `select coalesce(sum(length(bytes)), 0)::bigint as received, max(total) as total from blob_chunks where org_id = $1 and hash = $2`,
    [orgId, hash],
  );
  if (!partial || partial.total === null) return undefined;
  return { hash, size: Number(partial.total), offset: Number(partial.received), complete: false };
}

export async function putChunk(db: Db, orgId: string, hash: string, offset: number, total: number, chunk: Uint8Array): Promise<BlobStatus> {
  return db
    .tx(async (q) => {
      await q.query(`select pg_advisory_xact_lock(hashtext($1 || $2))`, [orgId, hash]);
      const status = await blobStatus(q, orgId, hash);
      if (status?.complete) return status;
      const have = status?.offset ?? 0;
      if (status && status.size !== total) throw new OutpostError('bad_request', `This upload was started with a total of ${status.size} bytes, not ${total}.`);
      if (offset !== have)
        throw new OutpostError('blob_offset_mismatch', `The server has ${have} bytes of this blob; continue from offset ${have}.`, { offset: have });
      if (offset + chunk.length > total) throw new OutpostError('bad_request', 'The chunk goes past the declared total size.');
      await q.query(`insert into blob_chunks (org_id, hash, "offset", total, bytes) values ($1, $2, $3, $4, $5)`, [orgId, hash, offset, total, chunk]);
      const received = offset + chunk.length;
      if (received < total) return { hash, size: total, offset: received, complete: false };

      const parts = await q.query<{ bytes: Uint8Array }>(`select bytes from blob_chunks where org_id = $1 and hash = $2 order by "offset"`, [orgId, hash]);
      const whole = Buffer.concat(parts.map((p) => Buffer.from(p.bytes)));
      await q.query(`delete from blob_chunks where org_id = $1 and hash = $2`, [orgId, hash]);
      const actual = createHash('sha256').update(whole).digest('hex');
      if (actual !== hash) {
        // Commit the deletion of the bad chunks, then refuse: the upload starts again from zero.
        return { hash, size: total, offset: -1, complete: false };
      }
      await q.query(`insert into blobs (hash, size, bytes) values ($1, $2, $3) on conflict (hash) do nothing`, [hash, total, whole]);
      await q.query(`insert into blob_owners (hash, org_id) values ($1, $2) on conflict do nothing`, [hash, orgId]);
      return { hash, size: total, offset: total, complete: true };
    })
    .then((s) => {
      if (s.offset === -1)
        throw new OutpostError('blob_hash_mismatch', 'The uploaded bytes do not match their SHA-256 name. The upload was discarded; upload the file again.');
      return s;
    });
}

/** Bytes [start, end) of a blob this organisation owns. */
export async function readBlob(db: Queryable, orgId: string, hash: string, start = 0, end?: number): Promise<{ bytes: Uint8Array; size: number } | undefined> {
  const [row] = await db.query<{ size: number; part: Uint8Array }>(
    `select b.size, substring(b.bytes from $3::int + 1 for $4::int) as part
     from blobs b join blob_owners o on o.hash = b.hash where b.hash = $1 and o.org_id = $2`,
    [hash, orgId, start, Math.max(0, (end ?? 2 ** 31 - 1) - start)],
  );
  if (!row) return undefined;
  return { bytes: new Uint8Array(row.part), size: Number(row.size) };
}
