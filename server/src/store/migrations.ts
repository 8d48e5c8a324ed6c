import type { Db } from './db.js';

/**
 * Versioned schema migrations, applied in order at start. Never edit a released one: add the next.
 * An advisory lock makes concurrent starts of several server processes on one Postgres safe.
 */
const MIGRATIONS: string[] = [
  `
  create table orgs (
    id text primary key,
    name text not null,
    created_at timestamptz not null default now()
  );
  create table admin_keys (
    key_hash text primary key,
    org_id text not null references orgs(id),
    created_at timestamptz not null default now()
  );
  create table enrollment_codes (
    code_hash text primary key,
    org_id text not null references orgs(id),
    expires_at timestamptz not null,
    used_at timestamptz,
    device_id text
  );
  create table devices (
    id text primary key,
    org_id text not null references orgs(id),
    name text not null,
    token_hash text not null unique,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz,
    revoked_at timestamptz,
    acked_batch_seq bigint not null default -1
  );
  create sequence record_seq;
  create table records (
    org_id text not null references orgs(id),
    tbl text not null,
    id text not null,
    data jsonb not null,
    hlc jsonb not null,
    seq bigint not null,
    device_id text,
    updated_at timestamptz not null default now(),
    primary key (org_id, tbl, id)
  );
  create index records_pull on records (org_id, seq);
  create table blobs (
    hash text primary key,
    size bigint not null,
    bytes bytea not null,
    created_at timestamptz not null default now()
  );
  create table blob_owners (
    hash text not null references blobs(hash),
    org_id text not null references orgs(id),
    primary key (hash, org_id)
  );
  create table blob_chunks (
    org_id text not null,
    hash text not null,
    "offset" bigint not null,
    total bigint not null,
    bytes bytea not null,
    primary key (org_id, hash, "offset")
  );
  `,
  // Fleet view: what each device reports about itself at the end of a sync.
  `
  alter table devices add column pending integer;
  alter table devices add column active_versions jsonb;
  alter table devices add column app_version text;
  alter table devices add column status_at timestamptz
  `,
  // Console sign-ins (only the session id's hash), and throttle counters in fixed time windows
  // shared by every server process (window_start and expires_at in epoch milliseconds).
  `
  create table console_sessions (
    id_hash text primary key,
    org_id text not null references orgs(id),
    created_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz
  );
  create index console_sessions_expiry on console_sessions (expires_at);
  create table throttle_windows (
    key text not null,
    window_start bigint not null,
    expires_at bigint not null,
    hits integer not null,
    primary key (key, window_start)
  );
  create index throttle_windows_expiry on throttle_windows (expires_at)
  `,
  // Record sequence numbers per organisation (allocated under the organisation's row lock, so
  // sequence order is commit order, and gaps say nothing about other organisations), and the
  // identity and refusals of each device's last acknowledged batch (a re-send gets the same answer).
  `
  alter table orgs add column record_seq bigint not null default 0;
  update orgs o set record_seq = coalesce((select max(r.seq) from records r where r.org_id = o.id), 0);
  drop sequence record_seq;
  alter table devices add column acked_batch_hash text;
  alter table devices add column acked_rejected jsonb
  `,
  // A stored blob is kept as parts (at most 1 MiB each) so that finishing an upload and reading a
  // range never hold a whole blob in memory; existing blobs are cut into 1 MiB parts. Partial
  // uploads record when each chunk was written (abandoned ones expire); an empty chunk stored by
  // older servers wedged its upload for good, so those are removed.
  `
  create table blob_parts (
    hash text not null references blobs(hash),
    "offset" bigint not null,
    bytes bytea not null,
    primary key (hash, "offset")
  );
  insert into blob_parts (hash, "offset", bytes)
    select b.hash, p.o, substring(b.bytes from (p.o + 1)::int for 1048576) from blobs b, generate_series(0::bigint, b.size - 1, 1048576) as p(o);
  alter table blobs drop column bytes;
  alter table blob_chunks add column written_at timestamptz not null default now();
  delete from blob_chunks where length(bytes) = 0
  `,
  // Monitoring: each device's daily counts per model version (the newest copy of each day), and
  // its own verdict per version (drift is judged on the device, where the rows are).
  `
  create table monitor_days (
    org_id text not null references orgs(id),
    device_id text not null,
    model_version_id text not null,
    day text not null,
    data jsonb not null,
    updated_at timestamptz not null default now(),
    primary key (org_id, device_id, model_version_id, day)
  );
  create index monitor_days_version on monitor_days (org_id, model_version_id, day);
  create table monitor_verdicts (
    org_id text not null references orgs(id),
    device_id text not null,
    model_version_id text not null,
    data jsonb not null,
    updated_at timestamptz not null default now(),
    primary key (org_id, device_id, model_version_id)
  )
  `,
  // People and their roles (keys stored hashed), sessions of a person on a device, and which person
  // a console session is (none: the organisation's admin key).
  `
  create table people (
    id text primary key,
    org_id text not null references orgs(id),
    name text not null,
    role text not null,
    key_hash text not null unique,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
  );
  create index people_org on people (org_id);
  create table person_sessions (
    id_hash text primary key,
    person_id text not null references people(id),
    device_id text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz
  );
  alter table console_sessions add column person_id text
  `,
  // Deployments: what each device last said about the versions it keeps ready (blue-green's
  // switch waits for them) and the deployment revision it follows per project.
  `
  alter table devices add column ready jsonb;
  alter table devices add column deployments jsonb
  `,
  // A record's organisation is checked by its writer, which takes the organisation's row lock
  // first (lockRecords; organisations are never deleted). The foreign key checked it again once
  // per row, about a third of the time the database takes to insert a pushed batch of logged
  // predictions.
  `
  alter table records drop constraint if exists records_org_id_fkey
  `,
];

export async function migrate(db: Db): Promise<number> {
  return db.tx(async (q) => {
    await q.query(`select pg_advisory_xact_lock(7411001)`);
    await q.query(`create table if not exists schema_migrations (version int primary key, applied_at timestamptz not null default now())`);
    const done = new Set((await q.query<{ version: number }>(`select version from schema_migrations`)).map((r) => r.version));
    let applied = 0;
    for (let v = 1; v <= MIGRATIONS.length; v++) {
      if (done.has(v)) continue;
      // One statement at a time: PGlite's query() takes a single statement.
      for (const stmt of MIGRATIONS[v - 1]
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean))
        await q.query(stmt);
      await q.query(`insert into schema_migrations (version) values ($1)`, [v]);
      applied++;
    }
    return applied;
  });
}
