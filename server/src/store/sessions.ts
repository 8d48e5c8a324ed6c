import type { Queryable } from './db.js';
import { hashSecret, newToken } from './secrets.js';
import type { Org } from './orgs.js';
import type { Actor } from '@shared/schema/registry.js';
import { adminKeyActor, personActor, type Person } from './people.js';

/** How long a console sign-in lasts. */
export const CONSOLE_SESSION_MS = 8 * 3600_000;

/**
 * Console sessions: the cookie holds a random session id; the database holds only its hash, the
 * organisation, and when it was made, expires and (on sign-out) was revoked.
 */
export async function createConsoleSession(
  db: Queryable,
  orgId: string,
  now: number,
  personId: string | null = null,
): Promise<{ sessionId: string; expiresAt: number }> {
  const sessionId = newToken('ops');
  const expiresAt = now + CONSOLE_SESSION_MS;
  // Sessions that ended a day ago are no use even for a log: signing in tidies them away.
  await db.query(`delete from console_sessions where expires_at < $1`, [new Date(now - 86_400_000).toISOString()]);
  await db.query(`insert into console_sessions (id_hash, org_id, created_at, expires_at, person_id) values ($1, $2, $3, $4, $5)`, [
    hashSecret(sessionId),
    orgId,
    new Date(now).toISOString(),
    new Date(expiresAt).toISOString(),
    personId,
  ]);
  return { sessionId, expiresAt };
}

/**
 * The organisation of a live (not expired, not revoked) session, and who signed in: a person (not
 * revoked since), or the organisation's admin key.
 */
export async function consoleSessionOf(db: Queryable, sessionId: string, now: number): Promise<{ org: Org; actor: Actor } | undefined> {
  const rows = await db.query<Org & { person: Person | null; personRevoked: boolean }>(
    `select o.id, o.name,
       case when p.id is null then null else json_build_object('id', p.id, 'orgId', p.org_id, 'name', p.name, 'role', p.role) end as person,
       (s.person_id is not null and (p.id is null or p.revoked_at is not null)) as "personRevoked"
     from console_sessions s join orgs o on o.id = s.org_id left join people p on p.id = s.person_id
     where s.id_hash = $1 and s.revoked_at is null and s.expires_at > $2`,
    [hashSecret(sessionId), new Date(now).toISOString()],
  );
  const r = rows[0];
  if (!r || r.personRevoked) return undefined;
  return { org: { id: r.id, name: r.name }, actor: r.person ? personActor(r.person) : adminKeyActor() };
}

/** Sign-out: the session id stops working at once, whoever holds a copy. */
export async function revokeConsoleSession(db: Queryable, sessionId: string, now: number): Promise<void> {
  await db.query(`update console_sessions set revoked_at = coalesce(revoked_at, $2) where id_hash = $1`, [hashSecret(sessionId), new Date(now).toISOString()]);
}
