import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DatasetMeta } from '@shared/schema/records.js';
import { encodePng, decodePng } from '@shared/images/png.js';
import { sha256Hex } from '@shared/data/hash.js';
import { splitIndices } from '@shared/data/lineage.js';
import { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import { createProject } from './projects.js';
import { datasetVersions } from './dataset-versions.js';
import { markAllBlobsForUpload, pendingUploads } from './blobs.js';
import { setShareRows } from './dataset-settings.js';
import { addPhotos, createPhotoDataset, labelPhoto, photoBytes, photoRows, type NewPhoto } from './photos.js';
import { photoParams, runClasses } from '../runs/photo-params.js';

async function photo(r: number, g: number, b: number, label: string | null): Promise<NewPhoto> {
  const rgb = new Uint8Array(64 * 64 * 3);
  for (let i = 0; i < rgb.length; i += 3) rgb.set([r, g, b], i);
  const png = encodePng(rgb, 64, 64);
  return { hash: await sha256Hex(png), png, label };
}

describe('photo datasets', () => {
  it('keep each photo as a blob to upload, their rows as versions, and labels as new versions', async () => {
    const db = new OutpostDb(`photos-${newId()}`);
    const p = await createProject(db, 'Cassava leaves');
    const first = [await photo(20, 200, 20, 'healthy'), await photo(200, 200, 20, 'mosaic'), await photo(90, 90, 90, null)];
    const d = await createPhotoDataset(db, { projectId: p.id, name: 'Leaves', labels: ['healthy', 'mosaic', ' healthy ', ''], photos: first });
    expect(DatasetMeta.parse(d).images).toEqual({ column: 'image', label: 'label', side: 64, labels: ['healthy', 'mosaic'] });
    expect(await photoRows(db, d.id)).toEqual([
      { hash: first[0].hash, label: 'healthy' },
      { hash: first[1].hash, label: 'mosaic' },
      { hash: first[2].hash, label: null },
    ]);
    // The bytes are the PNG, complete here; held off the server while the project does not share rows.
    expect(decodePng(new Uint8Array((await photoBytes(db, first[1].hash))!))).toMatchObject({ width: 64, height: 64 });
    expect(await pendingUploads(db)).toEqual([]);
    expect((await db.blobState.bulkGet(first.map((f) => f.hash))).map((b) => b?.upload)).toEqual(['held', 'held', 'held']);
    // A new enrolment marks every blob for upload, except held ones.
    await markAllBlobsForUpload(db);
    expect(await pendingUploads(db)).toEqual([]);
    // Sharing rows turned on: the photos go with the rows (and the rows' own blob).
    await setShareRows(db, p.id, true);
    const pending = new Set((await pendingUploads(db)).map((b) => b.hash));
    expect(first.every((f) => pending.has(f.hash))).toBe(true);
    expect(pending.size).toBe(first.length + 1);

    const more = await addPhotos(db, d.id, [await photo(10, 180, 30, 'healthy'), await photo(120, 60, 20, 'brown streak')]);
    expect(more.change).toMatchObject({ kind: 'entries', rowsAdded: 2 });
    expect((await db.datasets.get(d.id))!.images!.labels).toEqual(['healthy', 'mosaic', 'brown streak']);

    const labelled = await labelPhoto(db, d.id, 2, 'mosaic');
    expect(labelled.change).toMatchObject({ kind: 'labels', rowsChanged: 1 });
    expect((await photoRows(db, d.id))[2].label).toBe('mosaic');
    expect((await datasetVersions(db, d.id)).map((v) => v.number)).toEqual([3, 2, 1]);
    await expect(labelPhoto(db, d.id, 9, 'mosaic')).rejects.toThrow(/Row 10 is not in this version/);
  });

  it('a run learns the labels some photo has, and splits only labelled photos', () => {
    expect(runClasses(['healthy', 'mosaic', 'unused'], ['mosaic', 'healthy', 'other', 'healthy'])).toEqual(['healthy', 'mosaic', 'other']);
    const rows = Array.from({ length: 20 }, (_, i) => ({ image: String(i), label: i % 5 === 0 ? null : i % 2 ? 'a' : 'b' }));
    const s = splitIndices(rows, photoParams('label'));
    expect([...s.train, ...s.validation, ...s.test].sort((x, y) => x - y)).toEqual(rows.flatMap((r, i) => (r.label ? [i] : [])));
  });
});
