import { z } from 'zod';
import { BLOB_CHUNK_BYTES } from '@shared/sync/protocol.js';
import { sha256Hex } from '@shared/data/hash.js';
import { servedWeights } from '@shared/registry/quantize.js';
import type { OutpostDb } from '../db/db.js';
import { blobState, completeBlobBytes, discardBlob, markBlobUploaded, partialBlobBytes, pendingUploads, saveDownloadedBlob } from '../db/blobs.js';
import { rememberRejected } from '../db/sync-state.js';
import { deploymentVersions } from '../db/deployments.js';
import { wantedRowBlobs } from '../db/dataset-versions.js';
import { wantedPhotoBlobs } from '../db/photos.js';
import { readAnswer, SyncError, type Transport } from './transport.js';
import { english } from '../i18n/speaking.js';

const Status = z.object({ hash: z.string(), size: z.number(), offset: z.number(), complete: z.boolean() });

/**
 * Upload every complete local blob the server does not have yet, resuming from the offset the
 * server reports (a cut connection loses at most one chunk). Returns how many finished.
 */
export async function uploadBlobs(db: OutpostDb, t: Transport): Promise<number> {
  let done = 0;
  // Bytes are read one blob at a time, as each is sent.
  for (const blob of await pendingUploads(db)) {
    const stored = await completeBlobBytes(db, blob.hash);
    if (!stored) {
      // Its bytes are gone (storage cleared under us): it can never be sent, so it must not wait forever.
      await discardBlob(db, blob.hash);
      continue;
    }
    const bytes = new Uint8Array(stored);
    const statusRes = await t.request('GET', `/api/blobs/${blob.hash}/status`);
    let offset = 0;
    if (statusRes.status !== 404) {
      const s = await readAnswer(statusRes, Status);
      if (s.complete) offset = bytes.length;
      else offset = s.offset;
    } else await statusRes.body?.cancel();
    let refused = false;
    for (let complete = offset >= bytes.length && bytes.length > 0; !complete;) {
      const chunk = bytes.subarray(offset, offset + BLOB_CHUNK_BYTES);
      const res = await t.request('PUT', `/api/blobs/${blob.hash}?offset=${offset}&total=${bytes.length}`, {
        body: chunk,
        headers: { 'content-type': 'application/octet-stream' },
      });
      const before = offset;
      try {
        const s = await readAnswer(res, Status);
        offset = s.offset;
        complete = s.complete;
      } catch (e) {
        // Over the server's limit for one blob or for the organisation (413): nothing a retry now
        // can change, and it must not stop the sync. The blob stays pending (a raised limit lets it
        // through later); the model version that needs it is refused by the server with a reason.
        if (e instanceof SyncError && e.code === 'payload_too_large') {
          refused = true;
          const mb = Math.round(bytes.length / 1e5) / 10;
          await rememberRejected(db, [
            {
              table: 'model weights',
              id: blob.hash,
              code: e.code,
              message: english({ key: 'refusal.blobTooLarge', values: { mb } }),
              reason: { code: 'blob_too_large', params: { mb } },
            },
          ]);
          break;
        }
        const off = (e as SyncError).details as { offset?: number } | undefined;
        if (!(e instanceof SyncError && e.code === 'blob_offset_mismatch' && typeof off?.offset === 'number')) throw e;
        offset = off.offset;
        if (offset === before) throw e;
        continue;
      }
      // A server that neither finishes nor moves on would keep us here forever.
      if (!complete && offset <= before) throw SyncError.worded('network', { key: 'sync.failure.uploadStuck' }, true);
    }
    if (refused) continue;
    await markBlobUploaded(db, blob.hash);
    done++;
  }
  return done;
}

/**
 * Download the weights of every model version that lacks them (the smaller weights instead, for a
 * project that asks for smaller downloads), resuming a cut download with an HTTP Range request.
 * The bytes are checked against their SHA-256 name before the blob is marked complete; a corrupted
 * download is discarded and can never be activated.
 */
export async function downloadBlobs(db: OutpostDb, t: Transport): Promise<number> {
  // Every version, whatever its stage: a deployment's challenger (shadow, canary) and blue-green's
  // other colour are rarely the production version. The versions a deployment names come first,
  // champions first, so a cut sync still leaves this device able to follow its deployments.
  const deployments = await db.deployments.toArray();
  const named = [...deployments.flatMap((d) => (d.state.champion ? [d.state.champion] : [])), ...deployments.flatMap(deploymentVersions)];
  const rank = (id: string) => (named.includes(id) ? named.indexOf(id) : named.length);
  const versions = (await db.model_versions.filter((v) => !v.deleted || named.includes(v.id)).toArray()).sort((a, b) => rank(a.id) - rank(b.id));
  const smaller = new Map((await db.projects.toArray()).map((p) => [p.id, p.quantization]));
  // The weights (the smaller ones when the project asks for them), and the reference rows the monitors compare the field with.
  const wanted = new Map<string, number>();
  for (const v of versions) {
    const w = servedWeights(v, smaller.get(v.projectId));
    wanted.set(w.hash, w.size);
    if (v.reference) wanted.set(v.reference.blob.hash, v.reference.blob.size);
  }
  // Then the shared rows of dataset versions, for projects that let rows sync (after the models, which serving needs first).
  for (const [hash, size] of await wantedRowBlobs(db)) if (!wanted.has(hash)) wanted.set(hash, size);
  let done = 0;
  for (const [hash, size] of wanted) if ((await fetchBlob(db, t, hash, size)) === 'done') done++;
  // Last, the photos of shared photo datasets, read from the rows just downloaded. Their size is
  // not in the rows, so the first range answer tells it; a photo its phone has not sent yet is
  // asked for again at the next sync rather than failing this one.
  for (const hash of await wantedPhotoBlobs(db)) if ((await fetchBlob(db, t, hash, undefined)) === 'done') done++;
  return done;
}

/**
 * One blob from the server into the blob store, by ranges of at most a chunk, resuming from the
 * bytes a cut download kept. `size` undefined: learn it from the first answer's Content-Range,
 * and a blob the server does not have is 'missing' rather than a failure.
 */
async function fetchBlob(db: OutpostDb, t: Transport, hash: string, size: number | undefined): Promise<'here' | 'done' | 'missing'> {
  if ((await blobState(db, hash))?.state === 'complete') return 'here';
  const partial = await partialBlobBytes(db, hash);
  let have = partial ? new Uint8Array(partial) : new Uint8Array(0);
  let total = size ?? (await blobState(db, hash))?.size;
  while (total === undefined || have.length < total) {
    const last = Math.min(total ?? Infinity, have.length + BLOB_CHUNK_BYTES) - 1;
    const res = await t.request('GET', `/api/blobs/${hash}`, { headers: { range: `bytes=${have.length}-${last}` } });
    if (res.status === 404 && size === undefined) {
      await res.body?.cancel();
      return 'missing';
    }
    if (res.status !== 206 && res.status !== 200) {
      await readAnswer(res, z.unknown());
      throw SyncError.worded('network', { key: 'sync.failure.download', values: { status: res.status } }, true);
    }
    total ??= res.status === 200 ? undefined : rangeTotal(res.headers.get('content-range'));
    const part = new Uint8Array(await res.arrayBuffer());
    if (part.length === 0) throw SyncError.worded('network', { key: 'sync.failure.downloadEmpty' }, true);
    have = new Uint8Array(res.status === 200 ? part : concat(have, part));
    total ??= have.length;
    // Keep progress so a cut download resumes from here.
    await saveDownloadedBlob(db, hash, total, have.slice().buffer, false);
  }
  if ((await sha256Hex(have)) !== hash) {
    await discardBlob(db, hash);
    throw SyncError.worded('blob_hash_mismatch', { key: 'sync.failure.checksum' }, true);
  }
  await saveDownloadedBlob(db, hash, total, have.slice().buffer, true);
  return 'done';
}

/** The whole size from `Content-Range: bytes first-last/size` (RFC 9110 §14.4); undefined when absent or `*`. */
function rangeTotal(header: string | null): number | undefined {
  const m = /\/(\d+)\s*$/.exec(header ?? '');
  return m ? Number(m[1]) : undefined;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
