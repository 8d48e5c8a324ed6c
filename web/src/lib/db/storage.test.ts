import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { OutpostDb } from './db.js';
import { loggedPrediction } from './fixtures.testing.js';
import { newId, putRecords } from './mutate.js';
import { evictedCount, evictSynced, relieveStoragePressure } from './storage.js';

describe('storage pressure (case 18)', () => {
  it('evicts only predictions the server already has, oldest first, never the outbox, and keeps counts', async () => {
    const db = new OutpostDb(`evict-${newId()}`);
    const synced = Array.from({ length: 30 }, (_, i) => loggedPrediction({ projectId: 'p1', createdAt: 1000 + i }));
    await putRecords(db, 'predictions', synced);
    await db.outbox.clear(); // pushed and acknowledged
    const pending = Array.from({ length: 10 }, (_, i) => loggedPrediction({ projectId: 'p1', createdAt: i })); // older, but not yet on the server
    await putRecords(db, 'predictions', pending);
    const r = await evictSynced(db, 20);
    expect(r.evicted).toBe(20);
    const left = await db.predictions.toArray();
    expect(left.map((p) => p.id).sort()).toEqual([...pending.map((p) => p.id), ...synced.slice(20).map((p) => p.id)].sort());
    expect(await db.outbox.count()).toBe(10);
    expect(await evictedCount(db, 'p1')).toBe(20);
  });

  it('acts only above the pressure threshold', async () => {
    const db = new OutpostDb(`evict2-${newId()}`);
    await putRecords(db, 'predictions', [loggedPrediction({ projectId: 'p', createdAt: 1 })]);
    await db.outbox.clear();
    expect(await relieveStoragePressure(db, async () => ({ usage: 10, quota: 100 }))).toBeUndefined();
    expect((await relieveStoragePressure(db, async () => ({ usage: 90, quota: 100 })))?.evicted).toBe(1);
  });
});
