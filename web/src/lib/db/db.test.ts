import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { OutpostDb } from './db.js';
import { loggedPrediction } from './fixtures.testing.js';
import { newId, putRecords } from './mutate.js';
import { recentPredictions } from './predictions.js';

describe('device database', () => {
  it('opens a version 1 database and keeps its rows through the upgrade', async () => {
    const name = `upgrade-${newId()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores({ predictions: 'id, projectId, modelVersionId, createdAt' });
    await v1
      .table('predictions')
      .add({ id: 'old', projectId: 'p', modelVersionId: 'm', inputs: {}, output: { value: 1 }, latencyMs: 0, source: 'form', createdAt: 5 });
    v1.close();
    const db = new OutpostDb(name);
    expect((await recentPredictions(db, 'p', 5)).map((p) => p.id)).toEqual(['old']);
    expect(db.verno).toBe(10);
  });

  it("reads a project's newest predictions first, and only that project's", async () => {
    const db = new OutpostDb(`recent-${newId()}`);
    await putRecords(db, 'predictions', [
      loggedPrediction({ projectId: 'a', createdAt: 1 }),
      loggedPrediction({ projectId: 'a', createdAt: 3 }),
      loggedPrediction({ projectId: 'b', createdAt: 4 }),
      loggedPrediction({ projectId: 'a', createdAt: 2 }),
    ]);
    expect((await recentPredictions(db, 'a', 2)).map((p) => p.createdAt)).toEqual([3, 2]);
  });
});
