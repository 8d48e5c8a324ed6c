import type { BlobStateRow, OutpostDb } from './db.js';

/**
 * Content-addressed blobs (model weights) on the device: their state in `blobState`, their bytes
 * in `blobBytes`. Everything that counts or lists blobs reads the state only; bytes are read when
 * a model is loaded, exported or uploaded.
 */

const PENDING_UPLOAD: [BlobStateRow['upload'], BlobStateRow['state']] = ['pending', 'complete'];

/**
 * Keep bytes made on this device (a trained model's weights) as a complete blob the server does
 * not have yet. A blob already complete here is left as it is (same hash, same bytes).
 */
export async function saveLocalBlob(db: OutpostDb, hash: string, bytes: ArrayBuffer, opts: { held?: boolean } = {}): Promise<void> {
  await db.transaction('rw', [db.blobState, db.blobBytes], async () => {
    const had = await db.blobState.get(hash);
    if (had?.state === 'complete') {
      // The same bytes wanted for upload now (a model's weights equal to a held photo): release them.
      if (had.upload === 'held' && !opts.held) await db.blobState.update(hash, { upload: 'pending' });
      return;
    }
    await db.blobState.put({ hash, size: bytes.byteLength, state: 'complete', upload: opts.held ? 'held' : 'pending' });
    await db.blobBytes.put({ hash, bytes });
  });
}

/**
 * Keep what a download has received so far (`complete: false`), or the whole blob once its bytes
 * were checked against their hash (`complete: true`). A downloaded blob is on the server already.
 */
export async function saveDownloadedBlob(db: OutpostDb, hash: string, size: number, bytes: ArrayBuffer, complete: boolean): Promise<void> {
  await db.transaction('rw', [db.blobState, db.blobBytes], async () => {
    await db.blobState.put({ hash, size, state: complete ? 'complete' : 'partial', upload: 'done' });
    await db.blobBytes.put({ hash, bytes });
  });
}

/** Forget a blob entirely (a download that failed its checksum). */
export async function discardBlob(db: OutpostDb, hash: string): Promise<void> {
  await db.transaction('rw', [db.blobState, db.blobBytes], async () => {
    await db.blobState.delete(hash);
    await db.blobBytes.delete(hash);
  });
}

/** The server now holds the whole blob. */
export async function markBlobUploaded(db: OutpostDb, hash: string): Promise<void> {
  await db.blobState.update(hash, { upload: 'done' });
}

/**
 * Every blob must be uploaded again: after enrolling (a new organisation must receive them) or
 * after the server lost its data. Touches the state rows only.
 */
export async function markAllBlobsForUpload(db: OutpostDb): Promise<void> {
  // Held blobs stay held: a new enrolment does not send what the project keeps off the server.
  await db.blobState.filter((b) => b.upload !== 'held').modify({ upload: 'pending' });
}

/** Let held blobs go to the server (their project now lets rows sync); others are left as they are. */
export async function releaseHeldBlobs(db: OutpostDb, hashes: string[]): Promise<number> {
  const rows = (await db.blobState.bulkGet(hashes)).filter((b) => b?.upload === 'held');
  await db.blobState.bulkPut(rows.map((b) => ({ ...b!, upload: 'pending' as const })));
  return rows.length;
}

/** How many complete blobs the server does not have yet, counted on the index (no bytes read). */
export async function countPendingUploads(db: OutpostDb): Promise<number> {
  return db.blobState.where('[upload+state]').equals(PENDING_UPLOAD).count();
}

/** The complete blobs the server does not have yet (state only; read the bytes one at a time). */
export async function pendingUploads(db: OutpostDb): Promise<BlobStateRow[]> {
  return db.blobState.where('[upload+state]').equals(PENDING_UPLOAD).toArray();
}

export async function blobState(db: OutpostDb, hash: string): Promise<BlobStateRow | undefined> {
  return db.blobState.get(hash);
}

/** The bytes of a blob only when all of them are here and verified; otherwise undefined. */
export async function completeBlobBytes(db: OutpostDb, hash: string): Promise<ArrayBuffer | undefined> {
  return db.transaction('r', [db.blobState, db.blobBytes], async () => {
    if ((await db.blobState.get(hash))?.state !== 'complete') return undefined;
    return (await db.blobBytes.get(hash))?.bytes;
  });
}

/** The bytes a cut download had received (to resume from), or undefined. */
export async function partialBlobBytes(db: OutpostDb, hash: string): Promise<ArrayBuffer | undefined> {
  return db.transaction('r', [db.blobState, db.blobBytes], async () => {
    if ((await db.blobState.get(hash))?.state !== 'partial') return undefined;
    return (await db.blobBytes.get(hash))?.bytes;
  });
}

/** Which of these blobs are complete on this device (state only). */
export async function completeBlobs(db: OutpostDb, hashes: string[]): Promise<Set<string>> {
  const rows = await db.blobState.bulkGet(hashes);
  return new Set(rows.filter((b) => b?.state === 'complete').map((b) => b!.hash));
}

/**
 * Forget rows files the server withdrew (a column marked personal after they were sent), unless
 * a version here still names the same bytes. Rows a version keeps on the phone that made it are
 * not files and stay.
 */
export async function forgetRowsFiles(db: OutpostDb, hashes: string[]): Promise<void> {
  await db.transaction('rw', [db.dataset_versions, db.blobState, db.blobBytes], async () => {
    const named = new Set<string>();
    await db.dataset_versions.each((v) => {
      if (v.rows) named.add(v.rows.hash);
    });
    const gone = hashes.filter((h) => !named.has(h));
    await db.blobState.bulkDelete(gone);
    await db.blobBytes.bulkDelete(gone);
  });
}
