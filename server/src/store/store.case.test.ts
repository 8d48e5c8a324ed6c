import { adminKeyActor } from './people.js';
import type { Stage } from '@shared/schema/records.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { migrate } from './migrations.js';
import { createEnrollmentCode, createOrg, enrollDevice, orgStats } from './orgs.js';
import { applyPush, moveStage, pull, type DeviceRef } from './sync.js';
import { blobStatus, putChunk, readBlob } from './blobs.js';
import { change, modelVersion, prediction, project, sha256, stamp, T0 } from './fixtures.js';

// The same cases on every store implementation (PGlite, and PostgreSQL when reachable).
describe.each(STORES)('store contract: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let dev: DeviceRef;
  let other: DeviceRef;
  let foreign: DeviceRef;

  async function newDevice(orgId: string): Promise<DeviceRef> {
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, 'phone', T0);
    return { id: d.deviceId, orgId: d.orgId };
  }

  beforeAll(async () => {
    db = await factory.open();
    const a = (await createOrg(db, 'Clinic A')).org;
    const b = (await createOrg(db, 'Clinic B')).org;
    dev = await newDevice(a.id);
    other = await newDevice(a.id);
    foreign = await newDevice(b.id);
  });
  afterAll(async () => db?.drop());

  it('migrations are idempotent', async () => {
    expect(await migrate(db)).toBe(0);
  });

  it('enrollment codes are one-time and expire', async () => {
    const org = (await createOrg(db, 'Clinic C')).org;
    const { code } = await createEnrollmentCode(db, org.id, 1, T0);
    await expect(enrollDevice(db, code, 'x', T0 + 2 * 86_400_000)).rejects.toThrow(/expired/);
    const d = await enrollDevice(db, code.toLowerCase().replace('-', ' '), 'x', T0);
    expect(d.orgName).toBe('Clinic C');
    await expect(enrollDevice(db, code, 'y', T0)).rejects.toThrow(/already been used/);
    await expect(enrollDevice(db, 'NOPE-NOPE', 'y', T0)).rejects.toThrow(/not known/);
  });

  it('cases 2 and 3: re-pushing an applied batch is a no-op (lost response); duplicated and reordered events insert nothing', async () => {
    const batch = [change('predictions', 'pr1', prediction('pr1')), change('predictions', 'pr2', prediction('pr2'))];
    const first = await applyPush(db, dev, 0, batch, T0);
    expect(first).toMatchObject({ ackedBatchSeq: 0, applied: 2, ignored: 0, rejected: [] });
    const again = await applyPush(db, dev, 0, batch, T0);
    expect(again).toMatchObject({ ackedBatchSeq: 0, applied: 0 });
    // The same events in a later batch (e.g. a client that lost its batch counter) insert nothing.
    const dup = await applyPush(db, dev, 1, [...batch].reverse(), T0);
    expect(dup).toMatchObject({ ackedBatchSeq: 1, applied: 0, ignored: 2 });
    expect((await orgStats(db, dev.orgId)).predictions).toBe(2);
  });

  it('case 4: a permanently invalid record is rejected with a reason, the rest applies; unknown tables and fields are refused', async () => {
    const r = await applyPush(
      db,
      dev,
      2,
      [
        change('predictions', 'pr3', prediction('pr3')),
        change('predictions', 'bad', { id: 'bad', latencyMs: 'slow' }),
        { table: 'users; drop table records', id: 'x', hlc: stamp(T0), fields: {} },
        change('projects', 'pj-bad', { ...project('pj-bad'), sneaky: 1 }),
      ],
      T0,
    );
    expect(r.applied).toBe(1);
    expect(r.rejected.map((x) => x.id).sort()).toEqual(['bad', 'pj-bad', 'x']);
    expect(r.rejected.find((x) => x.id === 'pj-bad')!.message).toMatch(/Unknown field/);
    expect(r.ackedBatchSeq).toBe(2);
  });

  it('merges mutable records per field by clock, whatever the arrival order', async () => {
    await applyPush(db, dev, 3, [change('projects', 'pj1', project('pj1', 'First'), stamp(T0, 0, 'dev1'))], T0);
    // Two devices edit different fields concurrently; then a stale rename arrives late.
    await applyPush(db, other, 0, [change('projects', 'pj1', { description: 'from other' }, stamp(T0 + 2, 0, 'dev2'))], T0);
    await applyPush(db, dev, 4, [change('projects', 'pj1', { name: 'Newest' }, stamp(T0 + 3, 0, 'dev1'))], T0);
    await applyPush(db, other, 1, [change('projects', 'pj1', { name: 'Stale' }, stamp(T0 + 1, 0, 'dev2'))], T0);
    const page = await pull(db, dev.orgId, 0, 100);
    const rec = page.records.find((r) => r.id === 'pj1')!;
    expect(rec.data).toMatchObject({ name: 'Newest', description: 'from other' });
  });

  it('case 13: a tombstone wins against a concurrent or later update', async () => {
    await applyPush(db, dev, 5, [change('projects', 'pj2', project('pj2'), stamp(T0 + 10))], T0);
    await applyPush(db, dev, 6, [change('projects', 'pj2', { deleted: true }, stamp(T0 + 20))], T0);
    await applyPush(db, other, 2, [change('projects', 'pj2', { deleted: false, name: 'Back' }, stamp(T0 + 30, 0, 'dev2'))], T0);
    const rec = (await pull(db, dev.orgId, 0, 100)).records.find((r) => r.id === 'pj2')!;
    expect(rec.data.deleted).toBe(true);
  });

  it('case 11: a clock a day ahead is refused writing nothing; a year behind is fine', async () => {
    const before = await orgStats(db, dev.orgId);
    await expect(applyPush(db, dev, 7, [change('predictions', 'future', prediction('future'), stamp(T0 + 86_400_000))], T0)).rejects.toThrow(/clock/);
    expect(await orgStats(db, dev.orgId)).toEqual(before);
    // A clock a year behind is fine: ordering is by the hybrid clock, not by wall time.
    const r = await applyPush(db, dev, 7, [change('predictions', 'past', prediction('past'), stamp(T0 - 365 * 86_400_000))], T0);
    expect(r.applied).toBe(1);
  });

  it("pulls by server sequence in pages, only the organisation's own pulled tables, and resets a bad cursor", async () => {
    const p1 = await pull(db, dev.orgId, 0, 1);
    expect(p1.records).toHaveLength(1);
    expect(p1.more).toBe(true);
    const rest = await pull(db, dev.orgId, p1.cursor, 100);
    const all = [...p1.records, ...rest.records];
    expect(all.every((r) => r.table !== 'predictions')).toBe(true);
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    expect((await pull(db, foreign.orgId, 0, 100)).records).toHaveLength(0);
    expect((await pull(db, dev.orgId, 10 ** 12, 10)).reset).toBe(true);
  });

  it('cases 14 and 16: an upload cut at 70% resumes from the stored offset; the same blob from two organisations is stored once', async () => {
    const bytes = new Uint8Array(1000).map((_, i) => i % 251);
    const hash = sha256(bytes);
    await putChunk(db, dev.orgId, hash, 0, 1000, bytes.subarray(0, 700));
    expect(await blobStatus(db, dev.orgId, hash)).toMatchObject({ offset: 700, complete: false });
    await expect(putChunk(db, dev.orgId, hash, 500, 1000, bytes.subarray(500))).rejects.toMatchObject({
      code: 'blob_offset_mismatch',
      details: { offset: 700 },
    });
    const done = await putChunk(db, dev.orgId, hash, 700, 1000, bytes.subarray(700));
    expect(done.complete).toBe(true);
    expect(Buffer.from((await readBlob(db, dev.orgId, hash, 10, 20))!.bytes)).toEqual(Buffer.from(bytes.subarray(10, 20)));
    // Another organisation cannot see it until it uploads the same bytes; then it is stored once.
    expect(await blobStatus(db, foreign.orgId, hash)).toBeUndefined();
    expect(await readBlob(db, foreign.orgId, hash)).toBeUndefined();
    await putChunk(db, foreign.orgId, hash, 0, 1000, bytes);
    expect((await readBlob(db, foreign.orgId, hash))!.size).toBe(1000);
    const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from blobs where hash = $1`, [hash]);
    expect(n).toBe(1);
  });

  it('case 15: bytes that do not match their name are discarded and a model version cannot point at them', async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const wrong = sha256(new Uint8Array([9, 9, 9]));
    await expect(putChunk(db, dev.orgId, wrong, 0, 3, bytes)).rejects.toMatchObject({ code: 'blob_hash_mismatch' });
    expect(await blobStatus(db, dev.orgId, wrong)).toBeUndefined();
    const r = await applyPush(db, dev, 8, [change('model_versions', 'mv-bad', modelVersion('mv-bad', wrong))], T0);
    expect(r.rejected[0]).toMatchObject({ id: 'mv-bad', code: 'blob_missing' });
    await putChunk(db, dev.orgId, sha256(bytes), 0, 3, bytes);
    const ok = await applyPush(db, dev, 9, [change('model_versions', 'mv-ok', modelVersion('mv-ok', sha256(bytes)))], T0);
    expect(ok).toMatchObject({ applied: 1, rejected: [] });
  });

  it('case 12: stage moves are compare-and-set; the first to reach the server wins and the other is refused', async () => {
    const bytes = new Uint8Array([7, 7, 7]);
    await putChunk(db, dev.orgId, sha256(bytes), 0, 3, bytes);
    await applyPush(
      db,
      dev,
      20,
      [
        change('model_versions', 'v1', { ...modelVersion('v1', sha256(bytes)), stage: 'production' }),
        change('model_versions', 'v2', modelVersion('v2', sha256(bytes))),
      ],
      T0,
    );
    const stageOf = async (id: string) => (await pull(db, dev.orgId, 0, 1000)).records.find((r) => r.id === id)!.data.stage;
    // A version always starts with no stage on the server: only a stage move promotes it.
    expect(await stageOf('v1')).toBe('none');
    // A device may not promote: its move to production is kept as a proposal, and the stage stays.
    const r1 = await applyPush(
      db,
      dev,
      21,
      [change('stage_changes', 's1', { id: 's1', modelVersionId: 'v1', from: 'none', to: 'production', createdAt: T0, why: 'better on our clinic' })],
      T0,
    );
    expect(r1.rejected).toEqual([]);
    expect(await stageOf('v1')).toBe('none');
    const proposals = (await pull(db, dev.orgId, 0, 1000)).records.filter((r) => r.table === 'proposals');
    expect(proposals.map((p) => [p.data.modelVersionId, p.data.status, p.data.why])).toEqual([['v1', 'pending', 'better on our clinic']]);
    // The central team promotes v1, then v2 (archiving v1); a device's stale move of v1 is then refused.
    const central = (id: string, modelVersionId: string, from: Stage, to: Stage) =>
      db.tx((q) => moveStage(q, dev.orgId, { id, modelVersionId, from, to, createdAt: T0 }, stamp(T0 + 5, 0, 'server'), adminKeyActor()));
    expect(await central('c1', 'v1', 'none', 'production')).toBe('applied');
    expect(await central('c2', 'v2', 'none', 'production')).toBe('applied');
    expect(await stageOf('v1')).toBe('archived');
    const r2 = await applyPush(
      db,
      other,
      20,
      [change('stage_changes', 's2', { id: 's2', modelVersionId: 'v1', from: 'production', to: 'archived', createdAt: T0 })],
      T0,
    );
    expect(r2.rejected[0]).toMatchObject({ code: 'conflict', message: expect.stringMatching(/now “archived” on the server/) });
    // Last-writer-wins changes cannot move a stage; a move the state machine forbids is refused.
    await applyPush(db, dev, 22, [change('model_versions', 'v2', { stage: 'none' }, stamp(T0 + 100))], T0);
    expect(await stageOf('v2')).toBe('production');
    const r3 = await applyPush(
      db,
      dev,
      23,
      [change('stage_changes', 's3', { id: 's3', modelVersionId: 'v2', from: 'production', to: 'staging', createdAt: T0 })],
      T0,
    );
    expect(r3.rejected[0].code).toBe('conflict');
    // Nor may a device take the production version out of production.
    const r4 = await applyPush(
      db,
      dev,
      24,
      [change('stage_changes', 's4', { id: 's4', modelVersionId: 'v2', from: 'production', to: 'archived', createdAt: T0 })],
      T0,
    );
    expect(r4.rejected[0]).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/ML lead or an admin/) });
    // Rollback by the central team: the archived v1 comes back, v2 is archived; all of it is in the history.
    expect(await central('c3', 'v1', 'archived', 'production')).toBe('applied');
    expect([await stageOf('v1'), await stageOf('v2')]).toEqual(['production', 'archived']);
    const history = (await pull(db, dev.orgId, 0, 1000)).records.filter((r) => r.table === 'registry_events' && r.data.modelVersionId === 'v1');
    expect(history.map((e) => `${e.data.kind} ${e.data.from ?? ''}→${e.data.to ?? ''} by ${(e.data.actor as { kind: string }).kind}`)).toEqual([
      'proposed none→production by device',
      'moved none→production by admin_key',
      'moved production→archived by admin_key',
      'moved archived→production by admin_key',
    ]);
  });
});
