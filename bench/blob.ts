// A large model blob through the server: uploaded and downloaded in the app's own protocol (PUT of
// BLOB_CHUNK_BYTES at an offset, download by Range requests of one chunk), while the server's peak
// RSS is watched. Streaming means the growth is a few chunks, not the blob.
import { createCipheriv, createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { BLOB_CHUNK_BYTES, PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { adminCall, startServer } from '../server/src/testing/server-process.js';
import { peakRssMb } from './lib.js';

export interface BlobRun {
  mb: number;
  chunkBytes: number;
  /** Peak RSS after a warm-up blob, with the high-water mark reset to the RSS then, MB. */
  beforeMb: number;
  afterUploadMb: number;
  afterDownloadMb: number;
  uploadS: number;
  downloadS: number;
}

/** Incompressible bytes (AES-CTR of zeros), like real weights, one chunk at a time. */
function* parts(size: number): Generator<Buffer> {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0));
  for (let at = 0; at < size; at += BLOB_CHUNK_BYTES) yield cipher.update(Buffer.alloc(Math.min(BLOB_CHUNK_BYTES, size - at)));
}

const hashOf = (size: number) => {
  const h = createHash('sha256');
  for (const p of parts(size)) h.update(p);
  return h.digest('hex');
};

export async function blobRun(size: number, backing: { dataDir?: string; databaseUrl?: string }, port: number): Promise<BlobRun> {
  const server = await startServer({
    port,
    ...backing,
    // 800 chunk requests for 100 MB: past the per-device budget of 600 a minute, which is not what is measured here.
    // BLOB_NODE_OPTIONS (e.g. --max-old-space-size=64) runs the server with a capped heap, to tell
    // growth that is collection slack from bytes held.
    extraEnv: {
      ...(process.env.BLOB_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BLOB_NODE_OPTIONS } : {}),
      OUTPOST_MAX_BLOB_BYTES: String(size),
      OUTPOST_MAX_ORG_BLOB_BYTES: String(4 * size),
      OUTPOST_RATE_PER_MINUTE: '100000',
    },
    startTimeoutMs: 180_000,
  });
  const pid = server.child.pid!;
  try {
    const org = await adminCall<{ id: string }>(server.url, 'POST', '/orgs', { name: 'blob' });
    const { code } = await adminCall<{ code: string }>(server.url, 'POST', `/orgs/${org.id}/codes`, {});
    const enrolled = await fetch(`${server.url}/api/enroll`, {
      method: 'POST',
      body: JSON.stringify({ code, deviceName: 'blob' }),
      headers: { 'content-type': 'application/json' },
    });
    const headers = { authorization: `Bearer ${((await enrolled.json()) as { token: string }).token}`, [PROTOCOL_HEADER]: String(PROTOCOL.version) };
    const up = async (n: number, hash: string) => {
      let offset = 0;
      for (const part of parts(n)) {
        const res = await fetch(`${server.url}/api/blobs/${hash}?offset=${offset}&total=${n}`, {
          method: 'PUT',
          body: part as Uint8Array<ArrayBuffer>,
          headers: { ...headers, 'content-type': 'application/octet-stream' },
        });
        if (!res.ok) throw new Error(`upload at ${offset}: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
        offset += part.length;
      }
    };
    const down = async (n: number, hash: string) => {
      const h = createHash('sha256');
      for (let at = 0; at < n; at += BLOB_CHUNK_BYTES) {
        const res = await fetch(`${server.url}/api/blobs/${hash}`, { headers: { ...headers, range: `bytes=${at}-${Math.min(n, at + BLOB_CHUNK_BYTES) - 1}` } });
        if (res.status !== 206) throw new Error(`download at ${at}: ${res.status}`);
        h.update(new Uint8Array(await res.arrayBuffer()));
      }
      if (h.digest('hex') !== hash) throw new Error('downloaded blob does not match its hash');
    };
    // Every code path once with a small blob, so the reading starts from a warm server.
    const small = 4 * BLOB_CHUNK_BYTES;
    const smallHash = hashOf(small);
    await up(small, smallHash);
    await down(small, smallHash);
    const hash = hashOf(size);
    // Linux: "5" to clear_refs resets the high-water mark to the current RSS (start-up peaks hide growth).
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const beforeMb = peakRssMb(pid)!;
    let t = performance.now();
    await up(size, hash);
    const uploadS = (performance.now() - t) / 1000;
    const afterUploadMb = peakRssMb(pid)!;
    t = performance.now();
    await down(size, hash);
    const downloadS = (performance.now() - t) / 1000;
    return { mb: size / 1e6, chunkBytes: BLOB_CHUNK_BYTES, beforeMb, afterUploadMb, afterDownloadMb: peakRssMb(pid)!, uploadS, downloadS };
  } finally {
    await server.kill();
  }
}
