// The protocol gaps of docs/sync.md, closed: a restored copy reusing the server's last batch
// number, a re-sent batch's refusals, and records a server lost after a restore from backup.
import 'fake-indexeddb/auto';
import { inProcessServer, loggedPrediction, type InProcessServer } from './in-process.testing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchRecord, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { saveLocalBlob, blobState } from '../db/blobs.js';
import { KV, SyncEngine } from './engine.js';
import { sha256Hex } from '@shared/data/hash.js';

let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Recovery');
});
afterAll(async () => srv.close());

const onServer = async (ids: string[]) =>
  Number((await srv.db.query<{ n: number }>(`select count(*)::int as n from records where org_id = $1 and id = any($2::text[])`, [srv.orgId, ids]))[0].n);

describe('recovery', () => {
  it("case 13: a restored copy whose next batch number is the server's last one is renumbered, not taken as delivered", async () => {
    const d = await srv.newDevice('restored-equal');
    await putRecord(d.db, 'predictions', loggedPrediction());
    await d.sync(); // batch 0
    await putRecord(d.db, 'predictions', loggedPrediction());
    await d.sync(); // batch 1: the server's last
    await d.db.kv.put({ key: KV.nextBatchSeq, value: 1 }); // as the copy taken before batch 1 had it
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await putRecord(d.db, 'predictions', loggedPrediction())).id);
    const s = await d.sync();
    expect(s.pushed).toBe(3);
    expect(await d.db.outbox.count()).toBe(0);
    expect(await onServer(ids)).toBe(3);
    await d.close();
  });

  it('case 13: the answer to a batch with a refused change is lost; the re-sent batch still brings the reason', async () => {
    const d = await srv.newDevice('lost-reason');
    await d.db.outbox.add({ table: 'projects', id: 'no-name', hlc: '000000000000001-0000-x', fields: { id: 'no-name', name: 42 } });
    let lose = true;
    const lossy = new SyncEngine({ db: d.db, transport: srv.transport(d.credential.token, () => (lose ? ((lose = false), true) : false)) });
    await expect(lossy.push()).rejects.toThrow(/answer lost/);
    const again = await lossy.push();
    expect(again.rejected).toBe(1);
    const kept = (await d.db.kv.get(KV.rejected))?.value as { id: string; message: string }[];
    expect(kept.map((r) => r.id)).toEqual(['no-name']);
    expect(kept[0].message).toMatch(/name/);
    await d.close();
  });

  it('case 13: after the server is restored from an older backup, the device gives back what the server lost and takes nothing it still has', async () => {
    const a = await srv.newDevice('keeper');
    const b = await srv.newDevice('editor');
    const kept = await createProject(a.db, 'Before the backup');
    await a.sync();
    const [{ seq: backupSeq }] = await srv.db.query<{ seq: number }>(`select record_seq as seq from orgs where id = $1`, [srv.orgId]);
    const backup = await srv.db.query<{ tbl: string; id: string }>(`select tbl, id from records where org_id = $1`, [srv.orgId]);
    const lost = await createProject(a.db, 'After the backup');
    const logged = await putRecord(a.db, 'predictions', loggedPrediction());
    const weights = new Uint8Array([1, 2, 3, 4]).buffer;
    const hash = await sha256Hex(weights);
    await saveLocalBlob(a.db, hash, weights);
    await a.sync();
    await b.sync();
    // The server is restored: the records written since the backup are gone, and so is its counter.
    await srv.db.query(`delete from records where org_id = $1 and not (tbl || '/' || id = any($2::text[]))`, [
      srv.orgId,
      backup.map((r) => `${r.tbl}/${r.id}`),
    ]);
    await srv.db.query(`update orgs set record_seq = $2 where id = $1`, [srv.orgId, backupSeq]);
    // Meanwhile, after the restore, another device renames the project that survived.
    await patchRecord(b.db, 'projects', kept.id, { name: 'Renamed after the restore' });
    await b.sync();

    await a.sync(); // the pull is reset: everything is queued again, with the smallest stamp
    expect((await blobState(a.db, hash))?.upload).toBe('pending');
    await a.sync(); // and pushed
    expect(await onServer([lost.id, logged.id])).toBe(2);
    await b.sync();
    for (const d of [a, b]) {
      expect((await d.db.projects.get(lost.id))?.name).toBe('After the backup');
      expect((await d.db.projects.get(kept.id))?.name).toBe('Renamed after the restore');
    }
    await a.close();
    await b.close();
  });

  it("case 13: a server restored from a backup is noticed even when later writes have taken its counter past the device's cursor", async () => {
    const own = await inProcessServer('Witness');
    const a = await own.newDevice('away');
    const b = await own.newDevice('busy');
    await createProject(a.db, 'Before the backup');
    await a.sync();
    const [{ seq: backupSeq }] = await own.db.query<{ seq: number }>(`select record_seq as seq from orgs where id = $1`, [own.orgId]);
    const backup = await own.db.query<{ tbl: string; id: string }>(`select tbl, id from records where org_id = $1`, [own.orgId]);
    const lost = await createProject(a.db, 'After the backup');
    await putRecord(a.db, 'predictions', loggedPrediction());
    await a.sync();
    const [{ cursor }] = [{ cursor: (await a.db.kv.get(KV.cursor))?.value as number }];
    // The server is restored, then another device writes more than was lost: the counter passes a's cursor again.
    await own.db.query(`delete from records where org_id = $1 and not (tbl || '/' || id = any($2::text[]))`, [
      own.orgId,
      backup.map((r) => `${r.tbl}/${r.id}`),
    ]);
    await own.db.query(`update orgs set record_seq = $2 where id = $1`, [own.orgId, backupSeq]);
    const later: string[] = [];
    for (let i = 0; i < 5; i++) later.push((await createProject(b.db, `Later ${i}`)).id);
    await b.sync();
    const [{ seq: now }] = await own.db.query<{ seq: number }>(`select record_seq as seq from orgs where id = $1`, [own.orgId]);
    expect(now).toBeGreaterThan(cursor);

    await a.sync(); // reset noticed by the record named at the cursor: everything queued again
    await a.sync(); // and given back
    expect(await own.db.query(`select 1 from records where org_id = $1 and id = $2`, [own.orgId, lost.id])).toHaveLength(1);
    for (const id of later) expect((await a.db.projects.get(id))?.name).toMatch(/^Later/);
    await a.close();
    await b.close();
    await own.close();
  });
});
