// A blob over the server's limits must not stop a device's sync: against the real server app in-process.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../server/src/app.js';
import { openStore, type Db } from '../../../../server/src/store/index.js';
import { createEnrollmentCode, createOrg, orgStats } from '../../../../server/src/store/orgs.js';
import { sha256Hex } from '@shared/data/hash.js';
import { blobState, saveLocalBlob } from '../db/blobs.js';
import { createHeadlessDevice } from './headless.js';
import type { Transport } from './transport.js';

let server: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;

beforeAll(async () => {
  server = await openStore({});
  app = createApp({ db: server, config: { adminToken: 'x'.repeat(20), version: 't', maxBlobBytes: 1000, maxOrgBlobBytes: 100_000 } });
  orgId = (await createOrg(server, 'Limits')).org.id;
});
afterAll(async () => server.close());

const inProcess = (token?: string): Transport => ({
  request: async (method, path, init = {}) =>
    app.request(path, { method, body: init.body as BodyInit, headers: { ...init.headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } }),
});

describe('blob limits on the device', () => {
  it('a blob over the server limit (413) stays waiting while the other blobs and the outbox still sync', async () => {
    const { code } = await createEnrollmentCode(server, orgId, 1);
    const d = await createHeadlessDevice({ serverUrl: 'http://outpost.test', code, name: 'big-model', transport: inProcess });
    const big = new Uint8Array(1001).fill(7);
    const small = new Uint8Array(999).fill(8);
    const [bigHash, smallHash] = [await sha256Hex(big), await sha256Hex(small)];
    await saveLocalBlob(d.db, bigHash, big.slice().buffer);
    await saveLocalBlob(d.db, smallHash, small.slice().buffer);
    const ids = await d.logPredictions(5);
    await d.sync();
    expect((await orgStats(server, orgId)).predictions).toBe(ids.length);
    expect(await blobState(d.db, smallHash)).toMatchObject({ upload: 'done' });
    expect(await blobState(d.db, bigHash)).toMatchObject({ upload: 'pending' });
    await d.close();
  });
});
