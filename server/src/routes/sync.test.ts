import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createEnrollmentCode, createOrg, listDevices } from '../store/orgs.js';
import { EnrollRequest, PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { change, prediction, T0 } from '../store/fixtures.js';

// The sync routes through app.request(): what enters is checked before it reaches the database.
let db: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;
let token: string;
let deviceId: string;
const headers = () => ({ authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: '2', 'content-type': 'application/json' });

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'x'.repeat(20), version: 't' }, now: () => T0 });
  orgId = (await createOrg(db, 'Routes')).org.id;
  const { code } = await createEnrollmentCode(db, orgId, 1, T0);
  const res = await app.request('/api/enroll', {
    method: 'POST',
    body: JSON.stringify({ code, deviceName: 'tablet' }),
    headers: { 'content-type': 'application/json' },
  });
  ({ token, deviceId } = (await res.json()) as { token: string; deviceId: string });
});
afterAll(async () => db.close());

describe('sync routes', () => {
  it('case 3: a status report with a NUL or a lone surrogate is a 400 with a sentence, and nothing is stored', async () => {
    for (const appVersion of ['1.0\u0000', 'v\ud800']) {
      const res = await app.request('/api/sync/status', {
        method: 'POST',
        body: JSON.stringify({ pending: 0, activeVersions: [], appVersion }),
        headers: headers(),
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_body');
    }
    const modelName = 'triage\u0000';
    const res = await app.request('/api/sync/status', {
      method: 'POST',
      body: JSON.stringify({ pending: 0, activeVersions: [{ id: 'v', modelName, version: 1 }], appVersion: '1' }),
      headers: headers(),
    });
    expect(res.status).toBe(400);
    expect((await listDevices(db, orgId)).find((d) => d.id === deviceId)?.statusAt).toBeNull();
    // The enrollment request's schema refuses such a device name the same way.
    expect(EnrollRequest.safeParse({ code: 'ABCD-EFGH', deviceName: 'tab\udc00let' }).success).toBe(false);
    expect(EnrollRequest.safeParse({ code: 'ABCD-EFGH', deviceName: 'tablet 🙂' }).success).toBe(true);
  });

  it('case 3: a pushed record with a NUL is a per-change rejection, never a 500, and the queue moves on', async () => {
    const body = {
      batchSeq: 0,
      changes: [change('predictions', 'n1', { ...prediction('n1'), inputs: { note: 'a\u0000b' } }), change('predictions', 'n2', prediction('n2'))],
    };
    const res = await app.request('/api/sync/push', { method: 'POST', body: JSON.stringify(body), headers: headers() });
    expect(res.status).toBe(200);
    const ack = (await res.json()) as { ackedBatchSeq: number; applied: number; rejected: { id: string; message: string }[] };
    expect(ack).toMatchObject({ ackedBatchSeq: 0, applied: 1, rejected: [{ id: 'n1', message: expect.stringMatching(/inputs.note/) }] });
  });

  it('case 7: a change whose table or id is an object is rejected with a reason, never a 500', async () => {
    const junk = { table: { toString: 1 }, id: { toString: 1 }, hlc: 1, fields: [] };
    const res = await app.request('/api/sync/push', { method: 'POST', body: JSON.stringify({ batchSeq: 1, changes: [junk] }), headers: headers() });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rejected: unknown[] }).rejected).toEqual([
      { table: '', id: '', code: 'invalid_body', message: expect.any(String), reason: { code: 'record_invalid', params: { detail: expect.any(String) } } },
    ]);
  });

  it('case 14: every answer of the sync routes carries the server protocol, a refused credential included', async () => {
    expect((await app.request('/api/sync/pull')).headers.get(PROTOCOL_HEADER)).toBe(String(PROTOCOL.version));
    expect((await app.request('/api/sync/pull', { headers: headers() })).headers.get(PROTOCOL_HEADER)).toBe(String(PROTOCOL.version));
    expect((await app.request(`/api/blobs/${'0'.repeat(64)}/status`, { headers: headers() })).headers.get(PROTOCOL_HEADER)).toBe(String(PROTOCOL.version));
  });
});
