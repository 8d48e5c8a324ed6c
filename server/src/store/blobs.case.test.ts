import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { migrate } from './migrations.js';
import { createOrg } from './orgs.js';
import { admitChunk, blobStatus, expireUploads, putChunk, readBlob, streamBlob, type BlobLimits } from './blobs.js';
import { sha256, T0 } from './fixtures.js';

// The migration that keeps blobs as parts (its position in MIGRATIONS).
const BLOB_PARTS_MIGRATION = 5;
const HOUR = 3_600_000;

const bytesOf = (n: number, seed = 1) => new Uint8Array(n).map((_, i) => (i * 31 + seed * 7 + (i >> 8)) % 256);

async function collect(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return Buffer.concat(parts);
}

// Blob storage on every store implementation (PGlite, and PostgreSQL when reachable).
describe.each(STORES)('blob store: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let org: string;
  const newOrg = async () => (await createOrg(db, `Org ${Math.random()}`)).org.id;

  /** Upload `bytes` in chunks of `chunk` bytes. */
  async function upload(orgId: string, bytes: Uint8Array, chunk: number, opts = {}) {
    let last;
    for (let at = 0; at < bytes.length || (at === 0 && bytes.length === 0); at += chunk) {
      last = await putChunk(db, orgId, sha256(bytes), at, bytes.length, bytes.subarray(at, at + chunk), opts);
      if (bytes.length === 0) break;
    }
    return last!;
  }

  beforeAll(async () => {
    db = await factory.open();
    org = await newOrg();
  });
  afterAll(async () => db?.drop());

  it('a finished upload becomes parts read by range; its chunks are gone; a stream reads across parts', async () => {
    const bytes = bytesOf(10_000);
    const hash = sha256(bytes);
    expect(await upload(org, bytes, 3000)).toEqual({ hash, size: 10_000, offset: 10_000, complete: true });
    const [{ parts }] = await db.query<{ parts: number }>(`select count(*)::int as parts from blob_parts where hash = $1`, [hash]);
    expect(parts).toBe(4);
    const [{ chunks }] = await db.query<{ chunks: number }>(`select count(*)::int as chunks from blob_chunks where hash = $1`, [hash]);
    expect(chunks).toBe(0);
    for (const [a, b] of [
      [0, 10_000],
      [2999, 3001],
      [3000, 6000],
      [5000, 9999],
      [9999, 20_000],
    ])
      expect(Buffer.from((await readBlob(db, org, hash, a, b))!.bytes)).toEqual(Buffer.from(bytes.subarray(a, b)));
    expect(await collect(streamBlob(db, hash, 0, 10_000))).toEqual(Buffer.from(bytes));
    expect(await collect(streamBlob(db, hash, 2500, 7001))).toEqual(Buffer.from(bytes.subarray(2500, 7001)));
  });

  it('a zero-byte blob is one empty chunk at offset 0; any other empty chunk is refused and does not wedge the upload', async () => {
    const empty = new Uint8Array(0);
    expect(await putChunk(db, org, sha256(empty), 0, 0, empty)).toMatchObject({ size: 0, offset: 0, complete: true });
    expect((await readBlob(db, org, sha256(empty)))!.bytes).toHaveLength(0);
    expect(await collect(streamBlob(db, sha256(empty), 0, 0))).toHaveLength(0);

    const bytes = bytesOf(100, 2);
    const hash = sha256(bytes);
    await expect(putChunk(db, org, hash, 0, 100, empty)).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/empty/) });
    await putChunk(db, org, hash, 0, 100, bytes.subarray(0, 40));
    await expect(putChunk(db, org, hash, 40, 100, empty)).rejects.toMatchObject({ code: 'bad_request' });
    expect(await putChunk(db, org, hash, 40, 100, bytes.subarray(40))).toMatchObject({ complete: true });
  });

  it('overlapping, skipping, past-total and changed-total chunks are refused with the offset to continue from', async () => {
    const bytes = bytesOf(1000, 3);
    const hash = sha256(bytes);
    await putChunk(db, org, hash, 0, 1000, bytes.subarray(0, 600));
    for (const offset of [0, 500, 601, 5000])
      await expect(putChunk(db, org, hash, offset, 1000, bytes.subarray(0, 10))).rejects.toMatchObject({
        code: 'blob_offset_mismatch',
        details: { offset: 600 },
      });
    await expect(putChunk(db, org, hash, 600, 1000, bytesOf(401))).rejects.toMatchObject({ code: 'bad_request', message: expect.stringMatching(/past/) });
    await expect(putChunk(db, org, hash, 600, 1200, bytes.subarray(600))).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/total of 1000 bytes, not 1200/),
    });
    expect(await blobStatus(db, org, hash)).toMatchObject({ offset: 600, complete: false });
    expect(await putChunk(db, org, hash, 600, 1000, bytes.subarray(600))).toMatchObject({ complete: true });
    // A chunk for a finished blob only reports it finished.
    expect(await putChunk(db, org, hash, 0, 1000, bytes.subarray(0, 10))).toMatchObject({ offset: 1000, complete: true });
  });

  it('the same chunk sent five times at once is stored once; the others learn the offset', async () => {
    const bytes = bytesOf(2000, 4);
    const hash = sha256(bytes);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => putChunk(db, org, hash, 0, 2000, bytes.subarray(0, 1000))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) expect(r.reason).toMatchObject({ code: 'blob_offset_mismatch', details: { offset: 1000 } });
    expect(await putChunk(db, org, hash, 1000, 2000, bytes.subarray(1000))).toMatchObject({ complete: true });
  });

  it('the hash is verified over every chunk: wrong bytes are discarded and the upload starts again from zero', async () => {
    const bytes = bytesOf(5000, 5);
    const hash = sha256(bytes);
    const wrong = bytes.slice();
    wrong[4321] ^= 1;
    for (let at = 0; at < 4000; at += 1000) await putChunk(db, org, hash, at, 5000, wrong.subarray(at, at + 1000));
    await expect(putChunk(db, org, hash, 4000, 5000, wrong.subarray(4000))).rejects.toMatchObject({ code: 'blob_hash_mismatch' });
    expect(await blobStatus(db, org, hash)).toBeUndefined();
    expect(await db.query(`select 1 from blob_chunks where hash = $1 union all select 1 from blobs where hash = $1`, [hash])).toHaveLength(0);
    expect(await upload(org, bytes, 1000)).toMatchObject({ complete: true });
  });

  it('over the per-blob limit is a 413 with a sentence, before anything is stored', async () => {
    const limits: BlobLimits = { maxBlobBytes: 1000, maxOrgBlobBytes: 10_000 };
    const org = await newOrg();
    const bytes = bytesOf(1001, 6);
    const hash = sha256(bytes);
    await expect(admitChunk(db, org, hash, 0, 1001, limits)).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/at most 1000 bytes/),
    });
    await expect(putChunk(db, org, hash, 0, 1001, bytes.subarray(0, 10), { limits })).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(await blobStatus(db, org, hash)).toBeUndefined();
    expect(await upload(org, bytes.subarray(0, 1000), 500, { limits })).toMatchObject({ complete: true });
  });

  it("over the per-organisation limit (stored blobs plus partial uploads' declared totals) is a 413; other organisations are not counted", async () => {
    const limits: BlobLimits = { maxBlobBytes: 1000, maxOrgBlobBytes: 1500 };
    const a = await newOrg();
    const b = await newOrg();
    const stored = bytesOf(1000, 7);
    await upload(a, stored, 1000, { limits });
    const big = bytesOf(600, 8);
    await expect(putChunk(db, a, sha256(big), 0, 600, big.subarray(0, 10), { limits })).rejects.toMatchObject({
      code: 'payload_too_large',
      message: expect.stringMatching(/organisation/),
    });
    const partial = bytesOf(500, 9);
    await putChunk(db, a, sha256(partial), 0, 500, partial.subarray(0, 10), { limits });
    const one = bytesOf(1, 10);
    await expect(admitChunk(db, a, sha256(one), 0, 1, limits)).rejects.toMatchObject({ code: 'payload_too_large' });
    // The partial upload itself goes on (its declared total is already counted).
    expect(await putChunk(db, a, sha256(partial), 10, 500, partial.subarray(10), { limits })).toMatchObject({ complete: true });
    // Organisation b holds nothing yet: what a could not start fits.
    expect(await upload(b, stored, 1000, { limits })).toMatchObject({ complete: true });
    expect(await upload(b, partial, 500, { limits })).toMatchObject({ complete: true });
  });

  it('partial uploads untouched for longer than the TTL expire; a recently written one stays', async () => {
    const o = await newOrg();
    const ttl = 72 * HOUR;
    const old = bytesOf(300, 11);
    const recent = bytesOf(300, 12);
    await putChunk(db, o, sha256(old), 0, 300, old.subarray(0, 100), { now: T0 });
    await putChunk(db, o, sha256(recent), 0, 300, recent.subarray(0, 100), { now: T0 });
    await putChunk(db, o, sha256(recent), 100, 300, recent.subarray(100, 200), { now: T0 + 10 * HOUR });
    expect(await expireUploads(db, T0 + ttl - 1, ttl)).toBe(0);
    expect(await expireUploads(db, T0 + ttl + 1, ttl)).toBeGreaterThanOrEqual(1);
    expect(await blobStatus(db, o, sha256(old))).toBeUndefined();
    expect(await blobStatus(db, o, sha256(recent))).toMatchObject({ offset: 200 });
    expect(await putChunk(db, o, sha256(old), 0, 300, old, { now: T0 + ttl + 2 })).toMatchObject({ complete: true });
    expect(await expireUploads(db, T0 + 10 * HOUR + ttl + 1, ttl)).toBeGreaterThanOrEqual(1);
    expect(await blobStatus(db, o, sha256(recent))).toBeUndefined();
    expect(await blobStatus(db, o, sha256(old))).toMatchObject({ complete: true });
  });

  it('the migration cuts blobs stored whole into 1 MiB parts and removes empty chunks that wedged uploads', { timeout: 180_000 }, async () => {
    // A store of its own (slow to open on a busy machine, hence the timeout).
    const scratch = await factory.open();
    try {
      // Back to the schema before the migration, with one blob stored whole and one wedged upload.
      await scratch.query(`drop table blob_parts`);
      await scratch.query(`alter table blobs add column bytes bytea not null default ''`);
      await scratch.query(`alter table blob_chunks drop column written_at`);
      await scratch.query(`delete from schema_migrations where version = $1`, [BLOB_PARTS_MIGRATION]);
      const whole = bytesOf(2.5 * 1024 * 1024, 13);
      const o = (await createOrg(scratch, 'Old')).org.id;
      await scratch.query(`insert into blobs (hash, size, bytes) values ($1, $2, $3)`, [sha256(whole), whole.length, whole]);
      await scratch.query(`insert into blob_owners (hash, org_id) values ($1, $2)`, [sha256(whole), o]);
      await scratch.query(`insert into blob_chunks (org_id, hash, "offset", total, bytes) values ($1, $2, 0, 10, '')`, [o, 'f'.repeat(64)]);
      expect(await migrate(scratch)).toBe(1);
      const parts = await scratch.query<{ offset: number; n: number }>(
        `select "offset", length(bytes) as n from blob_parts where hash = $1 order by "offset"`,
        [sha256(whole)],
      );
      expect(parts.map((p) => [Number(p.offset), Number(p.n)])).toEqual([
        [0, 1048576],
        [1048576, 1048576],
        [2097152, 524288],
      ]);
      expect(await collect(streamBlob(scratch, sha256(whole), 0, whole.length))).toEqual(Buffer.from(whole));
      expect(await blobStatus(scratch, o, 'f'.repeat(64))).toBeUndefined();
    } finally {
      await scratch.drop();
    }
  });
});
