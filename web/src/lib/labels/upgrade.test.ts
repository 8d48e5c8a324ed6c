import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { OutpostDb } from '../db/db.js';
import { newId } from '../db/mutate.js';

describe('Dexie version 8', () => {
  it('opens a version 7 database, keeps its datasets and versions, and adds an empty labels table', async () => {
    const name = `labels-upgrade-${newId()}`;
    const v7 = new Dexie(name);
    v7.version(7).stores({
      datasets: 'id, projectId, createdAt',
      dataset_versions: 'id, datasetId, projectId, [datasetId+createdAt]',
      outbox: '++seq, [table+id]',
      kv: 'key',
    });
    await v7.table('datasets').add({ id: 'd1', projectId: 'p1', name: 'muac', createdAt: 1 });
    await v7.table('dataset_versions').add({ id: 'd1', datasetId: 'd1', projectId: 'p1', createdAt: 1 });
    v7.close();
    const db = new OutpostDb(name);
    expect((await db.datasets.get('d1'))?.name).toBe('muac');
    expect(await db.dataset_versions.count()).toBe(1);
    expect(await db.labels.where('datasetId').equals('d1').count()).toBe(0);
    expect(db.verno).toBe(10);
    db.close();
  });
});
