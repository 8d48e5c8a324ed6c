import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { applyPush, pull, type DeviceRef } from './sync.js';
import { putChunk, readBlob } from './blobs.js';
import { change, prediction, project, sha256, stamp, T0 } from './fixtures.js';
import { inferColumns } from '@shared/data/columns.js';
import { publicColumns, saltedHash, shareableRows, type PersonalChoice } from '@shared/data/privacy.js';
import { describeChange, versionHash } from '@shared/data/versions.js';
import { DatasetVersion } from '@shared/schema/dataset-version.js';

// A dataset version synced with its rows (protocol 6), on every store: the server takes the
// version only once its rows' blob is the organisation's, keeps it as parsed, pulls it to devices,
// and what it holds (records and blob bytes) contains no value of a personal column.
const ROWS = [
  { name: 'Amina Bello', phone: '+234 803 123 4567', nin: '12345678901', age: 3, status: 'sam' },
  { name: 'Ngozi Okafor', phone: '0803 555 0101', nin: '10987654321', age: 4, status: 'ok' },
  { name: 'Amina Bello', phone: '+234 803 123 4567', nin: '12345678901', age: 5, status: 'ok' },
];
const NAMES = ['name', 'phone', 'nin', 'age', 'status'];
const PERSONAL: Record<string, PersonalChoice> = { name: 'hash', phone: 'never', nin: 'never' };
const SALT = 'ab'.repeat(16);
const PERSONAL_VALUES = ROWS.flatMap((r) => [r.name, r.phone, r.nin, 'Amina', 'Okafor', '803']);

describe.each(STORES)('dataset versions with rows: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let dev: DeviceRef;
  beforeAll(async () => {
    db = await factory.open();
    const orgId = (await createOrg(db, 'Rows')).org.id;
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, 'clinic phone', T0);
    dev = { id: d.deviceId, orgId: d.orgId };
  });
  afterAll(async () => db?.drop());

  it('refuses the version until its rows are uploaded, then keeps it; neither holds a personal value', async () => {
    const shared = await shareableRows(ROWS, NAMES, PERSONAL, SALT);
    const blobHash = sha256(shared.bytes);
    const version: DatasetVersion = {
      id: 'dv1',
      projectId: 'p1',
      datasetId: 'dv1',
      number: 1,
      parentId: null,
      hash: await versionHash(ROWS, NAMES),
      rowCount: 3,
      columns: publicColumns(inferColumns(ROWS, NAMES), PERSONAL),
      change: describeChange('import', { rowsAdded: 3, rowsRemoved: 0, columnsAdded: NAMES, columnsRemoved: [] }, 3, 5),
      createdAt: T0,
      createdBy: 'clinic phone',
      rows: { format: 'outpost-rows-1', hash: blobHash, size: shared.bytes.length, removed: shared.removed, hashed: shared.hashed },
    };
    const early = await applyPush(db, dev, 0, [change('dataset_versions', 'dv1', version)], T0);
    expect(early.rejected).toEqual([expect.objectContaining({ id: 'dv1', code: 'blob_missing' })]);
    expect(early.rejected[0].message).toContain('push the dataset version');

    await putChunk(db, dev.orgId, blobHash, 0, shared.bytes.length, shared.bytes);
    const later = await applyPush(db, dev, 1, [change('dataset_versions', 'dv1', version, stamp(T0, 1))], T0);
    expect(later).toMatchObject({ applied: 1, rejected: [] });

    const page = await pull(db, dev.orgId, 0, 100);
    const pulled = page.records.find((r) => r.table === 'dataset_versions');
    expect(DatasetVersion.parse(pulled?.data)).toEqual(version);

    const blob = await readBlob(db, dev.orgId, blobHash);
    const held = [Buffer.from(blob!.bytes).toString('utf8'), JSON.stringify(await db.query(`select data from records where org_id = $1`, [dev.orgId]))];
    for (const text of held) for (const v of PERSONAL_VALUES) expect(text).not.toContain(v);
    // The kept columns are all there: the rows are still good to train on.
    expect(Buffer.from(blob!.bytes).toString('utf8')).toContain('"columns":["age","name","status"]');
  });

  it('refuses a version whose change summary or hash is malformed, naming the field', async () => {
    const r = await applyPush(db, dev, 2, [change('dataset_versions', 'dv2', { id: 'dv2', projectId: 'p1', datasetId: 'd', number: 0, hash: 'x' })], T0);
    expect(r.rejected[0]).toMatchObject({ id: 'dv2', code: 'invalid_body' });
  });
  it('withdraws the rows files that hold a column marked personal after they were sent, here and from a late phone', async () => {
    // Sent before anyone marked the phone number: the file holds it as typed.
    const open = await shareableRows(ROWS, NAMES, {}, SALT);
    const openHash = sha256(open.bytes);
    const covered = await shareableRows(ROWS, NAMES, { phone: 'never' }, SALT);
    const coveredHash = sha256(covered.bytes);
    const version = (id: string, rows: typeof open, hash: string): DatasetVersion => ({
      id,
      projectId: 'p1',
      datasetId: 'dw',
      number: 1,
      parentId: null,
      hash: 'c'.repeat(64),
      rowCount: 3,
      columns: publicColumns(inferColumns(ROWS, NAMES), {}),
      change: describeChange('import', { rowsAdded: 3, rowsRemoved: 0, columnsAdded: NAMES, columnsRemoved: [] }, 3, 5),
      createdAt: T0,
      createdBy: 'clinic phone',
      rows: { format: 'outpost-rows-1', hash, size: rows.bytes.length, removed: rows.removed, hashed: rows.hashed },
    });
    const dataset = { id: 'dw', projectId: 'p1', name: 'Visits', fileName: 'visits.csv', hash: 'c'.repeat(64), rowCount: 3, columns: [], createdAt: T0 };
    await putChunk(db, dev.orgId, openHash, 0, open.bytes.length, open.bytes);
    await putChunk(db, dev.orgId, coveredHash, 0, covered.bytes.length, covered.bytes);
    const sent = await applyPush(
      db,
      dev,
      10,
      [
        change('datasets', 'dw', dataset),
        change('dataset_versions', 'dw-open', version('dw-open', open, openHash)),
        change('dataset_versions', 'dw-ok', version('dw-ok', covered, coveredHash)),
      ],
      T0,
    );
    expect(sent).toMatchObject({ applied: 3, rejected: [] });
    const before = (await pull(db, dev.orgId, 0, 1000)).cursor;

    // Marked personal later: the open file goes, the covered one stays.
    const marked = await applyPush(db, dev, 11, [change('datasets', 'dw', { personal: { phone: 'never' } }, stamp(T0 + 60_000))], T0);
    expect(marked).toMatchObject({ applied: 1, rejected: [] });
    const page = await pull(db, dev.orgId, before, 1000);
    const pulled = Object.fromEntries(page.records.filter((r) => r.table === 'dataset_versions').map((r) => [r.id, DatasetVersion.parse(r.data)]));
    expect(pulled['dw-open']?.rows).toBeNull();
    // The covered file stays; both versions' summaries of the column lose its values.
    expect(pulled['dw-ok']?.rows?.hash).toBe(coveredHash);
    for (const v of [pulled['dw-open'], pulled['dw-ok']]) expect(JSON.stringify(v?.columns.find((c) => c.name === 'phone'))).not.toContain('803');
    expect(await readBlob(db, dev.orgId, openHash)).toBeUndefined();
    expect(await db.query(`select 1 from blobs where hash = $1`, [openHash])).toHaveLength(0);
    expect(await db.query(`select 1 from blob_parts where hash = $1`, [openHash])).toHaveLength(0);
    expect(await readBlob(db, dev.orgId, coveredHash)).toBeDefined();

    // A phone that made a version offline before it heard of the mark: the version is kept, its file is not.
    const late = await shareableRows([...ROWS, ROWS[0]], NAMES, {}, SALT);
    const lateHash = sha256(late.bytes);
    await putChunk(db, dev.orgId, lateHash, 0, late.bytes.length, late.bytes);
    const pushed = await applyPush(db, dev, 12, [change('dataset_versions', 'dw-late', version('dw-late', late, lateHash), stamp(T0 + 120_000))], T0);
    expect(pushed).toMatchObject({ applied: 1, rejected: [] });
    const [kept] = await db.query<{ data: DatasetVersion }>(`select data from records where org_id = $1 and tbl = 'dataset_versions' and id = 'dw-late'`, [
      dev.orgId,
    ]);
    expect(kept.data.rows).toBeNull();
    expect(await readBlob(db, dev.orgId, lateHash)).toBeUndefined();
    const everything = JSON.stringify(await db.query(`select data from records where org_id = $1`, [dev.orgId]));
    expect(everything).not.toContain('+234 803 123 4567');
  });
  it('a mark made later rewrites the prediction log as it would be written now: null, or the salted code', async () => {
    const salt = 'cd'.repeat(16);
    const dataset = { id: 'dz', projectId: 'pz', name: 'Visits', fileName: 'visits.csv', hash: 'c'.repeat(64), rowCount: 3, columns: [], createdAt: T0 };
    const logged = (id: string, projectId: string, r: (typeof ROWS)[number]) => ({
      ...prediction(id, projectId),
      inputs: { age: r.age, phone: r.phone },
      attributes: { name: r.name },
    });
    const sent = await applyPush(
      db,
      dev,
      20,
      [
        change('projects', 'pz', { ...project('pz'), rowSalt: salt }),
        change('projects', 'py', project('py')),
        change('datasets', 'dz', dataset),
        change('predictions', 'pz-1', logged('pz-1', 'pz', ROWS[0])),
        change('predictions', 'pz-2', logged('pz-2', 'pz', ROWS[1])),
        change('predictions', 'py-1', logged('py-1', 'py', ROWS[0])),
      ],
      T0,
    );
    expect(sent).toMatchObject({ applied: 6, rejected: [] });
    await applyPush(db, dev, 21, [change('datasets', 'dz', { personal: { phone: 'never', name: 'hash' } }, stamp(T0 + 60_000))], T0);
    const rows = await db.query<{ id: string; data: { inputs: Record<string, unknown>; attributes: Record<string, unknown> } }>(
      `select id, data from records where org_id = $1 and tbl = 'predictions' and id like 'p%-%' order by id`,
      [dev.orgId],
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, r.data]));
    expect(byId['pz-1'].inputs).toEqual({ age: ROWS[0].age, phone: null });
    expect(byId['pz-1'].attributes).toEqual({ name: await saltedHash(salt, ROWS[0].name) });
    expect(byId['pz-2'].attributes.name).toBe(await saltedHash(salt, ROWS[1].name));
    // Another project's log is its own.
    expect(byId['py-1'].inputs.phone).toBe(ROWS[0].phone);
    // A phone that logged one offline before it heard of the mark: cleaned as it is stored.
    await applyPush(db, dev, 22, [change('predictions', 'pz-3', logged('pz-3', 'pz', ROWS[2]))], T0);
    const [late] = await db.query<{ data: { inputs: Record<string, unknown>; attributes: Record<string, unknown> } }>(
      `select data from records where org_id = $1 and tbl = 'predictions' and id = 'pz-3'`,
      [dev.orgId],
    );
    expect(late.data.inputs.phone).toBeNull();
    expect(late.data.attributes.name).toBe(await saltedHash(salt, ROWS[2].name));
    // Once more changes nothing.
    expect(await applyPush(db, dev, 23, [change('datasets', 'dz', { personal: { phone: 'never', name: 'hash' } }, stamp(T0 + 120_000))], T0)).toMatchObject({
      rejected: [],
    });
    const again = await db.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'predictions' and id = 'pz-1'`, [dev.orgId]);
    expect(again[0].data).toEqual(byId['pz-1']);
  });
});
