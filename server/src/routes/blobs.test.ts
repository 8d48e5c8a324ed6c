import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createEnrollmentCode, createOrg, enrollDevice } from '../store/orgs.js';
import { sha256, T0 } from '../store/fixtures.js';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';

// The blob routes through app.request(): no network, the real store (PGlite in memory).
const LIMITS = { maxBlobBytes: 20_000, maxOrgBlobBytes: 30_000 };
let db: Db;
let app: ReturnType<typeof createApp>;

async function device(): Promise<string> {
  const org = (await createOrg(db, `Org ${Math.random()}`)).org.id;
  const { code } = await createEnrollmentCode(db, org, 1, T0);
  return (await enrollDevice(db, code, 'phone', T0)).token;
}

const bytesOf = (n: number, seed = 1) => new Uint8Array(n).map((_, i) => (i * 13 + seed + (i >> 8)) % 256);
const auth = (token: string, extra: Record<string, string> = {}) => ({
  authorization: `Bearer ${token}`,
  [PROTOCOL_HEADER]: String(PROTOCOL.version),
  ...extra,
});

function put(token: string, hash: string, query: string, body: RequestInit['body']) {
  return app.request(`/api/blobs/${hash}?${query}`, {
    method: 'PUT',
    body,
    // A stream is sent with its length declared, as a device's fetch of a byte array does.
    headers: auth(token, { 'content-type': 'application/octet-stream', ...(body instanceof ReadableStream ? { 'content-length': '10' } : {}) }),
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

/** Upload `bytes` in chunks of `chunk` bytes, each answered 200. */
async function upload(token: string, bytes: Uint8Array, chunk: number) {
  for (let at = 0; at < bytes.length; at += chunk) {
    const res = await put(token, sha256(bytes), `offset=${at}&total=${bytes.length}`, bytes.slice(at, at + chunk));
    expect(res.status).toBe(200);
  }
}

/** A body that records whether anyone read it. */
function watchedBody() {
  const seen = { read: false };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(c) {
        seen.read = true;
        c.enqueue(new Uint8Array(10));
        c.close();
      },
    },
    { highWaterMark: 0 },
  ); // pulled only when someone reads
  return { body, seen };
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; details?: { offset?: number } } }).error;

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'test-admin-token-0123456789', version: 'test', ...LIMITS }, now: () => T0 });
});
afterAll(async () => db.close());

describe('blob uploads', () => {
  it('a blob over the per-blob limit is a 413 with a sentence, before the chunk body is read', async () => {
    const token = await device();
    const { body, seen } = watchedBody();
    const res = await put(token, 'a'.repeat(64), `offset=0&total=${LIMITS.maxBlobBytes + 1}`, body);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/at most 20000 bytes/) });
    expect(seen.read).toBe(false);
  });

  it("an upload that would take the organisation past its limit is a 413 before the body is read; another organisation's is not", async () => {
    const token = await device();
    await upload(token, bytesOf(20_000, 2), 8000);
    const partial = bytesOf(9000, 3);
    expect((await put(token, sha256(partial), 'offset=0&total=9000', partial.slice(0, 100))).status).toBe(200);
    const { body, seen } = watchedBody();
    const res = await put(token, 'b'.repeat(64), 'offset=0&total=1001', body);
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toMatchObject({ code: 'payload_too_large', message: expect.stringMatching(/organisation/) });
    expect(seen.read).toBe(false);
    const other = await device();
    await upload(other, bytesOf(1001, 4), 1001);
  });

  it('empty, overlapping, past-total and changed-total chunks are 4xx with the offset to continue from; the upload still finishes', async () => {
    const token = await device();
    const bytes = bytesOf(3000, 5);
    const hash = sha256(bytes);
    const answers: number[] = [];
    const send = async (query: string, body: Uint8Array) => {
      const res = await put(token, hash, query, body as Uint8Array<ArrayBuffer>);
      answers.push(res.status);
      return res;
    };
    expect((await send('offset=0&total=3000', new Uint8Array(0))).status).toBe(400);
    expect((await send('offset=0&total=3000', bytes.slice(0, 1000))).status).toBe(200);
    expect((await send('offset=1000&total=3000', new Uint8Array(0))).status).toBe(400);
    const overlap = await send('offset=500&total=3000', bytes.slice(500, 1500));
    expect(overlap.status).toBe(409);
    expect(await errorOf(overlap)).toMatchObject({ code: 'blob_offset_mismatch', details: { offset: 1000 } });
    expect((await send('offset=1000&total=3000', bytesOf(2001))).status).toBe(400);
    const changed = await send('offset=1000&total=4000', bytes.slice(1000, 2000));
    expect(changed.status).toBe(400);
    expect((await errorOf(changed)).message).toMatch(/total of 3000 bytes, not 4000/);
    for (const q of ['offset=&total=', 'offset=1e3&total=3000', 'offset=-1&total=3000', 'offset=1000&total=99999999999999999999', 'offset=1000'])
      expect((await send(q, bytes.slice(1000, 2000))).status).toBe(400);
    expect((await send('offset=1000&total=3000', bytes.slice(1000))).status).toBe(200);
    expect(answers.every((s) => s < 500)).toBe(true);
    expect(await (await app.request(`/api/blobs/${hash}/status`, { headers: auth(token) })).json()).toMatchObject({ offset: 3000, complete: true });
  });

  it('a zero-byte blob is one empty chunk; it downloads empty and any range of it is 416', async () => {
    const token = await device();
    const hash = sha256(new Uint8Array(0));
    const res = await put(token, hash, 'offset=0&total=0', new Uint8Array(0));
    expect(await res.json()).toMatchObject({ size: 0, complete: true });
    const got = await app.request(`/api/blobs/${hash}`, { headers: auth(token) });
    expect(got.status).toBe(200);
    expect((await got.arrayBuffer()).byteLength).toBe(0);
    const ranged = await app.request(`/api/blobs/${hash}`, { headers: auth(token, { range: 'bytes=0-' }) });
    expect(ranged.status).toBe(416);
    expect(ranged.headers.get('content-range')).toBe('bytes */0');
  });

  it('bytes that do not match their name are a 422 and leave nothing to read', async () => {
    const token = await device();
    const bytes = bytesOf(2000, 6);
    const hash = sha256(bytesOf(2000, 7));
    expect((await put(token, hash, 'offset=0&total=2000', bytes.slice(0, 1000))).status).toBe(200);
    const res = await put(token, hash, 'offset=1000&total=2000', bytes.slice(1000));
    expect(res.status).toBe(422);
    expect((await errorOf(res)).code).toBe('blob_hash_mismatch');
    expect((await app.request(`/api/blobs/${hash}/status`, { headers: auth(token) })).status).toBe(404);
    expect((await app.request(`/api/blobs/${hash}`, { headers: auth(token) })).status).toBe(404);
  });
});

describe('blob downloads with Range', () => {
  const bytes = bytesOf(10_000, 8);
  const hash = sha256(bytes);
  let token: string;
  beforeAll(async () => {
    token = await device();
    await upload(token, bytes, 3000); // parts at 0, 3000, 6000, 9000
  });
  const get = (range?: string) => app.request(`/api/blobs/${hash}`, { headers: auth(token, range === undefined ? {} : { range }) });

  it('without Range: the whole blob, 200, with its length', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('10000');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(bytes));
  });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=2990-3010', 2990, 3010],
    ['bytes=9000-', 9000, 9999],
    ['bytes=9990-20000', 9990, 9999],
    ['bytes=5-5', 5, 5],
    ['bytes=-100', 9900, 9999],
    ['bytes=-20000', 0, 9999],
    ['BYTES=1-2', 1, 2],
  ])('%s is a 206 with Content-Range bytes %i-%i/10000', async (range, first, last) => {
    const res = await get(range);
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes ${first}-${last}/10000`);
    expect(res.headers.get('content-length')).toBe(String(last - first + 1));
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(bytes.subarray(first, last + 1)));
  });

  it.each([
    'bytes=10-5',
    'bytes=10000-',
    'bytes=10000-10005',
    'bytes=-0',
    'bytes=99999999999999999999-',
    'bytes=0-99999999999999999999',
    `bytes=${'9'.repeat(400)}-`,
  ])('%s is a 416 with Content-Range bytes */10000', async (range) => {
    const res = await get(range);
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */10000');
    expect((await errorOf(res)).code).toBe('range_not_satisfiable');
  });

  it.each(['bytes=abc', 'bytes=-', 'bytes=0-1,5-6', 'items=0-1', 'bytes=1.5-2', 'bytes= 1-2', ''])('%j is a 400 with a sentence', async (range) => {
    const res = await get(range);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/bytes=first-last/);
  });
});
