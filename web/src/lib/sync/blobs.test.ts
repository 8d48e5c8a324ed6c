import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { OutpostDb } from '../db/db.js';
import { countPendingUploads, saveLocalBlob } from '../db/blobs.js';
import { newId } from '../db/mutate.js';
import { uploadBlobs } from './blobs.js';
import type { Transport } from './transport.js';

describe('uploadBlobs', () => {
  it('drops a blob whose bytes were lost instead of leaving it waiting for ever', async () => {
    const db = new OutpostDb(`blob-lost-${newId()}`);
    await saveLocalBlob(db, 'a'.repeat(64), new Uint8Array([1, 2, 3]).buffer);
    await db.blobBytes.clear();
    const requests: string[] = [];
    const t: Transport = { request: async (method, path) => (requests.push(`${method} ${path}`), new Response('{}', { status: 500 })) };
    expect(await uploadBlobs(db, t)).toBe(0);
    expect(requests).toEqual([]);
    expect(await countPendingUploads(db)).toBe(0);
  });
});
