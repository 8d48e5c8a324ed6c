// Rows that sync, with privacy: one phone imports a dataset with personal columns into a project
// that lets rows sync; the real server (in-process, PGlite) receives the version and its shared
// rows; a second phone pulls them, loads the rows and trains on them. Personal values appear
// nowhere on the server: not in its records, not in its blobs.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { inferColumns } from '@shared/data/columns.js';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';
import { createProject } from '../db/projects.js';
import { importDataset, loadRows } from '../db/datasets.js';
import { markPersonal, setShareRows } from '../db/dataset-settings.js';
import { changeLabels, datasetVersions, dropColumn } from '../db/dataset-versions.js';
import { saltedHash, saltId } from '@shared/data/privacy.js';
import { reshareAfterSaltChange } from '../db/salt.js';
import { trainModel } from '../ml/train.js';
import { PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { patchRecord } from '../db/mutate.js';
import { SyncEngine } from './engine.js';

let srv: InProcessServer;
beforeAll(async () => {
  await tf.setBackend('cpu');
  srv = await inProcessServer('Row sync');
});
afterAll(async () => srv.close());

const FIRST = ['Amina', 'Ngozi', 'Halima', 'Chidi', 'Musa', 'Bola', 'Zainab', 'Emeka'];
const rows = Array.from({ length: 40 }, (_, i) => ({
  patient: `${FIRST[i % 8]} Okoro${i}`,
  phone: `0803${String(1000000 + i * 7919).slice(0, 7)}`,
  age: 1 + (i % 5),
  muac: 10 + (i % 7) * 0.5,
  status: i % 7 < 3 ? 'sam' : 'ok',
}));
const NAMES = ['patient', 'phone', 'age', 'muac', 'status'];

describe('dataset rows through sync', () => {
  it('a second phone trains on the shared rows; the server holds no personal value', async () => {
    const a = await srv.newDevice('clinic phone');
    const b = await srv.newDevice('district phone');
    const p = await createProject(a.db, 'Nutrition');
    await setShareRows(a.db, p.id, true);
    const d = await importDataset(a.db, {
      projectId: p.id,
      name: 'muac',
      fileName: 'muac.csv',
      hash: 'c'.repeat(64),
      rows,
      columns: inferColumns(rows, NAMES),
      target: 'status',
      personal: { patient: 'hash', phone: 'never' },
    });
    const made = await a.sync();
    expect(made.rejected).toBe(0);
    expect(made.blobsUp).toBe(1);

    // On the server: the records and every blob byte of the organisation, searched for personal values.
    const records = JSON.stringify(await srv.db.query(`select data from records where org_id = $1`, [srv.orgId]));
    const blobs = await srv.db.query<{ bytes: string }>(
      `select encode(b.bytes, 'escape') as bytes from blob_parts b join blob_owners o on o.hash = b.hash where o.org_id = $1`,
      [srv.orgId],
    );
    expect(blobs.length).toBeGreaterThan(0);
    for (const text of [records, ...blobs.map((x) => x.bytes)]) {
      for (const r of rows) {
        expect(text).not.toContain(r.patient);
        expect(text).not.toContain(r.phone);
      }
    }

    const got = await b.sync();
    expect(got.blobsDown).toBe(1);
    const there = await loadRows(b.db, d.id);
    expect(there).toHaveLength(40);
    expect(Object.keys(there[0]).sort()).toEqual(['age', 'muac', 'patient', 'status']);
    // A code in place of each name; no name or phone here either.
    expect(String(there[0].patient)).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(there)).not.toContain('Amina');
    const params = {
      task: 'classification' as const,
      target: 'status',
      features: ['age', 'muac'],
      epochs: 2,
      batchSize: 8,
      learningRate: 0.05,
      hiddenLayers: [4],
      validationFraction: 0.2,
      seed: 3,
    };
    const trained = await trainModel(there, params, inferColumns(there, ['age', 'muac', 'status']));
    expect(trained.status).toBe('completed');
    expect(trained.trainRows).toBeGreaterThan(20);

    // A later version made on the first phone reaches the second as the current one.
    await dropColumn(a.db, d.id, 'age');
    await a.sync();
    await b.sync();
    const [newest] = await datasetVersions(b.db, d.id);
    expect(newest).toMatchObject({ number: 2, parentId: d.id, change: { columnsRemoved: ['age'] } });
    expect(Object.keys((await loadRows(b.db, d.id))[0]).sort()).toEqual(['muac', 'patient', 'status']);

    // The second phone labels a row of the shared rows: its version's codes are not hashed again,
    // so the first phone reads the same code for the same person.
    const v3 = await changeLabels(b.db, d.id, 'status', [{ index: 3, value: 'sam' }]);
    expect(v3.change).toMatchObject({ kind: 'labels', rowsChanged: 1, columnsRemoved: [], rowsAdded: 0, rowsRemoved: 0 });
    expect(v3.rows).toMatchObject({ removed: [], hashed: ['patient'] });
    expect((await b.sync()).blobsUp).toBe(1);
    expect((await a.sync()).blobsDown).toBe(1);
    const salt = (await a.db.projects.get(p.id))!.rowSalt!;
    const onA = await loadRows(a.db, d.id);
    expect(onA[3]).toMatchObject({ patient: await saltedHash(salt, rows[3].patient), status: 'sam' });
    expect(onA[1].patient).toBe(await saltedHash(salt, rows[1].patient));

    // A version 5 app does not know the table: it is never sent one, and its cursor still moves past them.
    const old = await srv.app.request('/api/sync/pull?cursor=0&limit=1000', {
      headers: { authorization: `Bearer ${b.credential.token}`, [PROTOCOL_HEADER]: '5' },
    });
    const page = (await old.json()) as { records: { table: string }[]; more: boolean };
    expect(page.records.length).toBeGreaterThan(0);
    expect(page.records.map((r) => r.table)).not.toContain('dataset_versions');
    await a.close();
    await b.close();
  });
  it('a column marked personal after its rows were sent: the server and the other phone let go of the rows that hold it', async () => {
    const a = await srv.newDevice('clinic phone 2');
    const b = await srv.newDevice('district phone 2');
    const p = await createProject(a.db, 'Nutrition, marked late');
    await setShareRows(a.db, p.id, true);
    const d = await importDataset(a.db, {
      projectId: p.id,
      name: 'muac',
      fileName: 'muac.csv',
      hash: 'd'.repeat(64),
      rows,
      columns: inferColumns(rows, NAMES),
      target: 'status',
      personal: { patient: 'hash' },
    });
    await dropColumn(a.db, d.id, 'age');
    await a.sync();
    await b.sync();
    expect(JSON.stringify(await loadRows(b.db, d.id))).toContain(rows[0].phone);
    const sent = (await datasetVersions(a.db, d.id)).map((v) => v.rows!.hash);
    // The other phone downloaded the current version's file (the one holding the numbers).
    const current = (await a.db.datasets.get(d.id))!.versionId!;
    const currentFile = (await a.db.dataset_versions.get(current))!.rows!.hash;
    expect(await b.db.blobState.get(currentFile)).toBeDefined();

    await markPersonal(a.db, d.id, 'phone', 'never');
    await a.sync();
    await b.sync();
    const onServer = JSON.stringify(await srv.db.query(`select data from records where org_id = $1 and data->>'datasetId' = $2`, [srv.orgId, d.id]));
    expect(onServer).not.toContain(rows[0].phone);
    const left = await srv.db.query(`select hash from blob_owners where org_id = $1 and hash = any($2::text[])`, [srv.orgId, sent]);
    expect(left).toEqual([]);
    // The other phone: the old files are gone, the current version has a new file without the number.
    expect((await b.db.blobState.bulkGet(sent)).filter(Boolean)).toEqual([]);
    expect((await datasetVersions(b.db, d.id)).find((v) => v.id === current)?.rows?.hash).not.toBe(currentFile);
    const versions = await datasetVersions(b.db, d.id);
    expect(versions.find((v) => v.number === 1)?.rows).toBeNull();
    const now = await loadRows(b.db, d.id);
    expect(now).toHaveLength(40);
    expect(Object.keys(now[0]).sort()).toEqual(['muac', 'patient', 'status']);
    expect(JSON.stringify(now)).not.toContain(rows[0].phone);
    // The phone that typed them keeps its own rows as they were.
    expect(JSON.stringify(await loadRows(a.db, d.id))).toContain(rows[0].phone);
    await a.close();
    await b.close();
  });
  it('a version made while a sync is under way reaches the server with its rows file, in the same sync', async () => {
    const a = await srv.newDevice('clinic phone 4');
    const b = await srv.newDevice('district phone 4');
    const p = await createProject(a.db, 'Nutrition, cleaned during a sync');
    await setShareRows(a.db, p.id, true);
    const d = await importDataset(a.db, {
      projectId: p.id,
      name: 'muac',
      fileName: 'muac.csv',
      hash: 'e'.repeat(64),
      rows,
      columns: inferColumns(rows, NAMES),
      target: 'status',
      personal: { patient: 'hash', phone: 'never' },
    });
    await a.sync();
    // Something to push, then a cleaning step made the moment the push leaves: after this sync's
    // files went up, before its outbox was read to the end.
    await patchRecord(a.db, 'projects', p.id, { name: 'Nutrition, cleaned' });
    let cleaned: Promise<unknown> | undefined;
    const plain = srv.transport(a.credential.token);
    const engine = new SyncEngine({
      db: a.db,
      deviceId: a.credential.deviceId,
      transport: {
        async request(method, path, init) {
          if (path === '/api/sync/push' && !cleaned) await (cleaned = dropColumn(a.db, d.id, 'age'));
          return plain.request(method, path, init);
        },
      },
    });
    const made = await engine.syncOnce();
    expect(cleaned).toBeDefined();
    expect(made.rejected).toBe(0);
    expect(made.blobsUp).toBe(1);
    expect(await engine.pendingCount()).toBe(0);
    expect(await a.db.kv.get('sync:rejected')).toBeUndefined();
    // Later changes to the version (its checks) are taken too, and the other phone has version 2's rows.
    await b.sync();
    const versions = await datasetVersions(b.db, d.id);
    expect(versions.map((v) => v.number).sort()).toEqual([1, 2]);
    const there = await loadRows(b.db, d.id);
    expect(there).toHaveLength(40);
    expect(Object.keys(there[0]).sort()).toEqual(['muac', 'patient', 'status']);
    await a.close();
    await b.close();
  });
  it('sharing turned on offline on two phones: the rows hashed with the salt the project did not keep are hashed again', async () => {
    const a = await srv.newDevice('clinic phone 3');
    const b = await srv.newDevice('district phone 3');
    const p = await createProject(a.db, 'Two salts');
    await a.sync();
    await b.sync();
    const imported = async (db: typeof a.db, name: string) =>
      importDataset(db, {
        projectId: p.id,
        name,
        fileName: `${name}.csv`,
        hash: 'e'.repeat(64),
        rows,
        columns: inferColumns(rows, NAMES),
        target: 'status',
        personal: { phone: 'hash', patient: 'never' },
      });
    const onA = await imported(a.db, 'visits A');
    await imported(b.db, 'visits B');
    // Both offline: each turns sharing on and makes a salt; B's change is the later one.
    await setShareRows(a.db, p.id, true, Date.now());
    await setShareRows(b.db, p.id, true, Date.now() + 1000);
    const saltA = (await a.db.projects.get(p.id))!.rowSalt!;
    await a.sync();
    await b.sync();
    await a.sync();
    const kept = (await a.db.projects.get(p.id))!.rowSalt!;
    expect(kept).toBe((await b.db.projects.get(p.id))!.rowSalt);
    expect(kept).not.toBe(saltA);
    expect(await reshareAfterSaltChange(a.db)).toBe(1);
    expect(await reshareAfterSaltChange(a.db)).toBe(0);
    await a.sync();
    await b.sync();
    // B reads A's rows with the same code for a phone number as its own rows have.
    const code = await saltedHash(kept, rows[0].phone);
    expect((await loadRows(b.db, onA.id))[0].phone).toBe(code);
    const v = (await b.db.dataset_versions.get((await b.db.datasets.get(onA.id))!.versionId!))!;
    expect(v.rows?.salt).toBe(await saltId(kept));
    await a.close();
    await b.close();
  });
});
