import { v7 as uuidv7 } from 'uuid';
import { OutpostError } from '@shared/errors.js';
import { Role, type Actor } from '@shared/schema/registry.js';
import type { Queryable } from './db.js';
import { hashSecret, newToken } from './secrets.js';

/**
 * People of an organisation, each with a role and a personal key (stored hashed, shown once). A
 * person signs in to the console with it, or on a device, where it becomes a session of that
 * person on that device.
 */
export interface Person {
  id: string;
  orgId: string;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt: string | null;
}

/** How long a person stays signed in on a device (they sign in again after). */
export const PERSON_SESSION_MS = 30 * 86_400_000;

const COLUMNS = `id, org_id as "orgId", name, role, created_at::text as "createdAt", revoked_at::text as "revokedAt"`;

export async function createPerson(db: Queryable, orgId: string, name: string, role: string): Promise<{ person: Person; key: string }> {
  const clean = name.trim();
  if (!clean || clean.length > 200) throw new OutpostError('invalid_body', 'Give the person a name of 1 to 200 characters.');
  const r = Role.safeParse(role);
  if (!r.success) throw new OutpostError('invalid_body', `A role is one of ${Role.options.join(', ')}.`);
  const key = newToken('opp');
  const id = uuidv7();
  const [person] = await db.query<Person>(`insert into people (id, org_id, name, role, key_hash) values ($1, $2, $3, $4, $5) returning ${COLUMNS}`, [
    id,
    orgId,
    clean,
    r.data,
    hashSecret(key),
  ]);
  if (!person) throw new OutpostError('not_found', `There is no organisation ${orgId}.`);
  return { person, key };
}

export async function listPeople(db: Queryable, orgId: string): Promise<Person[]> {
  return db.query<Person>(`select ${COLUMNS} from people where org_id = $1 order by created_at`, [orgId]);
}

/** The person whose key this is, unless revoked. */
export async function personForKey(db: Queryable, key: string): Promise<Person | undefined> {
  return (await db.query<Person>(`select ${COLUMNS} from people where key_hash = $1 and revoked_at is null`, [hashSecret(key)]))[0];
}

export async function getPerson(db: Queryable, id: string): Promise<Person | undefined> {
  return (await db.query<Person>(`select ${COLUMNS} from people where id = $1`, [id]))[0];
}

/** A person's key and every session made with it stop working at once. */
export async function revokePerson(db: Queryable, orgId: string, id: string, now: number): Promise<boolean> {
  const at = new Date(now).toISOString();
  const rows = await db.query(`update people set revoked_at = coalesce(revoked_at, $3) where id = $1 and org_id = $2 returning 1`, [id, orgId, at]);
  await db.query(`update person_sessions set revoked_at = coalesce(revoked_at, $2) where person_id = $1`, [id, at]);
  return rows.length > 0;
}

/** A session of a person on one device; the token is shown once. */
export async function createPersonSession(db: Queryable, person: Person, deviceId: string, now: number): Promise<{ token: string; expiresAt: number }> {
  const token = newToken('opt');
  const expiresAt = now + PERSON_SESSION_MS;
  await db.query(`insert into person_sessions (id_hash, person_id, device_id, created_at, expires_at) values ($1, $2, $3, $4, $5)`, [
    hashSecret(token),
    person.id,
    deviceId,
    new Date(now).toISOString(),
    new Date(expiresAt).toISOString(),
  ]);
  return { token, expiresAt };
}

/** The person of a live session on this device (a token copied to another device does not work there). */
export async function personForSession(db: Queryable, token: string, deviceId: string, now: number): Promise<Person | undefined> {
  const rows = await db.query<Person>(
    `select p.id, p.org_id as "orgId", p.name, p.role, p.created_at::text as "createdAt", p.revoked_at::text as "revokedAt"
     from person_sessions s join people p on p.id = s.person_id
     where s.id_hash = $1 and s.device_id = $2 and s.revoked_at is null and s.expires_at > $3 and p.revoked_at is null`,
    [hashSecret(token), deviceId, new Date(now).toISOString()],
  );
  return rows[0];
}

export const personActor = (p: Person): Actor => ({ kind: 'person', id: p.id, name: p.name, role: p.role });
export const adminKeyActor = (): Actor => ({ kind: 'admin_key', id: 'admin-key', name: 'organisation admin key', role: 'admin' });
