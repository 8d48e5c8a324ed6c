import { adminKeyActor } from './people.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { applyPush, moveStage, pull, type DeviceRef } from './sync.js';
import { putChunk } from './blobs.js';
import { change, modelVersion, project, sha256, stamp, T0 } from './fixtures.js';

// Sequence order equals commit order for every writer of an organisation's records, so a device
// that pulls by cursor while others write never skips a record's final state.
describe.each(STORES)('record order: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  beforeAll(async () => {
    db = await factory.open();
  });
  afterAll(async () => db?.drop());

  async function newDevice(orgId: string): Promise<DeviceRef> {
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, 'phone', T0);
    return { id: d.deviceId, orgId: d.orgId };
  }

  it('case 11: concurrent console stage moves and device pushes; a puller by cursor sees every final state', async () => {
    const org = (await createOrg(db, 'Order')).org;
    const dev = await newDevice(org.id);
    const bytes = new Uint8Array([4, 2]);
    await putChunk(db, org.id, sha256(bytes), 0, 2, bytes);
    const versions = Array.from({ length: 30 }, (_, i) => `o${i}`);
    await applyPush(
      db,
      dev,
      0,
      [...versions.map((v) => change('model_versions', v, modelVersion(v, sha256(bytes)))), change('projects', 'op', project('op'))],
      T0,
    );

    const seen = new Map<string, unknown>();
    let writing = true;
    const puller = (async () => {
      let cursor = 0;
      for (;;) {
        const stop = !writing;
        const page = await pull(db, org.id, cursor, 50);
        for (const r of page.records) seen.set(`${r.table}/${r.id}`, r.data);
        cursor = page.cursor;
        if (stop && !page.more) return;
      }
    })();
    // The console moves each version once (as server/src/routes/console.ts does, in db.tx), three
    // at a time; each transaction takes a moment to commit, as it would over a real network.
    const mover = async (ids: string[]) => {
      for (const id of ids)
        await db.tx(async (q) => {
          await moveStage(
            q,
            org.id,
            { id: `m-${id}`, modelVersionId: id, from: 'none', to: 'staging', createdAt: T0 },
            stamp(T0 + 1, 0, 'console'),
            adminKeyActor(),
          );
          if (db.kind === 'postgres') await q.query('select pg_sleep(0.005)');
        });
    };
    const pusher = async () => {
      for (let i = 1; i <= 60; i++) await applyPush(db, dev, i, [change('projects', 'op', { name: `Name ${i}` }, stamp(T0 + 100 + i))], T0 + 1000);
    };
    await Promise.all([mover(versions.slice(0, 10)), mover(versions.slice(10, 20)), mover(versions.slice(20)), pusher()]);
    writing = false;
    await puller;

    const final = await db.query<{ tbl: string; id: string; data: unknown }>(`select tbl, id, data from records where org_id = $1`, [org.id]);
    for (const r of final) expect(seen.get(`${r.tbl}/${r.id}`)).toEqual(r.data);
  });
});
