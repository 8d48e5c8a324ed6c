import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_ID, type CollectionForm } from '@shared/forms/form.js';
import { canonicalRowsText, versionHash } from '@shared/data/versions.js';
import { createProject } from '../db/projects.js';
import { markPersonal, setShareRows } from '../db/dataset-settings.js';
import { datasetVersions, dropColumn, loadVersionRows } from '../db/dataset-versions.js';
import { deleteDataset } from '../db/delete.js';
import { inProcessServer, type InProcessServer } from '../sync/in-process.testing.js';
import type { HeadlessDevice } from '../sync/headless.js';
import { speakProtocol } from '../sync/transport.js';
import { createFormDataset, entryCount, newEntryId, saveEntry } from './entries.js';
import { afterSync, mergeArrivedEntries, MERGED_BY } from './merge.js';

// Collection forms on two real phones (headless, fake-indexeddb) syncing through the real server
// in this process (PGlite in memory): entries made offline on both become one merge version with
// the same id and hash on both, made once on the server.
let srv: InProcessServer;
let a: HeadlessDevice;
let b: HeadlessDevice;

const FORM: CollectionForm = {
  fields: [
    { name: 'temp', label: 'Temperature', type: 'numeric', unit: '°C', min: 34, max: 43, required: true },
    { name: 'cough', label: 'Cough', type: 'yesno', required: false },
    { name: 'patient', label: 'Patient name', type: 'text', required: false },
    { name: 'phone', label: 'Phone', type: 'text', required: false },
  ],
};

beforeAll(async () => {
  srv = await inProcessServer('Forms');
  a = await srv.newDevice('clinic A');
  b = await srv.newDevice('clinic B');
}, 60_000);
afterAll(async () => {
  await a.close();
  await b.close();
  await srv.close();
});

const after = (d: HeadlessDevice) => afterSync(d.db, speakProtocol(srv.transport(d.credential.token)));

async function head(d: HeadlessDevice, datasetId: string) {
  const ds = (await d.db.datasets.get(datasetId))!;
  const v = (await d.db.dataset_versions.get(ds.versionId!))!;
  return { v, rows: await loadVersionRows(d.db, v.id) };
}

describe('collection forms on two phones', () => {
  it('entries made offline on both merge into one version with the same hash on both, made once', async () => {
    const p = await createProject(a.db, 'Fever clinic');
    await setShareRows(a.db, p.id, true);
    const ds = await createFormDataset(a.db, p.id, 'Fever visits', FORM);
    // The patient's name is never sent: the merge holds what every phone can see.
    await markPersonal(a.db, ds.id, 'patient', 'never');
    // The phone number travels only as a salted code, equal on both phones.
    await markPersonal(a.db, ds.id, 'phone', 'hash');
    await a.syncUntilDone();
    await b.syncUntilDone();
    expect((await b.db.datasets.get(ds.id))?.form).toEqual(FORM);

    // Offline: three entries on A (one submitted twice), two on B.
    const twice = newEntryId();
    expect((await saveEntry(a.db, ds.id, twice, { temp: '38.5', cough: 'yes', patient: 'Amina Bello', phone: '08031234567' })).outcome).toBe('saved');
    expect((await saveEntry(a.db, ds.id, twice, { temp: '38.5', cough: 'yes', patient: 'Amina Bello' })).outcome).toBe('already');
    await saveEntry(a.db, ds.id, newEntryId(), { temp: '36,9' });
    await saveEntry(a.db, ds.id, newEntryId(), { temp: '40' });
    await saveEntry(b.db, ds.id, newEntryId(), { temp: '37.2', cough: 'no', phone: '08031234567' });
    await saveEntry(b.db, ds.id, newEntryId(), { temp: '41.0', cough: 'yes' });
    expect(await entryCount(a.db, ds.id)).toBe(3);
    expect(await entryCount(b.db, ds.id)).toBe(2);

    // Both phones see both branches before either has seen a merge: each computes it on its own.
    await a.sync();
    await b.sync();
    await a.sync();
    const [ma, mb] = [await after(a), await after(b)];
    expect(ma.merged).toBe(1);
    expect(mb.merged).toBe(1);
    const [ha, hb] = [await head(a, ds.id), await head(b, ds.id)];
    expect(ha.v.id).toBe(hb.v.id);
    expect(ha.v.hash).toBe(hb.v.hash);
    expect(ha.v).toEqual(hb.v);
    expect(ha.v).toMatchObject({ change: { kind: 'merge' }, rowCount: 5, createdBy: MERGED_BY });
    expect(ha.v.mergedFrom).toHaveLength(1);
    const names = ha.v.columns.map((c) => c.name);
    expect([...names].sort()).toEqual(['cough', ENTRY_ID, 'phone', 'temp']);
    // The same number typed on both phones is the same code in the merge, and the number is nowhere.
    const codes = ha.rows.map((r) => r.phone).filter((x) => x !== null);
    expect(codes).toHaveLength(2);
    expect(codes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(codes[1]).toBe(codes[0]);
    expect(JSON.stringify(ha.rows)).not.toContain('08031234567');
    expect(canonicalRowsText(ha.rows, names)).toBe(canonicalRowsText(hb.rows, names));
    expect(await versionHash(hb.rows, names)).toBe(ha.v.hash);
    // Ordered by entry id; the name stays on the phone that typed it, in its own entries version.
    const ids = ha.rows.map((r) => String(r[ENTRY_ID]));
    expect(ids).toEqual([...ids].sort());
    expect(JSON.stringify(ha.rows)).not.toContain('Amina');

    await a.syncUntilDone();
    await b.syncUntilDone();
    await a.syncUntilDone();
    const merges = await srv.db.query<{ n: number }>(
      `select count(*)::int as n from records where org_id = $1 and tbl = 'dataset_versions' and data->'change'->>'kind' = 'merge'`,
      [srv.orgId],
    );
    expect(merges[0].n).toBe(1);
    for (const d of [a, b]) {
      expect((await d.db.datasets.get(ds.id))?.versionId).toBe(ha.v.id);
      expect(await after(d)).toEqual({ merged: 0, recognised: 0, waiting: 0 });
    }
    const server = JSON.stringify(await srv.db.query(`select data from records where org_id = $1`, [srv.orgId]));
    expect(server).not.toContain('Amina');
    expect(server).not.toContain('08031234567');

    // One more round: A adds after the merge, B adds too; B alone sees both and merges, A recognises B's merge.
    await saveEntry(a.db, ds.id, newEntryId(), { temp: '35' });
    await saveEntry(b.db, ds.id, newEntryId(), { temp: '39' });
    await a.syncUntilDone();
    await b.syncUntilDone();
    const second = await afterSync(b.db); // no transport: the current version's rows came with the sync
    await b.syncUntilDone();
    await a.syncUntilDone();
    const again = await after(a);
    expect(second.merged + again.merged).toBeGreaterThanOrEqual(1);
    await a.syncUntilDone();
    await b.syncUntilDone();
    await after(b);
    const [fa, fb] = [await head(a, ds.id), await head(b, ds.id)];
    expect(fa.v.id).toBe(fb.v.id);
    expect(fa.v.hash).toBe(fb.v.hash);
    expect(fa.v.rowCount).toBe(7);
    expect((await datasetVersions(a.db, ds.id)).filter((v) => v.change.kind === 'merge').length).toBe(2);
  }, 120_000);

  it('waits for the other phone’s rows before merging, and leaves a cleaning step on one branch unmerged', async () => {
    const p = await createProject(a.db, 'Waiting');
    await setShareRows(a.db, p.id, true);
    const ds = await createFormDataset(a.db, p.id, 'Visits', FORM);
    await a.syncUntilDone();
    await b.syncUntilDone();
    await saveEntry(a.db, ds.id, newEntryId(), { temp: '37' });
    await saveEntry(b.db, ds.id, newEntryId(), { temp: '38' });
    await a.syncUntilDone();
    await b.syncUntilDone();
    await a.syncUntilDone();
    // Whichever phone's version the dataset now names, the other's rows were not downloaded by the sync.
    const waiting = [await mergeArrivedEntries(a.db), await mergeArrivedEntries(b.db)];
    expect(waiting.map((w) => w.waiting + w.merged).sort()).toEqual([1, 1]);
    expect(waiting.some((w) => w.waiting === 1)).toBe(true);
    await after(a);
    await after(b);
    await a.syncUntilDone();
    await b.syncUntilDone();
    expect((await head(a, ds.id)).v.hash).toBe((await head(b, ds.id)).v.hash);

    // A cleaning step on one phone while the other adds entries: not joined automatically.
    await dropColumn(a.db, ds.id, 'patient');
    await saveEntry(b.db, ds.id, newEntryId(), { temp: '39' });
    await a.syncUntilDone();
    await b.syncUntilDone();
    await a.syncUntilDone();
    expect(await after(a)).toEqual({ merged: 0, recognised: 0, waiting: 0 });
    expect(await after(b)).toEqual({ merged: 0, recognised: 0, waiting: 0 });
  }, 60_000);

  it('refuses a value out of range and a required field missing with the sentence, and saves nothing', async () => {
    const p = await createProject(a.db, 'Ranges');
    const ds = await createFormDataset(a.db, p.id, 'Visits', FORM);
    const before = (await a.db.datasets.get(ds.id))!.versionId;
    const out = await saveEntry(a.db, ds.id, newEntryId(), { temp: '44', cough: 'maybe' });
    expect(out).toEqual({
      outcome: 'refused',
      problems: {
        temp: { key: 'forms.between', values: { label: 'Temperature', min: 34, max: 43, unit: ' °C' } },
        cough: { key: 'forms.notChoice', values: { label: 'Cough' } },
      },
    });
    expect((await saveEntry(a.db, ds.id, newEntryId(), {})).outcome).toBe('refused');
    expect((await a.db.datasets.get(ds.id))!.versionId).toBe(before);
  });

  it('entries saved between two syncs make one version; a sync, or a push on the wire, starts the next', async () => {
    const p = await createProject(a.db, 'Sittings');
    await setShareRows(a.db, p.id, true);
    const ds = await createFormDataset(a.db, p.id, 'Visits', FORM);
    await a.syncUntilDone();
    const versionsOnServer = async () =>
      (
        await srv.db.query<{ n: number }>(`select count(*)::int as n from records where org_id = $1 and tbl = 'dataset_versions' and data->>'datasetId' = $2`, [
          srv.orgId,
          ds.id,
        ])
      )[0].n;
    const rowsFiles = async () => {
      const hashes = (await datasetVersions(a.db, ds.id)).flatMap((v) => (v.rows ? [v.rows.hash] : []));
      return (await a.db.blobState.bulkGet(hashes)).filter(Boolean).length;
    };

    for (const t of ['37', '38', '39']) await saveEntry(a.db, ds.id, newEntryId(), { temp: t });
    let versions = (await datasetVersions(a.db, ds.id)).sort((x, y) => x.number - y.number);
    expect(versions.map((v) => [v.number, v.rowCount])).toEqual([
      [1, 0],
      [2, 3],
    ]);
    const batch = versions[1];
    expect(batch).toMatchObject({ parentId: versions[0].id, change: { kind: 'entries', rowsAdded: 3, rowsRemoved: 0 } });
    expect(await a.db.outbox.where('[table+id]').between(['dataset_versions', ''], ['dataset_versions', '\uffff']).count()).toBe(1);
    expect(await rowsFiles()).toBe(2);
    expect((await a.db.datasets.get(ds.id))?.versionId).toBe(batch.id);
    await a.syncUntilDone();
    expect(await versionsOnServer()).toBe(2);

    // After the sync, the next entries are the next sitting's batch.
    await saveEntry(a.db, ds.id, newEntryId(), { temp: '40' });
    await saveEntry(a.db, ds.id, newEntryId(), { temp: '41' });
    versions = (await datasetVersions(a.db, ds.id)).sort((x, y) => x.number - y.number);
    expect(versions.map((v) => [v.number, v.rowCount, v.parentId])).toEqual([
      [1, 0, null],
      [2, 3, versions[0].id],
      [3, 5, batch.id],
    ]);

    // A push on the wire may hold the batch: it is not replaced, the next entry starts a new one.
    const last = (await a.db.outbox.orderBy('seq').last())!.seq!;
    await a.db.kv.put({ key: 'sync:inflight', value: { batchSeq: 10_000, upToSeq: last } });
    await saveEntry(a.db, ds.id, newEntryId(), { temp: '42' });
    await a.db.kv.delete('sync:inflight');
    await saveEntry(a.db, ds.id, newEntryId(), { temp: '36' });
    versions = (await datasetVersions(a.db, ds.id)).sort((x, y) => x.number - y.number);
    expect(versions.map((v) => v.rowCount)).toEqual([0, 3, 5, 7]);
    expect(versions[3].parentId).toBe(versions[2].id);
    await a.syncUntilDone();
    expect(await versionsOnServer()).toBe(4);
    expect((await loadVersionRows(a.db, versions[3].id)).map((r) => r.temp)).toEqual([37, 38, 39, 40, 41, 42, 36]);
  });

  it('a double tap saves one row', async () => {
    const p = await createProject(a.db, 'Double tap');
    const ds = await createFormDataset(a.db, p.id, 'Visits', FORM);
    const id = newEntryId();
    const outs = await Promise.all([saveEntry(a.db, ds.id, id, { temp: '37' }), saveEntry(a.db, ds.id, id, { temp: '37' })]);
    expect(outs.map((o) => o.outcome).sort()).toEqual(['already', 'saved']);
    expect(await entryCount(a.db, ds.id)).toBe(1);
  });

  it('a form whose dataset was deleted on another phone says so and saves nothing', async () => {
    const p = await createProject(a.db, 'Deleted');
    const ds = await createFormDataset(a.db, p.id, 'Visits', FORM);
    await a.syncUntilDone();
    await b.syncUntilDone();
    await deleteDataset(a.db, ds.id);
    await a.syncUntilDone();
    await b.syncUntilDone();
    expect(await saveEntry(b.db, ds.id, newEntryId(), { temp: '37' })).toEqual({ outcome: 'gone' });
  });
});
