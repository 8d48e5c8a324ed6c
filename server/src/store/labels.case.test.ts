import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pulledTables } from '@shared/sync/protocol.js';
import { decideAll } from '@shared/labels/decide.js';
import { Label } from '@shared/labels/label.js';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { applyPush, pull, type DeviceRef } from './sync.js';
import { datasetLabelRecords } from './labels.js';
import { change, insertRecord, project, stamp, T0 } from './fixtures.js';

// Labels (protocol 7) on both stores: append-only by id, every change kept as its own record,
// pulled by every device that knows the table and by none that does not, and a label naming a
// dataset of another project refused alone.
const dataset = (id: string, projectId: string) => ({
  id,
  projectId,
  name: 'Photos',
  fileName: 'camera',
  hash: 'a'.repeat(64),
  rowCount: 2,
  columns: [],
  createdAt: T0,
});
const label = (id: string, by: string, value: string, at = T0, extra: Record<string, unknown> = {}) => ({
  id,
  projectId: 'p1',
  datasetId: 'd1',
  column: 'label',
  item: `image:${'b'.repeat(64)}`,
  value,
  by,
  name: by,
  at,
  ...extra,
});

describe.each(STORES)('labels: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let orgId: string;
  let n = 0;
  beforeAll(async () => {
    db = await factory.open();
    orgId = (await createOrg(db, 'Labels')).org.id;
    await insertRecord(db, orgId, 'projects', 'p1', project('p1'));
    await insertRecord(db, orgId, 'projects', 'p2', project('p2', 'Other'));
    await insertRecord(db, orgId, 'datasets', 'd1', dataset('d1', 'p1'));
    await insertRecord(db, orgId, 'datasets', 'd2', dataset('d2', 'p2'));
  });
  afterAll(async () => db?.drop());

  async function newDevice(): Promise<DeviceRef> {
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, `phone ${++n}`, T0);
    return { id: d.deviceId, orgId: d.orgId };
  }
  const pulledLabels = async (protocol: number) =>
    (await pull(db, orgId, 0, 1000, undefined, pulledTables(protocol))).records.filter((r) => r.table === 'labels').map((r) => r.id);

  it('two devices label the same photo; a changed label is a new record; a re-sent one is ignored; all are pulled and decide the same', async () => {
    const a = await newDevice();
    const b = await newDevice();
    const r1 = await applyPush(db, a, 0, [change('labels', 'la1', label('la1', 'ada', 'cat'))], T0);
    expect(r1).toMatchObject({ applied: 1, rejected: [] });
    const r2 = await applyPush(db, b, 0, [change('labels', 'lb1', label('lb1', 'bo', 'dog', T0 + 1))], T0);
    expect(r2).toMatchObject({ applied: 1, rejected: [] });
    // Ada changes her mind: a new record; the same record sent again in a new batch inserts nothing.
    const r3 = await applyPush(
      db,
      a,
      1,
      [change('labels', 'la2', label('la2', 'ada', 'dog', T0 + 2), stamp(T0 + 2)), change('labels', 'la1', label('la1', 'ada', 'cat'))],
      T0 + 2,
    );
    expect(r3).toMatchObject({ applied: 1, ignored: 1, rejected: [] });
    const held = (await datasetLabelRecords(db, orgId, 'd1')).map((d) => Label.parse(d));
    expect(held.map((l) => [l.id, l.value])).toEqual([
      ['la1', 'cat'],
      ['lb1', 'dog'],
      ['la2', 'dog'],
    ]);
    expect(decideAll(held)).toMatchObject([{ status: 'agreed', value: 'dog' }]);
    expect((await pulledLabels(7)).sort()).toEqual(['la1', 'la2', 'lb1']);
    // A version 6 app cannot read the table's name: it is never sent labels.
    expect(await pulledLabels(6)).toEqual([]);
  });

  it('a label naming a dataset of another project, or of the wrong shape, is refused alone; one for a dataset not here yet is kept', async () => {
    const a = await newDevice();
    const r = await applyPush(
      db,
      a,
      0,
      [
        change('labels', 'x1', label('x1', 'ada', 'cat', T0, { datasetId: 'd2' })),
        change('labels', 'x2', label('x2', 'ada', '', T0)),
        change('labels', 'x3', label('x3', 'ada', 'cat', T0, { item: '7' })),
        change('labels', 'x4', label('x4', 'ada', 'cat', T0, { datasetId: 'later' })),
        change('labels', 'x5', label('x5', 'ada', 'cat', T0)),
      ],
      T0,
    );
    expect(r.rejected.map((x) => [x.id, x.code]).sort()).toEqual([
      ['x1', 'invalid_body'],
      ['x2', 'invalid_body'],
      ['x3', 'invalid_body'],
    ]);
    expect(r.rejected.find((x) => x.id === 'x1')?.message).toMatch(/dataset of another project/);
    expect(r.applied).toBe(2);
    expect((await datasetLabelRecords(db, orgId, 'later')).map((l) => l.id)).toEqual(['x4']);
    expect((await datasetLabelRecords(db, orgId, 'd2')).length).toBe(0);
  });
});
