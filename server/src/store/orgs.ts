import { v7 as uuidv7 } from 'uuid';
import { OutpostError } from '@shared/errors.js';
import type { DeviceDeploymentStatus } from '@shared/schema/deployment.js';
import type { Db, Queryable } from './db.js';
import { hashSecret, newEnrollmentCode, newToken, normaliseCode } from './secrets.js';

export interface Org {
  id: string;
  name: string;
}
export interface Device {
  id: string;
  orgId: string;
  name: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  ackedBatchSeq: number;
  pending: number | null;
  activeVersions: { id: string; modelName: string; version: number }[] | null;
  appVersion: string | null;
  statusAt: string | null;
  /** Versions whose weights the device has ready (null: its app does not say). */
  ready: string[] | null;
  /** The deployment revision it follows per project (null: its app does not say). */
  deployments: DeviceDeploymentStatus[] | null;
}

async function insertOrg(q: Queryable, name: string): Promise<{ org: Org; adminKey: string }> {
  const clean = name.trim();
  if (!clean || clean.length > 200) throw new OutpostError('invalid_body', 'Give the organisation a name of 1 to 200 characters.');
  const org = { id: uuidv7(), name: clean };
  const adminKey = newToken('opa');
  await q.query(`insert into orgs (id, name) values ($1, $2)`, [org.id, org.name]);
  await q.query(`insert into admin_keys (key_hash, org_id) values ($1, $2)`, [hashSecret(adminKey), org.id]);
  return { org, adminKey };
}

export async function createOrg(db: Db, name: string): Promise<{ org: Org; adminKey: string }> {
  return db.tx((q) => insertOrg(q, name));
}

/**
 * The first start's organisation, made only when there is none: under a lock, so several server
 * processes starting at once on an empty database make one between them (the others get undefined).
 */
export async function createFirstOrg(db: Db, name: string): Promise<{ org: Org; adminKey: string } | undefined> {
  return db.tx(async (q) => {
    await q.query(`select pg_advisory_xact_lock(7411002)`);
    const [{ n }] = await q.query<{ n: number }>(`select count(*)::int as n from orgs`);
    return n === 0 ? insertOrg(q, name) : undefined;
  });
}

export async function listOrgs(db: Queryable): Promise<Org[]> {
  return db.query<Org>(`select id, name from orgs order by created_at`);
}

export async function getOrg(db: Queryable, id: string): Promise<Org | undefined> {
  return (await db.query<Org>(`select id, name from orgs where id = $1`, [id]))[0];
}

export async function orgForAdminKey(db: Queryable, key: string): Promise<Org | undefined> {
  return (await db.query<Org>(`select o.id, o.name from admin_keys k join orgs o on o.id = k.org_id where k.key_hash = $1`, [hashSecret(key)]))[0];
}

/** A one-time enrollment code for `orgId`, valid for `days` days. */
export async function createEnrollmentCode(db: Queryable, orgId: string, days = 7, now = Date.now()): Promise<{ code: string; expiresAt: string }> {
  if (!(await getOrg(db, orgId))) throw new OutpostError('not_found', `There is no organisation ${orgId}. List them with: npm run admin -- list-orgs`);
  const code = newEnrollmentCode();
  const expiresAt = new Date(now + days * 86_400_000).toISOString();
  await db.query(`insert into enrollment_codes (code_hash, org_id, expires_at) values ($1, $2, $3)`, [hashSecret(normaliseCode(code)), orgId, expiresAt]);
  return { code, expiresAt };
}

export const INVALID_CODE =
  'That enrollment code is not known, has already been used or has expired. Check it with your coordinator and type it again, or ask for a new one.';

/** Spend a code: a new device and its credential (shown once), in one transaction. */
export async function enrollDevice(db: Db, code: string, deviceName: string, now = Date.now()) {
  return db.tx(async (q) => {
    const rows = await q.query<{ org_id: string; expires_at: Date | string; used_at: unknown; name: string }>(
      `select c.org_id, c.expires_at, c.used_at, o.name from enrollment_codes c join orgs o on o.id = c.org_id where c.code_hash = $1 for update`,
      [hashSecret(normaliseCode(code))],
    );
    const row = rows[0];
    // One answer for every invalid code, so that a guesser learns nothing about which codes exist.
    if (!row || row.used_at || new Date(row.expires_at).getTime() < now) throw new OutpostError('enrollment_code_invalid', INVALID_CODE);
    const deviceId = uuidv7();
    const token = newToken('opd');
    await q.query(`insert into devices (id, org_id, name, token_hash) values ($1, $2, $3, $4)`, [deviceId, row.org_id, deviceName, hashSecret(token)]);
    await q.query(`update enrollment_codes set used_at = now(), device_id = $2 where code_hash = $1`, [hashSecret(normaliseCode(code)), deviceId]);
    return { deviceId, orgId: row.org_id, orgName: row.name, token };
  });
}

const deviceCols = `id, org_id as "orgId", name, created_at::text as "createdAt", last_seen_at::text as "lastSeenAt", revoked_at::text as "revokedAt", acked_batch_seq as "ackedBatchSeq", pending, active_versions as "activeVersions", app_version as "appVersion", status_at::text as "statusAt", ready, deployments`;

export async function deviceForToken(db: Queryable, token: string): Promise<Device | undefined> {
  return (await db.query<Device>(`select ${deviceCols} from devices where token_hash = $1`, [hashSecret(token)]))[0];
}

export async function listDevices(db: Queryable, orgId: string): Promise<Device[]> {
  return db.query<Device>(`select ${deviceCols} from devices where org_id = $1 order by created_at`, [orgId]);
}

export async function revokeDevice(db: Queryable, deviceId: string): Promise<boolean> {
  const rows = await db.query(`update devices set revoked_at = coalesce(revoked_at, now()) where id = $1 returning id`, [deviceId]);
  return rows.length > 0;
}

/** How many records of each kind the server holds for an organisation. */
export async function orgStats(db: Queryable, orgId: string): Promise<Record<string, number>> {
  const rows = await db.query<{ tbl: string; n: number }>(`select tbl, count(*)::int as n from records where org_id = $1 group by tbl`, [orgId]);
  return Object.fromEntries(rows.map((r) => [r.tbl, r.n]));
}

export async function recordDeviceStatus(
  db: Queryable,
  deviceId: string,
  s: { pending: number; activeVersions: unknown[]; appVersion: string; ready?: string[]; deployments?: DeviceDeploymentStatus[] },
): Promise<void> {
  await db.query(
    `update devices set pending = $2, active_versions = $3::jsonb, app_version = $4, ready = $5::jsonb, deployments = $6::jsonb, status_at = now(), last_seen_at = now() where id = $1`,
    [
      deviceId,
      s.pending,
      JSON.stringify(s.activeVersions),
      s.appVersion,
      s.ready ? JSON.stringify(s.ready) : null,
      s.deployments ? JSON.stringify(s.deployments) : null,
    ],
  );
}
