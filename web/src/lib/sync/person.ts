import { type z } from 'zod';
import { type DecisionRequest, PERSON_HEADER, PersonSessionResponse, type PersonStageRequest, RegistryAnswer } from '@shared/sync/protocol.js';
import type { Stage } from '@shared/schema/records.js';
import type { DeviceMeasurements } from '@shared/schema/registry.js';
import type { OutpostDb } from '../db/db.js';
import { loadCredential } from './credential.js';
import { fetchTransport, readAnswer, speakProtocol, type Transport } from './transport.js';
import { SaidError } from '../said-error.js';

/**
 * A person signed in on this device (Settings): their session token, kept on this device only,
 * lets the device do online what the person's role allows: an ML lead or an admin approves
 * proposals and promotes versions here as in the console. Signing out forgets it.
 */
const KEY = 'registry:person';
const Stored = PersonSessionResponse;
export type PersonOnDevice = z.infer<typeof Stored>;

export async function personOnDevice(db: OutpostDb, now = Date.now()): Promise<PersonOnDevice | undefined> {
  const parsed = Stored.safeParse((await db.kv.get(KEY))?.value);
  return parsed.success && parsed.data.expiresAt > now ? parsed.data : undefined;
}

async function transportOf(db: OutpostDb, make?: (serverUrl: string, token: string) => Transport): Promise<Transport> {
  const cred = await loadCredential(db);
  if (!cred) throw new SaidError('unauthorized', { key: 'error.connectFirst' });
  return speakProtocol((make ?? ((u, t) => fetchTransport(u, t, 20_000)))(cred.serverUrl, cred.token));
}

const json = (body: unknown, person?: string) => ({
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...(person ? { [PERSON_HEADER]: person } : {}) },
});

/** Sign in as a person with their personal key (online). */
export async function signInPerson(db: OutpostDb, key: string, make?: (serverUrl: string, token: string) => Transport): Promise<PersonOnDevice> {
  const t = await transportOf(db, make);
  const session = await readAnswer(await t.request('POST', '/api/registry/sessions', json({ key: key.trim() })), PersonSessionResponse);
  await db.kv.put({ key: KEY, value: session });
  return session;
}

export async function signOutPerson(db: OutpostDb): Promise<void> {
  await db.kv.delete(KEY);
}

async function asPerson(db: OutpostDb, make?: (serverUrl: string, token: string) => Transport) {
  const person = await personOnDevice(db);
  if (!person) throw new SaidError('unauthorized', { key: 'error.signInFirst' });
  return { t: await transportOf(db, make), token: person.token };
}

/** Approve or reject a proposal as the signed-in person (the server checks the role and the gates). */
export async function decideAsPerson(
  db: OutpostDb,
  proposalId: string,
  approve: boolean,
  why: string,
  make?: (u: string, t: string) => Transport,
): Promise<void> {
  const { t, token } = await asPerson(db, make);
  const body: z.infer<typeof DecisionRequest> = { approve, why };
  await readAnswer(await t.request('POST', `/api/registry/proposals/${encodeURIComponent(proposalId)}`, json(body, token)), RegistryAnswer);
}

/** Move a version's stage at once as the signed-in person (a role that may not promote gets a proposal). */
export async function moveAsPerson(
  db: OutpostDb,
  versionId: string,
  from: Stage,
  to: Stage,
  why: string,
  measurements?: DeviceMeasurements,
  make?: (u: string, t: string) => Transport,
): Promise<'applied' | 'proposed'> {
  const { t, token } = await asPerson(db, make);
  const body: z.infer<typeof PersonStageRequest> = { from, to, why, ...(measurements ? { measurements } : {}) };
  return (await readAnswer(await t.request('POST', `/api/registry/versions/${encodeURIComponent(versionId)}/stage`, json(body, token)), RegistryAnswer))
    .outcome;
}
