// Edge cases of push and pull, against the real server app in-process (srv.app.request).
import 'fake-indexeddb/auto';
import { inProcessServer, loggedPrediction, type InProcessServer } from './in-process.testing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeDevice } from '../../../../server/src/store/orgs.js';
import { PUSH_LIMITS } from '@shared/sync/protocol.js';
import { patchRecord, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { KV, SyncEngine } from './engine.js';
import type { SyncStatus } from './status.js';
import { fetchTransport, type Transport } from './transport.js';

let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Edges');
});
afterAll(async () => srv.close());

const predictionsOnServer = async (ids: string[]) =>
  Number((await srv.db.query<{ n: number }>(`select count(*)::int as n from records where tbl = 'predictions' and id = any($1::text[])`, [ids]))[0].n);

describe('push and pull edges', () => {
  it('a pull page and its cursor are stored together: a page that fails half-way leaves neither', async () => {
    const a = await srv.newDevice('writer');
    const p1 = await createProject(a.db, 'First');
    const p2 = await createProject(a.db, 'Second');
    await a.sync();
    const b = await srv.newDevice('reader');
    const own = await createProject(b.db, 'Made here');
    // A fake pull page (not the server's): its second record carries a clock stamp that cannot be
    // read, so applying the page throws after the first record was written inside the transaction.
    let spoil = true;
    const spoiling: Transport = {
      async request(method, path, init) {
        const res = await srv.transport(b.credential.token).request(method, path, init);
        if (!spoil || !path.startsWith('/api/sync/pull')) return res;
        const page = await res.json();
        page.records[1].hlc = { name: 'not a stamp' };
        return new Response(JSON.stringify(page), { status: 200, headers: res.headers });
      },
    };
    await expect(new SyncEngine({ db: b.db, transport: spoiling }).pull()).rejects.toThrow(/clock stamp/);
    expect((await b.db.projects.toArray()).map((p) => p.id)).toEqual([own.id]);
    expect(await b.db.kv.get(KV.cursor)).toBeUndefined();
    spoil = false;
    expect(await new SyncEngine({ db: b.db, transport: spoiling }).pull()).toBeGreaterThanOrEqual(2);
    expect((await b.db.projects.bulkGet([p1.id, p2.id])).map((p) => p?.name)).toEqual(['First', 'Second']);
  });

  it('a device that pulls before it ever writes takes the clock it saw: its first edit wins even with its clock a year behind', async () => {
    const a = await srv.newDevice('on-time');
    const p = await createProject(a.db, 'Shared');
    await patchRecord(a.db, 'projects', p.id, { name: 'Renamed on time' });
    await a.sync();
    const late = await srv.newDevice('year-behind');
    await late.sync();
    const yearAgo = Date.now() - 365 * 24 * 3600 * 1000;
    await patchRecord(late.db, 'projects', p.id, { name: 'Renamed later, by a device with a wrong clock' }, yearAgo);
    await late.sync();
    await a.sync();
    expect((await a.db.projects.get(p.id))?.name).toBe('Renamed later, by a device with a wrong clock');
  });

  it('batch numbers behind the server (device storage restored from a copy) are renumbered, nothing dropped', async () => {
    const d = await srv.newDevice('restored');
    for (let batch = 0; batch < 3; batch++) {
      await putRecord(d.db, 'predictions', loggedPrediction());
      await d.sync();
    }
    await d.db.kv.put({ key: KV.nextBatchSeq, value: 0 }); // as an older copy of the database had it
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await putRecord(d.db, 'predictions', loggedPrediction())).id);
    const s = await d.sync();
    expect(s.pushed).toBe(4);
    expect(await d.db.outbox.count()).toBe(0);
    expect(await predictionsOnServer(ids)).toBe(4);
  });

  it('a change too big for any batch is refused on the device and does not block the rest', async () => {
    const d = await srv.newDevice('big');
    const huge = { ...loggedPrediction(), inputs: { note: 'x'.repeat(PUSH_LIMITS.maxBytes) } };
    await d.db.outbox.add({ table: 'predictions', id: huge.id, hlc: '000000000000001-0000-x', fields: huge });
    const fine = await putRecord(d.db, 'predictions', loggedPrediction());
    const s = await d.sync();
    expect(s.rejected).toBe(1);
    expect(await d.db.outbox.count()).toBe(0);
    expect(await predictionsOnServer([fine.id, huge.id])).toBe(1);
    const refused = (await d.db.kv.get(KV.rejected))?.value as { id: string; code: string }[];
    expect(refused.at(-1)).toMatchObject({ id: huge.id, code: 'payload_too_large' });
  });

  it('two tabs syncing the same outbox at once push every change exactly once', async () => {
    const d = await srv.newDevice('two-tabs');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await putRecord(d.db, 'predictions', loggedPrediction())).id);
    const tab = () => new SyncEngine({ db: d.db, transport: srv.transport(d.credential.token), deviceId: d.credential.deviceId });
    await Promise.all([tab().syncOnce(), tab().syncOnce(), tab().push()]);
    expect(await d.db.outbox.count()).toBe(0);
    expect(await predictionsOnServer(ids)).toBe(30);
  });

  it('status says synced, pending, offline or what to do, and concurrent syncs share one run', async () => {
    const d = await srv.newDevice('status');
    const seen: SyncStatus['name'][] = [];
    const stop = d.engine.subscribe((s) => seen.push(s.name));
    await putRecord(d.db, 'predictions', loggedPrediction());
    const [one, two] = [d.engine.syncOnce(), d.engine.syncOnce()];
    expect(one).toBe(two);
    await one;
    expect(seen).toEqual(['pending', 'syncing', 'synced']);
    expect(d.engine.status).toMatchObject({ pending: 0, message: '' });
    stop();

    const offline = new SyncEngine({ db: d.db, transport: { request: async () => Promise.reject(new TypeError('fetch failed')) } });
    await putRecord(d.db, 'predictions', loggedPrediction());
    await expect(offline.syncOnce()).rejects.toThrow();
    expect(offline.status).toMatchObject({ name: 'error', pending: 1, retryable: true, message: expect.stringMatching(/try again/) });

    const unreachable = new SyncEngine({ db: d.db, transport: fetchTransport('http://127.0.0.1:9', 't', 2000) });
    await expect(unreachable.syncOnce()).rejects.toThrow();
    expect(unreachable.status).toMatchObject({ name: 'offline', code: 'network', message: expect.stringMatching(/kept on this device/) });

    // Revoked by the organisation: at its next contact the phone wipes the organisation's data.
    await revokeDevice(srv.db, d.credential.deviceId);
    await expect(d.engine.syncOnce()).rejects.toThrow();
    expect(d.engine.status).toMatchObject({ name: 'error', retryable: false, pending: 0, message: expect.stringMatching(/was wiped.*new enrollment code/) });
    expect(await d.db.projects.count()).toBe(0);
    expect(await d.db.outbox.count()).toBe(0);
    expect(await d.db.kv.get('sync:credential')).toBeUndefined();
  });

  it('a push naming another device is refused (403), and nothing is removed from the outbox', async () => {
    const d = await srv.newDevice('impostor');
    await putRecord(d.db, 'predictions', loggedPrediction());
    const engine = new SyncEngine({ db: d.db, transport: srv.transport(d.credential.token), deviceId: 'someone-else' });
    await expect(engine.push()).rejects.toMatchObject({ code: 'forbidden', retryable: false });
    expect(await d.db.outbox.count()).toBe(1);
  });
});
