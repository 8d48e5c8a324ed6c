import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './test-stores.js';
import type { Db, Queryable } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice, orgStats } from './orgs.js';
import { applyPush, pull, type DeviceRef } from './sync.js';
import { putChunk } from './blobs.js';
import { change, insertRecord, modelVersion, prediction, project, run, sha256, stamp, T0 } from './fixtures.js';

// What a device can push that the server must refuse one change at a time, never with a 5xx that
// the device would retry for ever; and how a batch is told apart from a re-send of itself.
describe.each(STORES)('push contract: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let orgId: string;
  let n = 0;
  beforeAll(async () => {
    db = await factory.open();
    orgId = (await createOrg(db, 'Push')).org.id;
  });
  afterAll(async () => db?.drop());

  async function newDevice(org = orgId): Promise<DeviceRef> {
    const { code } = await createEnrollmentCode(db, org, 1, T0);
    const d = await enrollDevice(db, code, `phone ${++n}`, T0);
    return { id: d.deviceId, orgId: d.orgId };
  }
  const stored = async (id: string) =>
    (await db.query<{ data: Record<string, unknown> }>(`select data from records where org_id = $1 and id = $2`, [orgId, id]))[0]?.data;

  it('case 3: a NUL or a lone surrogate anywhere in a change is a rejection naming the field; the rest applies', async () => {
    const dev = await newDevice();
    const fromCsv = { ...prediction('nul1'), inputs: { note: 'row 12\u0000' } };
    const cut = { ...project('sur1'), name: 'Clinic \ud83d' };
    const key = { ...prediction('key1'), inputs: { ['x\udc00']: 1 } };
    const r = await applyPush(
      db,
      dev,
      0,
      [
        change('predictions', 'nul1', fromCsv),
        change('projects', 'sur1', cut),
        change('predictions', 'key1', key),
        change('predictions', 'ok1', prediction('ok1')),
      ],
      T0,
    );
    expect(r).toMatchObject({ outcome: 'applied', applied: 1, ackedBatchSeq: 0 });
    expect(r.rejected.map((x) => [x.id, x.code])).toEqual([
      ['nul1', 'invalid_body'],
      ['sur1', 'invalid_body'],
      ['key1', 'invalid_body'],
    ]);
    expect(r.rejected[0].message).toMatch(/“inputs.note” contains a character the server cannot store/);
    expect(r.rejected[1].message).toMatch(/“name”/);
    // An id with a NUL is refused too, and its label in the answer is storable.
    const r2 = await applyPush(db, dev, 1, [change('predictions', 'bad\u0000id', prediction('bad\u0000id'))], T0);
    expect(r2.rejected[0]).toMatchObject({ id: 'bad\ufffdid', code: 'invalid_body' });
  });

  it('no record can wedge the queue: a value the database refuses is rejected alone after a savepoint; transient errors fail the push', async () => {
    const dev = await newDevice();
    // The checks above keep NUL out; here the database itself is made to see one, as it would
    // for any value a check does not know about.
    let transient = false;
    const poisoned = withQueries(db, (q) => async (sql, params) => {
      if (transient && /insert into records/.test(sql)) {
        transient = false;
        throw Object.assign(new Error('could not serialize access'), { code: '40001' });
      }
      return q.query(sql, params?.map(poison));
    });
    const r = await applyPush(
      poisoned,
      dev,
      0,
      [
        change('predictions', 'w1', prediction('w1')),
        change('predictions', 'w2', { ...prediction('w2'), inputs: { x: 'POISON' } }),
        change('projects', 'w3', project('w3', 'POISON')),
        change('projects', 'w4', project('w4')),
      ],
      T0,
    );
    expect(r).toMatchObject({ outcome: 'applied', applied: 2, ackedBatchSeq: 0 });
    expect(r.rejected.map((x) => x.id)).toEqual(['w2', 'w3']);
    expect(r.rejected[0].message).toMatch(/cannot store this record/);
    expect(r.rejected[0].reason).toMatchObject({ code: 'store_refused', params: { detail: expect.any(String) } });
    expect([await stored('w1'), await stored('w2'), await stored('w3'), await stored('w4')].map((x) => !!x)).toEqual([true, false, false, true]);
    transient = true;
    await expect(applyPush(poisoned, dev, 1, [change('predictions', 'w5', prediction('w5'))], T0)).rejects.toMatchObject({ code: '40001' });
    expect(await stored('w5')).toBeUndefined();
  });

  it('case 4: times past 2100 and numbers out of range are per-change rejections', async () => {
    const dev = await newDevice();
    const bytes = new Uint8Array([8, 8]);
    await putChunk(db, orgId, sha256(bytes), 0, 2, bytes);
    const r = await applyPush(
      db,
      dev,
      0,
      [
        change('runs', 'r-far', { ...run('r-far'), startedAt: 9007199254740991 }),
        change('model_versions', 'mv-far', { ...modelVersion('mv-far', sha256(bytes)), createdAt: 9007199254740991 }),
        change('predictions', 'p-neg', { ...prediction('p-neg'), createdAt: -1 }),
        change('model_versions', 'mv-huge', { ...modelVersion('mv-huge', sha256(bytes)), version: 1e12 }),
        change('runs', 'r-ok', run('r-ok')),
      ],
      T0,
    );
    expect(r.rejected.map((x) => x.id)).toEqual(['r-far', 'mv-far', 'p-neg', 'mv-huge']);
    expect(r.applied).toBe(1);
    // A later partial change is range-checked too.
    const later = await applyPush(db, dev, 1, [change('runs', 'r-ok', { finishedAt: 1e16 }, stamp(T0 + 1))], T0);
    expect(later.rejected).toHaveLength(1);
  });

  it('case 7: a change whose table or id is an object or other junk is rejected with empty labels, never a 500', async () => {
    const dev = await newDevice();
    const junk = [{ table: { toString: 1 }, id: { toString: 1 }, hlc: stamp(T0), fields: {} }, { table: 'projects', id: ['a'] }, null, 7, 'x', [1, 2]];
    const r = await applyPush(db, dev, 0, junk, T0);
    expect(r.rejected).toHaveLength(junk.length);
    for (const x of r.rejected) expect(x).toMatchObject({ table: expect.any(String), id: '', code: 'invalid_body' });
    expect(r.rejected[1].table).toBe('projects');
  });

  it('case 12: predictions are validated strictly like mutable records, and what is stored is the parsed record', async () => {
    const dev = await newDevice();
    const r = await applyPush(
      db,
      dev,
      0,
      [
        change('predictions', 'extra1', { ...prediction('extra1'), sneaky: 'x'.repeat(1000) }),
        change('predictions', 'nested1', { ...prediction('nested1'), output: { label: 'a', smuggled: [1, 2, 3] } }),
      ],
      T0,
    );
    expect(r.rejected.map((x) => [x.id, x.message])).toEqual([['extra1', expect.stringMatching(/Unknown field/)]]);
    expect(await stored('nested1')).toEqual({ ...prediction('nested1'), output: { label: 'a' } });
  });

  it('case 13: a re-sent batch gets its first answer back; a different batch under the same number is renumbered, writing nothing', async () => {
    const dev = await newDevice();
    const batch = [change('predictions', 'rs1', prediction('rs1')), change('projects', 'rs-bad', { id: 'rs-bad', name: 7 })];
    const first = await applyPush(db, dev, 0, batch, T0);
    expect(first).toMatchObject({ outcome: 'applied', applied: 1 });
    expect(first.rejected.map((x) => x.id)).toEqual(['rs-bad']);
    const again = await applyPush(db, dev, 0, batch, T0);
    expect(again).toEqual({ ...first, outcome: 'duplicate', applied: 0, ignored: 2 });
    // A copy of the device restored from before batch 0 makes other rows under number 0.
    const other = await applyPush(db, dev, 0, [change('predictions', 'rs2', prediction('rs2'))], T0);
    expect(other).toMatchObject({ outcome: 'renumber', ackedBatchSeq: 0, applied: 0, rejected: [] });
    expect(await stored('rs2')).toBeUndefined();
    expect(await applyPush(db, dev, 1, [change('predictions', 'rs2', prediction('rs2'))], T0)).toMatchObject({ outcome: 'applied', applied: 1 });
    // A number below the acknowledged one is never applied again.
    expect(await applyPush(db, dev, 0, batch, T0)).toMatchObject({ outcome: 'renumber', ackedBatchSeq: 1, applied: 0 });
  });

  it("case 12: sequence numbers are the organisation's own; a cursor past them resets", async () => {
    const fresh = (await createOrg(db, 'Fresh')).org.id;
    const dev = await newDevice(fresh);
    await applyPush(db, dev, 0, [change('projects', 'f1', project('f1')), change('projects', 'f2', project('f2'))], T0);
    const page = await pull(db, fresh, 0, 10);
    expect(page.records.map((r) => r.seq)).toEqual([1, 2]);
    expect((await pull(db, fresh, 2, 10)).reset).toBeUndefined();
    expect((await pull(db, fresh, 3, 10)).reset).toBe(true);
    expect(await orgStats(db, fresh)).toEqual({ projects: 2 });
    // Predictions are not pulled, but the last page's cursor passes them: a server restored to
    // before them is noticed by the device's next pull (cursor past the counter), which then
    // sends back what it holds.
    await applyPush(db, dev, 1, [change('predictions', 'f3', prediction('f3'))], T0);
    const after = await pull(db, fresh, 2, 10);
    expect(after).toMatchObject({ records: [], cursor: 3, more: false });
    await db.query(`update orgs set record_seq = 2 where id = $1`, [fresh]);
    expect((await pull(db, fresh, after.cursor, 10)).reset).toBe(true);
  });

  it('case 13: the record named at the cursor (witness) shows a restore that later writes have hidden from the counter', async () => {
    const org = (await createOrg(db, 'Witnessed')).org.id;
    const dev = await newDevice(org);
    await applyPush(db, dev, 0, [change('projects', 'w1', project('w1'))], T0);
    await applyPush(db, dev, 1, [change('predictions', 'w2', prediction('w2'))], T0);
    const seen = await pull(db, org, 0, 10);
    // The cursor is a stored record's number, past the prediction log, and names that record.
    expect(seen).toMatchObject({ cursor: 2, more: false, witness: { table: 'predictions', id: 'w2' } });
    expect((await pull(db, org, seen.cursor, 10, seen.witness)).reset).toBeUndefined();
    // A later write to the witnessed record moves it forward: still the same history.
    await applyPush(db, dev, 2, [change('projects', 'w1', { name: 'renamed' }, stamp(T0 + 1))], T0);
    const paged = await pull(db, org, 0, 1);
    expect(paged).toMatchObject({ cursor: 3, more: false, witness: { table: 'projects', id: 'w1' } });
    expect((await pull(db, org, 2, 10, { table: 'projects', id: 'w1' })).reset).toBeUndefined();
    // Restored to before the prediction, then written past the cursor again: the witness is gone.
    await db.query(`delete from records where org_id = $1 and id = 'w2'`, [org]);
    await applyPush(db, dev, 3, [change('projects', 'w4', project('w4')), change('projects', 'w5', project('w5'))], T0);
    expect((await pull(db, org, seen.cursor, 10)).reset).toBeUndefined(); // the cursor alone cannot tell
    expect((await pull(db, org, seen.cursor, 10, seen.witness)).reset).toBe(true);
  });

  it('a tombstone for a version in production, or one the deployment names, or their project, is refused with what to do; others apply', async () => {
    const device = await newDevice();
    await insertRecord(db, orgId, 'projects', 'pdel', project('pdel', 'Deleting'));
    await insertRecord(db, orgId, 'model_versions', 'vprod', { ...modelVersion('vprod', 'a'.repeat(64), 'production'), projectId: 'pdel' });
    await insertRecord(db, orgId, 'model_versions', 'vtrial', { ...modelVersion('vtrial', 'b'.repeat(64), 'staging'), projectId: 'pdel', version: 2 });
    await insertRecord(db, orgId, 'model_versions', 'vold', { ...modelVersion('vold', 'c'.repeat(64), 'archived'), projectId: 'pdel', version: 3 });
    await insertRecord(db, orgId, 'deployments', 'pdel', {
      id: 'pdel',
      projectId: 'pdel',
      revision: 1,
      state: { mode: 'shadow', champion: 'vprod', challenger: 'vtrial', level: 'full' },
    });
    const later = stamp(T0 + 60_000);
    const res = await applyPush(
      db,
      device,
      1,
      [
        change('model_versions', 'vprod', { deleted: true }, later),
        change('model_versions', 'vtrial', { deleted: true }, later),
        change('model_versions', 'vold', { deleted: true }, later),
        change('projects', 'pdel', { deleted: true }, later),
      ],
      T0 + 60_000,
    );
    expect(res.rejected.map((r) => [r.id, r.code])).toEqual([
      ['vprod', 'conflict'],
      ['vtrial', 'conflict'],
      ['pdel', 'conflict'],
    ]);
    expect(res.rejected[0].message).toMatch(
      /is in production on the server\. Move another version to production \(or archive this one\) first, then delete it\./,
    );
    expect(res.rejected[1].message).toMatch(/named by the project's deployment/);
    expect(res.rejected[2].message).toMatch(/then delete the project\./);
    expect((await stored('vprod'))?.deleted).toBeUndefined();
    expect((await stored('vold'))?.deleted).toBe(true);
    expect((await stored('pdel'))?.deleted).toBeUndefined();
  });
});

/** The same store, with every query inside and outside transactions passed through `wrap`. */
function withQueries(db: Db, wrap: (q: Queryable) => (sql: string, params?: unknown[]) => Promise<unknown[]>): Db {
  const through = (q: Queryable): Queryable => ({ query: wrap(q) as Queryable['query'] });
  return { ...db, ...through(db), tx: (fn) => db.tx((q) => fn(through(q))) };
}

/** A NUL where a value says POISON, escaped as JSON text would carry it to the database. */
function poison(p: unknown): unknown {
  if (typeof p === 'string') return p.replaceAll('POISON', '\\u0000');
  if (Array.isArray(p)) return p.map(poison);
  return p;
}
