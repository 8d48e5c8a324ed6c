import type { Queryable } from './db.js';
import { hashSecret, newToken } from './secrets.js';
import type { Org } from './orgs.js';

/** How long a console sign-in lasts. */
export const CONSOLE_SESSION_MS = 8 * 3600_000;

/**
 * Console sessions: the cookie holds a random session id; the database holds only its hash, the
 * organisation, and when it was made, expires and (on sign-out) was revoked.
 */
export async function createConsoleSession(db: Queryable, orgId: string, now: number): Promise<{ sessionId: string; expiresAt: number }> {
  const sessionId = newToken('ops');
  const expiresAt = now + CONSOLE_SESSION_MS;
  // Sessions that ended a day ago are no use even for a log: signing in tidies them away.
  await db.query(`delete from console_sessions where expires_at < $1`, [new Date(now - 86_400_000).toISOString()]);
  await db.query(`insert into console_sessions (id_hash, org_id, created_at, expires_at) values ($1, $2, $3, $4)`, [
    hashSecret(sessionId),
    orgId,
    new Date(now).toISOString(),
    new Date(expiresAt).toISOString(),
  ]);
  return { sessionId, expiresAt };
}

/** The organisation a live (not expired, not revoked) session belongs to. */
export async function orgForConsoleSession(db: Queryable, sessionId: string, now: number): Promise<Org | undefined> {
  const rows = await db.query<Org>(
    `select o.id, o.name from console_sessions s join orgs o on o.id = s.org_id
     where s.id_hash = $1 and s.revoked_at is null and s.expires_at > $2`,
    [hashSecret(sessionId), new Date(now).toISOString()],
  );
  return rows[0];
}

/** Sign-out: the session id stops working at once, whoever holds a copy. */
export async function revokeConsoleSession(db: Queryable, sessionId: string, now: number): Promise<void> {
  await db.query(`update console_sessions set revoked_at = coalesce(revoked_at, $2) where id_hash = $1`, [hashSecret(sessionId), new Date(now).toISOString()]);
}
