// A blob over the server's limits must not stop a device's sync: against the real server app in-process.
import 'fake-indexeddb/auto';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';
import { rejectedChanges } from '../db/sync-state.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentCode, orgStats } from '../../../../server/src/store/orgs.js';
import { sha256Hex } from '@shared/data/hash.js';
import { blobState, saveLocalBlob } from '../db/blobs.js';
import { createHeadlessDevice } from './headless.js';

let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Limits', { config: { maxBlobBytes: 1000, maxOrgBlobBytes: 100_000 } });
});
afterAll(async () => srv.close());

describe('blob limits on the device', () => {
  it('a blob over the server limit (413) stays waiting while the other blobs and the outbox still sync, and the person is told why', async () => {
    const { code } = await createEnrollmentCode(srv.db, srv.orgId, 1);
    const d = await createHeadlessDevice({ serverUrl: 'http://outpost.test', code, name: 'big-model', transport: srv.transport });
    const big = new Uint8Array(1001).fill(7);
    const small = new Uint8Array(999).fill(8);
    const [bigHash, smallHash] = [await sha256Hex(big), await sha256Hex(small)];
    await saveLocalBlob(d.db, bigHash, big.slice().buffer);
    await saveLocalBlob(d.db, smallHash, small.slice().buffer);
    const ids = await d.logPredictions(5);
    await d.sync();
    expect((await orgStats(srv.db, srv.orgId)).predictions).toBe(ids.length);
    expect(await blobState(d.db, smallHash)).toMatchObject({ upload: 'done' });
    expect(await blobState(d.db, bigHash)).toMatchObject({ upload: 'pending' });
    // The person is told why, once, however often sync tries again.
    await d.sync();
    const told = (await rejectedChanges(d.db)).filter((r) => r.id === bigHash);
    expect(told).toHaveLength(1);
    expect(told[0].message).toMatch(/larger than the server accepts.*stays on this device.*coordinator/);
    await d.close();
  });
});
