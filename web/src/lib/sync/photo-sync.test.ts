// Photos travel like model weights: a phone whose project shares rows sends its photos, and another
// phone of the organisation downloads them after the rows that name them (the real server,
// in-process on PGlite). A photo its phone has not sent yet does not fail the other's sync: it is
// asked for again, and arrives once sent.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '@shared/images/png.js';
import { sha256Hex } from '@shared/data/hash.js';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';
import { createProject } from '../db/projects.js';
import { setShareRows } from '../db/dataset-settings.js';
import { addPhotos, createPhotoDataset, photoBytes, photoRows, wantedPhotoBlobs, type NewPhoto } from '../db/photos.js';

let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Photo sync');
});
afterAll(async () => srv.close());

async function photo(r: number, g: number, b: number, label: string | null): Promise<NewPhoto> {
  const rgb = new Uint8Array(64 * 64 * 3);
  for (let i = 0; i < rgb.length; i += 3) rgb.set([r, g, b], i);
  const png = encodePng(rgb, 64, 64);
  return { hash: await sha256Hex(png), png, label };
}

/** Bytes that take more than one 256 KB range to download, named by their SHA-256 like a photo. */
async function bigPhoto(): Promise<NewPhoto> {
  const png = new Uint8Array(300_000);
  let x = 7;
  for (let i = 0; i < png.length; i++) png[i] = x = (x * 1103515245 + 12345) & 0xff;
  return { hash: await sha256Hex(png), png, label: 'mosaic' };
}

describe('photos through sync', () => {
  it('a second phone downloads the photos of a shared photo dataset, and later the one not sent yet', async () => {
    const a = await srv.newDevice('field phone');
    const b = await srv.newDevice('district phone');
    const p = await createProject(a.db, 'Cassava leaves');
    await setShareRows(a.db, p.id, true);
    const photos = [await photo(20, 200, 20, 'healthy'), await photo(200, 200, 20, 'mosaic'), await bigPhoto()];
    const d = await createPhotoDataset(a.db, { projectId: p.id, name: 'Leaves', labels: ['healthy', 'mosaic'], photos });
    // The big photo's upload is cut off before this sync (as if the phone went out of reach).
    await a.db.blobState.update(photos[2].hash, { upload: 'held' });
    expect((await a.sync()).rejected).toBe(0);

    const first = await b.sync();
    expect(first.blobsDown).toBe(3); // the rows file and the two photos sent; the third is asked for again later
    expect((await photoRows(b.db, d.id)).map((r) => r.hash)).toEqual(photos.map((x) => x.hash));
    for (const x of photos.slice(0, 2)) expect(new Uint8Array((await photoBytes(b.db, x.hash))!)).toEqual(x.png);
    expect(await photoBytes(b.db, photos[2].hash)).toBeUndefined();
    expect(await wantedPhotoBlobs(b.db)).toEqual([photos[2].hash]);
    // Downloaded photos are not sent back.
    expect((await b.db.blobState.get(photos[0].hash))?.upload).toBe('done');

    await a.db.blobState.update(photos[2].hash, { upload: 'pending' });
    await a.sync();
    await b.sync();
    expect(new Uint8Array((await photoBytes(b.db, photos[2].hash))!)).toEqual(photos[2].png);
    expect(await wantedPhotoBlobs(b.db)).toEqual([]);

    // A photo added later on the second phone reaches the first.
    const more = await photo(90, 90, 200, 'healthy');
    await addPhotos(b.db, d.id, [more]);
    await b.sync();
    await a.sync();
    expect((await photoRows(a.db, d.id)).map((r) => r.hash)).toEqual([...photos, more].map((x) => x.hash));
    expect(new Uint8Array((await photoBytes(a.db, more.hash))!)).toEqual(more.png);
  });

  it('a project that does not share rows sends no photo, and other phones ask for none', async () => {
    const a = await srv.newDevice('private phone');
    const b = await srv.newDevice('other phone');
    const p = await createProject(a.db, 'Skin checks');
    const one = await photo(120, 40, 40, 'rash');
    await createPhotoDataset(a.db, { projectId: p.id, name: 'Skin', labels: ['rash'], photos: [one] });
    await a.sync();
    await b.sync();
    const owned = await srv.db.query(`select 1 from blob_owners where hash = $1`, [one.hash]);
    expect(owned).toHaveLength(0);
    expect(await wantedPhotoBlobs(b.db)).toEqual([]);
  });
});
