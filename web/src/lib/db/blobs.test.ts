import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import Dexie from 'dexie';
import { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import {
  blobState,
  completeBlobBytes,
  countPendingUploads,
  markAllBlobsForUpload,
  markBlobUploaded,
  partialBlobBytes,
  pendingUploads,
  saveDownloadedBlob,
  saveLocalBlob,
} from './blobs.js';
import { countPending } from './sync-state.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill).buffer;

describe('blobs on the device', () => {
  it('opens a version 2 database with blobs and keeps them through the upgrade, counted right', async () => {
    const name = `blobs-v2-${newId()}`;
    const v2 = new Dexie(name);
    // The schema as versions 1 and 2 of the app declared it.
    v2.version(1).stores({
      projects: 'id, createdAt',
      datasets: 'id, projectId, createdAt',
      datasetRows: '[datasetId+chunk], datasetId',
      runs: 'id, projectId, datasetId, startedAt',
      model_versions: 'id, projectId, [projectId+modelName], stage, createdAt',
      predictions: 'id, projectId, modelVersionId, createdAt',
      blobs: 'hash, uploaded',
      outbox: '++seq, [table+id]',
      kv: 'key',
    });
    v2.version(2).stores({ predictions: 'id, projectId, modelVersionId, createdAt, [projectId+createdAt]' });
    await v2.table('blobs').bulkAdd([
      { hash: 'made-here', size: 3, bytes: bytes(3, 1), complete: true, uploaded: false },
      { hash: 'sent', size: 4, bytes: bytes(4, 2), complete: true, uploaded: true },
      { hash: 'half-down', size: 10, bytes: bytes(5, 3), complete: false, uploaded: true },
    ]);
    v2.close();

    const db = new OutpostDb(name);
    expect(await countPendingUploads(db)).toBe(1);
    expect((await pendingUploads(db)).map((b) => b.hash)).toEqual(['made-here']);
    expect(await blobState(db, 'sent')).toEqual({ hash: 'sent', size: 4, state: 'complete', upload: 'done' });
    expect(await blobState(db, 'half-down')).toEqual({ hash: 'half-down', size: 10, state: 'partial', upload: 'done' });
    expect(new Uint8Array((await completeBlobBytes(db, 'made-here'))!)).toEqual(new Uint8Array([1, 1, 1]));
    expect(await completeBlobBytes(db, 'half-down')).toBeUndefined();
    expect((await partialBlobBytes(db, 'half-down'))?.byteLength).toBe(5);
    expect(db.verno).toBe(10);
    expect(db.tables.map((t) => t.name)).not.toContain('blobs');
    db.close();
  });

  it('counts pending uploads without reading any bytes', async () => {
    const db = new OutpostDb(`blobs-count-${newId()}`);
    await saveLocalBlob(db, 'a', bytes(100, 1));
    await saveLocalBlob(db, 'b', bytes(100, 2));
    await saveDownloadedBlob(db, 'c', 100, bytes(100, 3), true);
    await saveDownloadedBlob(db, 'd', 100, bytes(40, 4), false);
    await db.outbox.add({ table: 'projects', id: 'p', hlc: 'h', fields: {} });
    const touched = [
      vi.spyOn(db.blobBytes, 'get'),
      vi.spyOn(db.blobBytes, 'toArray'),
      vi.spyOn(db.blobBytes, 'bulkGet'),
      vi.spyOn(db.blobBytes, 'toCollection'),
    ];
    await db.blobBytes.clear(); // even with no bytes at all, the count is the same
    expect(await countPendingUploads(db)).toBe(2);
    expect(await countPending(db)).toBe(3);
    for (const spy of touched) expect(spy).not.toHaveBeenCalled();
  });

  it('marks uploads done, all of them pending again (enroll, server reset), and keeps complete local bytes', async () => {
    const db = new OutpostDb(`blobs-mark-${newId()}`);
    await saveLocalBlob(db, 'a', bytes(8, 1));
    await markBlobUploaded(db, 'a');
    await saveDownloadedBlob(db, 'b', 8, bytes(8, 2), true);
    await saveDownloadedBlob(db, 'half', 8, bytes(3, 2), false);
    expect(await countPendingUploads(db)).toBe(0);
    // Saving the same bytes again (a second run with the same weights) changes nothing.
    await saveLocalBlob(db, 'a', bytes(8, 1));
    expect((await blobState(db, 'a'))?.upload).toBe('done');
    await markAllBlobsForUpload(db);
    // Only complete blobs can be uploaded; a half-downloaded one is not counted.
    expect(await countPendingUploads(db)).toBe(2);
  });
});
