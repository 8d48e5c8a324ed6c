import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync, strFromU8, strToU8 } from 'fflate';
import { sha256Hex } from '@shared/data/hash.js';
import { createProject, listProjects } from './projects.js';
import { importDataset, projectDatasets } from './datasets.js';
import { saveLocalBlob, completeBlobBytes } from './blobs.js';
import { saveCanvasBlock } from './canvas.js';
import { makeBackup, restoreBackup } from './backup.js';
import { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import { inProcessServer, type InProcessServer } from '../sync/in-process.testing.js';
import type { HeadlessDevice } from '../sync/headless.js';

// A whole phone to one file and back, through the real server (PGlite in memory): a backup made
// with changes still waiting, restored on a new enrolled phone, syncs with nothing lost and nothing
// twice; a cut-off, changed or foreign file, or a phone that already has data, changes nothing.
let srv: InProcessServer;
let old: HeadlessDevice;
let fresh: HeadlessDevice;
let backup: Uint8Array;
let projectId: string;
let blobHash: string;
let predictionIds: string[];

const serverCount = async (tbl: string) =>
  Number((await srv.db.query<{ n: string | number }>(`select count(*) as n from records where org_id = $1 and tbl = $2`, [srv.orgId, tbl]))[0].n);

beforeAll(async () => {
  srv = await inProcessServer('Backups');
  old = await srv.newDevice('old phone');
  fresh = await srv.newDevice('new phone');
  projectId = (await createProject(old.db, 'Clinic')).id;
  await importDataset(old.db, {
    projectId,
    name: 'visits',
    fileName: 'visits.csv',
    hash: 'd'.repeat(64),
    rows: [
      { age: 3, sick: 'yes' },
      { age: 9, sick: 'no' },
    ],
    columns: [
      { name: 'age', type: 'numeric', missing: 0, distinct: 2, invalid: 0 },
      { name: 'sick', type: 'categorical', missing: 0, distinct: 2, invalid: 0 },
    ],
    target: 'sick',
  });
  predictionIds = await old.logPredictions(300, projectId);
  await old.syncUntilDone();
  // After the last sync: more work that only this phone has, waiting in its outbox.
  predictionIds.push(...(await old.logPredictions(120, projectId)));
  await saveCanvasBlock(old.db, projectId, 'predictionTask', 'Is the child sick?');
  const bytes = new TextEncoder().encode('a file the model needs').buffer as ArrayBuffer;
  blobHash = await sha256Hex(bytes);
  await saveLocalBlob(old.db, blobHash, bytes);
  expect(await old.db.outbox.count()).toBeGreaterThan(0);
  backup = new Uint8Array(await (await makeBackup(old.db, 'test', Date.UTC(2026, 11, 1))).arrayBuffer());
}, 60_000);
afterAll(async () => {
  await old.close();
  await fresh.close();
  await srv.close();
});

describe('backup and restore', () => {
  it('never puts the enrolment or sync positions in the file', () => {
    const text = strFromU8(gunzipSync(backup));
    expect(text).not.toContain(old.credential.token);
    expect(text).not.toMatch(/"sync:(credential|cursor|inflight|nextBatchSeq|witness)"/);
    expect(text.split('\n')[0]).toContain('"format":"outpost-backup-1"');
  });

  it('restored on a new phone, it syncs with nothing lost and nothing twice', async () => {
    const report = await restoreBackup(fresh.db, backup);
    expect(report.tables.predictions).toBe(420);
    expect((await listProjects(fresh.db)).map((p) => p.name)).toEqual(['Clinic']);
    expect((await projectDatasets(fresh.db, projectId)).map((d) => d.name)).toEqual(['visits']);
    expect(await completeBlobBytes(fresh.db, blobHash)).toBeDefined();
    // The old phone's clock time, with a node id of its own.
    const [a, b] = await Promise.all([old.db.kv.get('hlc'), fresh.db.kv.get('hlc')]);
    expect(String(b?.value).split('-').slice(0, 2)).toEqual(String(a?.value).split('-').slice(0, 2));
    expect(String(b?.value)).not.toBe(String(a?.value));

    await fresh.syncUntilDone();
    expect(await fresh.db.outbox.count()).toBe(0);
    expect(await serverCount('predictions')).toBe(420);
    expect(await serverCount('projects')).toBe(1);
    expect(await serverCount('datasets')).toBe(1);
    const ids = await srv.db.query<{ id: string }>(`select id from records where org_id = $1 and tbl = 'predictions'`, [srv.orgId]);
    expect(new Set(ids.map((r) => r.id))).toEqual(new Set(predictionIds));
    const [project] = await srv.db.query<{ data: Record<string, unknown> }>(`select data from records where org_id = $1 and id = $2`, [srv.orgId, projectId]);
    expect(project.data.canvasPredictionTask).toBe('Is the child sick?');
    // The old phone syncing its own copy afterwards adds nothing either.
    await old.syncUntilDone();
    expect(await serverCount('predictions')).toBe(420);
  });

  it('refuses a cut-off, changed or foreign file, and a phone that already has data, changing nothing', async () => {
    const empty = new OutpostDb(`restore-${newId()}`);
    await expect(restoreBackup(empty, backup.slice(0, Math.floor(backup.length / 2)))).rejects.toThrow(/incomplete: it ends before its last line/);
    const lines = strFromU8(gunzipSync(backup)).split('\n');
    const cut = gzipSync(strToU8(lines.slice(0, -2).join('\n') + '\n'));
    await expect(restoreBackup(empty, cut)).rejects.toThrow(/incomplete/);
    const changed = lines.map((l) => l.replace('"Clinic"', '"Clinik"'));
    await expect(restoreBackup(empty, gzipSync(strToU8(changed.join('\n'))))).rejects.toThrow(/changed or damaged/);
    await expect(restoreBackup(empty, strToU8('age,sick\n3,yes\n'))).rejects.toThrow(/not an Outpost backup file/);
    expect(await empty.projects.count()).toBe(0);
    expect(await empty.predictions.count()).toBe(0);
    await expect(restoreBackup(fresh.db, backup)).rejects.toThrow(/already has projects or changes waiting to sync/);
    empty.close();
  });
});
