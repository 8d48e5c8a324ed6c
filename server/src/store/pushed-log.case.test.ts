import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saltedHash } from '@shared/data/privacy.js';
import { STORES } from './test-stores.js';
import type { Db, Queryable } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { applyPush, type DeviceRef } from './sync.js';
import { appendPredictions } from './serving.js';
import { change, insertRecord, modelVersion, prediction, project, stamp, T0 } from './fixtures.js';

// A phone that logged predictions offline before it heard of a mark pushes them with the raw
// values: the server cleans them before it writes them, in the push's own transaction, so no
// statement it sends (and so no row version, no reader, no log of statements) ever holds a raw value.
const SALT = 'ef'.repeat(16);
const RAW = { phone: '+234 803 999 0000', name: 'Hauwa Musa', dob: '2019-04-02' };

describe.each(STORES)('pushed predictions and personal marks: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let dev: DeviceRef;
  const sent: string[] = [];
  // The store as the push sees it, recording every statement's values.
  const recording = (): Db => {
    const wrap = (q: Queryable): Queryable => ({
      query: (sql, params) => {
        sent.push(JSON.stringify(params ?? []));
        return q.query(sql, params);
      },
    });
    return { kind: db.kind, close: () => db.close(), tx: (fn) => db.tx((q) => fn(wrap(q))), ...wrap(db) };
  };
  beforeAll(async () => {
    db = await factory.open();
    const orgId = (await createOrg(db, 'Log')).org.id;
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, 'phone', T0);
    dev = { id: d.deviceId, orgId };
    await insertRecord(db, orgId, 'projects', 'p1', { ...project('p1'), rowSalt: SALT });
    const marked = { id: 'd1', projectId: 'p1', name: 'Visits', fileName: 'v.csv', hash: 'a'.repeat(64), rowCount: 1, columns: [], createdAt: T0 };
    await insertRecord(db, orgId, 'datasets', 'd1', { ...marked, personal: { phone: 'never', name: 'hash', dob: 'never' } });
    // The model reads a year derived from the marked birth date: it follows its column's mark.
    const mv = modelVersion('mv1', 'c'.repeat(64));
    mv.pipeline.features.push({ name: 'dob_year', kind: 'numeric', mean: 0, std: 1, impute: 0, source: { column: 'dob' } } as never);
    await insertRecord(db, orgId, 'model_versions', 'mv1', mv);
  });
  afterAll(async () => db?.drop());

  it('is cleaned before it is written: null for never, the salted code for hash, a derived input as its column; raw values never sent to the database', async () => {
    const logged = { ...prediction('late1'), inputs: { x: 2, phone: RAW.phone, dob_year: 2019 }, attributes: { name: RAW.name } };
    const other = { ...prediction('late2', 'p2'), inputs: { x: 3, phone: RAW.phone } };
    const r = await applyPush(recording(), dev, 1, [change('predictions', 'late1', logged), change('predictions', 'late2', other)], T0);
    expect(r).toMatchObject({ applied: 2, rejected: [] });
    const [row] = await db.query<{ data: typeof logged }>(`select data from records where tbl = 'predictions' and id = 'late1'`);
    expect(row.data.inputs).toEqual({ x: 2, phone: null, dob_year: null });
    expect(row.data.attributes).toEqual({ name: await saltedHash(SALT, RAW.name) });
    // No statement of the push carried a raw value of the marked project (the other project's log is its own).
    const statements = sent.join('\n');
    expect(statements).toContain('late1');
    expect(statements).not.toContain(RAW.name);
    expect(statements).not.toContain('2019,');
    const [kept] = await db.query<{ data: typeof other }>(`select data from records where tbl = 'predictions' and id = 'late2'`);
    expect(kept.data.inputs.phone).toBe(RAW.phone);
  });

  it('a batch the database refuses is written again one change at a time: those predictions are cleaned the same way', async () => {
    sent.length = 0;
    const logged = { ...prediction('late3'), inputs: { x: 4, phone: RAW.phone }, attributes: { name: RAW.name } };
    // The first insert of the batch fails as a data error would (SQLSTATE 22021), so sync.ts writes each change on its own.
    let refuse = true;
    const inner = recording();
    const flaky: Db = {
      ...inner,
      tx: (fn) =>
        inner.tx((q) =>
          fn({
            query: (sql, params) => {
              if (refuse && /insert into records/.test(sql)) {
                refuse = false;
                return Promise.reject(Object.assign(new Error('invalid byte sequence'), { code: '22021' }));
              }
              return q.query(sql, params);
            },
          }),
        ),
    };
    const r = await applyPush(flaky, dev, 2, [change('predictions', 'late3', logged), change('predictions', 'late5', prediction('late5'))], T0);
    expect(refuse).toBe(false);
    expect(r).toMatchObject({ applied: 2, rejected: [] });
    const [row] = await db.query<{ data: typeof logged }>(`select data from records where tbl = 'predictions' and id = 'late3'`);
    expect(row.data.inputs.phone).toBeNull();
    expect(row.data.attributes.name).toBe(await saltedHash(SALT, RAW.name));
    expect(sent.join('\n')).not.toContain(RAW.name);
  });

  it('the server’s own predictions are cleaned again as they are written, under the record lock (a mark that came after the caller read the marks)', async () => {
    sent.length = 0;
    const raw = { ...prediction('srv1'), source: 'server', inputs: { x: 5, phone: RAW.phone }, attributes: { name: RAW.name } };
    await appendPredictions(recording(), dev, [raw as never], stamp(T0, 0, 'server'));
    const [row] = await db.query<{ data: typeof raw }>(`select data from records where tbl = 'predictions' and id = 'srv1'`);
    expect(row.data.inputs.phone).toBeNull();
    expect(row.data.attributes.name).toBe(await saltedHash(SALT, RAW.name));
    expect(sent.join('\n')).not.toContain(RAW.name);
  });
});
