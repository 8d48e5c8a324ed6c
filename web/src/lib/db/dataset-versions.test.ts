import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { DatasetMeta } from '@shared/schema/records.js';
import { DatasetVersion } from '@shared/schema/dataset-version.js';
import { inferColumns } from '@shared/data/columns.js';
import { versionHash } from '@shared/data/versions.js';
import { readShareableRows } from '@shared/data/privacy.js';
import { OutpostDb } from './db.js';
import { newId, patchRecord } from './mutate.js';
import { createProject } from './projects.js';
import { importDataset, loadRows } from './datasets.js';
import {
  appendRows,
  changeLabels,
  datasetVersions,
  dropColumn,
  dropRowsWithMissing,
  ensureFirstVersions,
  loadVersionRows,
  setPersonal,
} from './dataset-versions.js';
import { completeBlobBytes, pendingUploads } from './blobs.js';
import { markPersonal, unmarkedPersonal } from './dataset-settings.js';

const ROWS = [
  { name: 'Amina Bello', phone: '08031234567', age: 3, muac: 11.5, status: 'sam' },
  { name: 'Ngozi Okafor', phone: '08035550101', age: null, muac: 12, status: 'mam' },
  { name: 'Halima Yusuf', phone: '08039990000', age: 5, muac: 13.5, status: 'ok' },
  { name: 'Chidi Obi', phone: '08037770000', age: 2, muac: 14, status: 'ok' },
];
const NAMES = ['name', 'phone', 'age', 'muac', 'status'];

async function setUp(shareRows = false) {
  const db = new OutpostDb(`versions-${newId()}`);
  const p = await createProject(db, 'Nutrition', 1);
  if (shareRows) await patchRecord(db, 'projects', p.id, { shareRows: true }, 2);
  const d = await importDataset(
    db,
    {
      projectId: p.id,
      name: 'muac',
      fileName: 'muac.csv',
      hash: 'a'.repeat(64),
      rows: ROWS,
      columns: inferColumns(ROWS, NAMES),
      target: 'status',
      personal: { name: 'hash', phone: 'never' },
    },
    10,
  );
  return { db, p, d };
}

describe('dataset versions on the device', () => {
  it('an import is the first version: the dataset’s own id, the rows’ canonical hash, no parent; both records queued', async () => {
    const { db, d } = await setUp();
    const [v] = await datasetVersions(db, d.id);
    expect(v).toMatchObject({ id: d.id, number: 1, parentId: null, rowCount: 4, hash: await versionHash(ROWS, NAMES) });
    expect(v.change).toMatchObject({ kind: 'import', rowsAdded: 4, sentence: 'Imported 4 rows and 5 columns.' });
    expect(d.versionId).toBe(v.id);
    expect(DatasetVersion.parse(v)).toEqual(v);
    const queued = await db.outbox.toArray();
    expect(queued.map((r) => r.table).sort()).toEqual(['dataset_versions', 'datasets', 'projects']);
  });

  it('cleaning, entries and labels each make a version on the last, saying what changed; the rows follow', async () => {
    const { db, d } = await setUp();
    const v2 = await dropRowsWithMissing(db, d.id, undefined, 20);
    expect(v2).toMatchObject({
      number: 2,
      parentId: d.id,
      rowCount: 3,
      change: { kind: 'clean', rowsRemoved: 1, sentence: 'Removed 1 row with missing values.' },
    });
    const v3 = await dropColumn(db, d.id, 'phone', 30);
    expect(v3.change).toMatchObject({ columnsRemoved: ['phone'], rowsRemoved: 0, rowsAdded: 0 });
    expect(v3.columns.map((c) => c.name)).not.toContain('phone');
    const v4 = await appendRows(db, d.id, [{ name: 'Musa Ali', age: 4, muac: 12.5, status: 'mam', village: 'Kano' }], 40);
    expect(v4.change).toMatchObject({ kind: 'entries', rowsAdded: 1, columnsAdded: ['village'] });
    const v5 = await changeLabels(
      db,
      d.id,
      'status',
      [
        { index: 0, value: 'mam' },
        { index: 1, value: 'ok' },
      ],
      50,
    );
    // Row 1 was "ok" already: one row changed.
    expect(v5.change).toMatchObject({ kind: 'labels', rowsChanged: 1, rowsAdded: 0, rowsRemoved: 0, sentence: 'Changed 1 row (labels).' });
    expect((await loadRows(db, d.id)).map((r) => r.status)).toEqual(['mam', 'ok', 'ok', 'mam']);
    expect((await loadVersionRows(db, v2.id)).length).toBe(3);
    expect((await datasetVersions(db, d.id)).map((v) => v.number)).toEqual([5, 4, 3, 2, 1]);
    expect((await db.datasets.get(d.id))?.versionId).toBe(v5.id);
    await expect(changeLabels(db, d.id, 'status', [{ index: 99, value: 'ok' }])).rejects.toThrow('Row 100 is not in this version');
    await expect(dropColumn(db, d.id, 'nope')).rejects.toThrow('no column “nope”');
    // A refused change stores nothing.
    expect((await datasetVersions(db, d.id)).length).toBe(5);
  });

  it('a version 6 database: each dataset with rows here becomes its first version once; old records still parse', async () => {
    const name = `old-${newId()}`;
    const v6 = new Dexie(name);
    v6.version(6).stores({
      datasets: 'id, projectId, createdAt',
      datasetRows: '[datasetId+chunk], datasetId',
      projects: 'id, createdAt',
      outbox: '++seq, [table+id]',
      kv: 'key',
    });
    const old = {
      id: 'd-old',
      projectId: 'p',
      name: 'iris',
      fileName: 'iris.csv',
      hash: 'b'.repeat(64),
      rowCount: 2,
      columns: inferColumns(ROWS.slice(0, 2), ['age', 'muac']),
      createdAt: 5,
    };
    await v6.table('datasets').bulkAdd([old, { ...old, id: 'd-elsewhere' }]);
    await v6.table('datasetRows').add({ datasetId: 'd-old', chunk: 0, rows: ROWS.slice(0, 2).map(({ age, muac }) => ({ age, muac })) });
    v6.close();
    const db = new OutpostDb(name);
    expect(DatasetMeta.parse(await db.datasets.get('d-old'))).toMatchObject({ id: 'd-old' });
    expect(await ensureFirstVersions(db, 100)).toBe(1);
    expect(await ensureFirstVersions(db, 101)).toBe(0);
    const [v] = await datasetVersions(db, 'd-old');
    expect(v).toMatchObject({ id: 'd-old', number: 1, rowCount: 2, createdAt: 5 });
    expect((await db.datasets.get('d-old'))?.versionId).toBe('d-old');
    // The dataset whose rows are on another device waits for that device's version.
    expect(await datasetVersions(db, 'd-elsewhere')).toEqual([]);
    expect((await loadRows(db, 'd-old')).length).toBe(2);
  });

  it('personal values never reach the outbox, and the shared rows leave out or hash them', async () => {
    const { db, d, p } = await setUp(true);
    const outbox = JSON.stringify(await db.outbox.toArray());
    for (const v of ['Amina', 'Ngozi', '0803']) expect(outbox).not.toContain(v);
    const [v] = await datasetVersions(db, d.id);
    expect(v.rows).toMatchObject({ format: 'outpost-rows-1', removed: ['phone'], hashed: ['name'] });
    expect((await pendingUploads(db)).map((b) => b.hash)).toContain(v.rows!.hash);
    const bytes = new Uint8Array((await completeBlobBytes(db, v.rows!.hash))!);
    const text = new TextDecoder().decode(bytes);
    for (const s of ['Amina', 'Bello', '0803', 'phone']) expect(text).not.toContain(s);
    expect(readShareableRows(bytes).rows.map((r) => r.muac)).toEqual([11.5, 12, 13.5, 14]);
    // The salt was made once, on the project (synced), to hash the name column.
    expect((await db.projects.get(p.id))?.rowSalt).toMatch(/^[0-9a-f]{32}$/);
    // Marking a column later drops its values from the synced summary too.
    await setPersonal(db, d.id, 'status', 'never');
    expect((await db.datasets.get(d.id))?.columns.find((c) => c.name === 'status')?.top).toBeUndefined();
  });

  it('before sharing rows, columns that look personal and nobody marked are named', async () => {
    const { db, d, p } = await setUp();
    expect(await unmarkedPersonal(db, p.id)).toEqual([]);
    await markPersonal(db, d.id, 'phone', null);
    expect((await unmarkedPersonal(db, p.id)).map((w) => w.sentence)).toEqual([expect.stringContaining('“phone” looks like it holds phone numbers')]);
    await markPersonal(db, d.id, 'phone', 'never');
    expect(await unmarkedPersonal(db, p.id)).toEqual([]);
  });
});
