// Versions in the field, both directions, against the real server app in-process (srv.app.request):
// last month's app meets this month's srv.db, and this month's app meets last month's srv.db.
import 'fake-indexeddb/auto';
import { inProcessServer, loggedPrediction, type InProcessServer } from './in-process.testing.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, orgStats } from '../../../../server/src/store/orgs.js';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { newId, putRecord } from '../db/mutate.js';
import { createHeadlessDevice } from './headless.js';
import { SyncEngine } from './engine.js';
import type { Transport } from './transport.js';

let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Versions');
});
afterAll(async () => srv.close());

const stamp = (n: number) => `${String(Date.now()).padStart(15, '0')}-${n.toString(16).padStart(4, '0')}-oldapp`;

describe('protocol versions', () => {
  it('an old app (no version header) still delivers its outbox, then is asked to update when it pulls; its work is kept', async () => {
    const { code } = await createEnrollmentCode(srv.db, srv.orgId, 1);
    // The first released app sends no x-outpost-protocol header on any request.
    const enrolled = await srv.app.request('/api/enroll', {
      method: 'POST',
      body: JSON.stringify({ code, deviceName: 'old phone' }),
      headers: { 'content-type': 'application/json' },
    });
    const { token } = (await enrolled.json()) as { token: string };
    const old = (path: string, init: RequestInit = {}) =>
      srv.app.request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
    const before = (await orgStats(srv.db, srv.orgId)).predictions ?? 0;
    const push = await old('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({ batchSeq: 0, changes: [{ table: 'predictions', id: 'old-1', hlc: stamp(0), fields: loggedPrediction({ id: 'old-1' }) }] }),
    });
    expect(push.status).toBe(200);
    expect(push.headers.get(PROTOCOL_HEADER)).toBe(String(PROTOCOL.version));
    expect((await orgStats(srv.db, srv.orgId)).predictions).toBe(before + 1);
    // A restored copy of the old app numbers different rows 0 again: it reads no `outcome`, so it
    // is told a number past its own and renumbers, instead of taking the rows as delivered.
    const again = await old('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({ batchSeq: 0, changes: [{ table: 'predictions', id: 'old-2', hlc: stamp(1), fields: loggedPrediction({ id: 'old-2' }) }] }),
    });
    expect(((await again.json()) as { ackedBatchSeq: number }).ackedBatchSeq).toBeGreaterThan(0);
    for (const [path, init] of [
      ['/api/sync/pull?cursor=0', {}],
      ['/api/sync/status', { method: 'POST', body: JSON.stringify({ pending: 0, activeVersions: [], appVersion: 'old' }) }],
      [`/api/blobs/${'a'.repeat(64)}`, {}],
    ] as const) {
      const res = await old(path, init);
      expect(res.status).toBe(426);
      expect(res.headers.get(PROTOCOL_HEADER)).toBe(String(PROTOCOL.version));
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe('app_outdated');
      expect(error.message).toMatch(/Update the app.*your work is kept on this device/);
    }
    // Uploading the weights its pushed model versions need is still allowed.
    expect((await old(`/api/blobs/${'a'.repeat(64)}/status`)).status).toBe(404);
  });

  it('a new app meeting a server that answers without a version stops with a sentence and keeps its outbox', async () => {
    const { code } = await createEnrollmentCode(srv.db, srv.orgId, 1);
    const d = await createHeadlessDevice({ serverUrl: 'http://outpost.test', code, name: 'new phone', transport: srv.transport });
    // Last month's server: the same answers, without the version header.
    const oldServer: Transport = {
      async request(method, path, init) {
        const res = await srv.transport(d.credential.token).request(method, path, init);
        const headers = new Headers(res.headers);
        headers.delete(PROTOCOL_HEADER);
        return new Response(res.body, { status: res.status, headers });
      },
    };
    await putRecord(d.db, 'predictions', loggedPrediction({ id: newId() }));
    const engine = new SyncEngine({ db: d.db, transport: oldServer, deviceId: d.credential.deviceId });
    await expect(engine.syncOnce()).rejects.toMatchObject({ code: 'server_outdated', retryable: false });
    expect(engine.status).toMatchObject({
      name: 'error',
      retryable: false,
      message: expect.stringMatching(/server is older than this app.*coordinator.*kept on this device/),
    });
    expect(await d.db.outbox.count()).toBe(1);
    // Once the server is updated, the same outbox goes through.
    await d.sync();
    expect(await d.db.outbox.count()).toBe(0);
    await d.close();
  });
});
