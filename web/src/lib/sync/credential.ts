import { z } from 'zod';
import { EnrollResponse } from '@shared/sync/protocol.js';
import type { OutpostDb } from '../db/db.js';
import { markAllBlobsForUpload } from '../db/blobs.js';
import { KV } from './engine.js';
import { WIPED_KEY } from './wipe.js';
import { fetchTransport, readAnswer, type Transport } from './transport.js';
import { SaidError } from '../said-error.js';

export const Credential = EnrollResponse.extend({ serverUrl: z.string() });
export type Credential = z.infer<typeof Credential>;
export const CREDENTIAL_KEY = 'sync:credential';
const KEY = CREDENTIAL_KEY;

export async function loadCredential(db: OutpostDb): Promise<Credential | undefined> {
  const parsed = Credential.safeParse((await db.kv.get(KEY))?.value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Spend an enrollment code and keep this device's credential. A new device identity starts its
 * batch numbers and pull cursor afresh; everything made offline so far stays queued and is pushed.
 */
export async function enroll(db: OutpostDb, serverUrl: string, code: string, deviceName: string, transport?: Transport): Promise<Credential> {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new SaidError('bad_request', { key: 'error.serverUrl' });
  }
  const base = url.origin + url.pathname.replace(/\/+$/, '');
  const t = transport ?? fetchTransport(base, undefined, 20_000);
  const res = await t.request('POST', '/api/enroll', { body: JSON.stringify({ code, deviceName }), headers: { 'content-type': 'application/json' } });
  const answer = await readAnswer(res, EnrollResponse);
  const cred: Credential = { ...answer, serverUrl: base };
  await db.transaction('rw', [db.kv, db.blobState], async () => {
    await db.kv.put({ key: KEY, value: cred });
    // A phone wiped after a revocation is connected again: the note that it was wiped goes too.
    await db.kv.bulkDelete([KV.inFlight, KV.nextBatchSeq, KV.cursor, KV.witness, WIPED_KEY]);
    // Blobs must be uploaded under the new organisation too.
    await markAllBlobsForUpload(db);
  });
  return cred;
}

/**
 * Stop syncing with the server: forget the credential. Nothing else is removed; what waits in the
 * outbox stays queued and is pushed after the device enrolls again.
 */
export async function disconnect(db: OutpostDb): Promise<void> {
  await db.kv.delete(KEY);
}
