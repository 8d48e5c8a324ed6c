import type { z } from 'zod';
import { OutpostError, type ErrorCode, type Reason } from '@shared/errors.js';
import { mergeChange } from '@shared/sync/merge.js';
import { SYNC_TABLES } from '@shared/sync/protocol.js';
import type { Queryable } from './db.js';
import { issueText, type CheckedChange } from './push-check.js';
import { scrubStoredDays } from './day-marks.js';
import { dropFileIfUnnamed, scrubPredictionLog, withdrawRowsBreakingMarks, withoutForbiddenRows } from './withdraw-rows.js';
import type { PersonalChoice } from '@shared/data/privacy.js';

export interface DeviceRef {
  id: string;
  orgId: string;
}
/** A refusal carries its reason's code (REFUSAL_REASONS) beside its English, so the device says it in its language. */
export type WriteOutcome = 'applied' | 'ignored' | Refused;
export interface Refused {
  code: ErrorCode;
  message: string;
  reason?: Reason;
}

/** Hands out an organisation's record sequence numbers inside one transaction (see `lockRecords`). */
export interface RecordSeq {
  /** Allocate `n` numbers; returns the first of them. */
  take(n: number): Promise<number>;
}

/**
 * Every writer of `records` starts here, in its transaction, before it touches a record: it takes
 * the organisation's row lock and then allocates sequence numbers from the organisation's own
 * counter (`orgs.record_seq`). The lock is held until commit, so the organisation's writers run
 * one after another and sequence order is commit order: a device pulling by cursor can never
 * pass a number whose record commits later. Counters per organisation also keep one
 * organisation's activity out of the numbers another sees. Taking the lock first, before any
 * record row, means two writers never wait on each other in opposite orders (no deadlock).
 */
export async function lockRecords(q: Queryable, orgId: string): Promise<RecordSeq> {
  const rows = await q.query(`select 1 from orgs where id = $1 for update`, [orgId]);
  if (!rows.length) throw new OutpostError('not_found', 'This organisation no longer exists on the server.', undefined, { code: 'org_gone' });
  return {
    async take(n) {
      const [{ last }] = await q.query<{ last: number }>(`update orgs set record_seq = record_seq + $2 where id = $1 returning record_seq as last`, [orgId, n]);
      return Number(last) - n + 1;
    },
  };
}

/** Append-only records: insert-or-ignore by id. Returns how many were new. */
export async function insertAppend(q: Queryable, seq: RecordSeq, device: DeviceRef, rows: CheckedChange[]): Promise<number> {
  if (!rows.length) return 0;
  const first = await seq.take(rows.length);
  // The rows travel as one JSON array (no array literal to escape per value on either side) and
  // only their count comes back.
  const [{ n }] = await q.query<{ n: number }>(
    `with inserted as (
       insert into records (org_id, tbl, id, data, hlc, seq, device_id)
       select $1, t.c->>'table', t.c->>'id', t.c->'fields', jsonb_build_object('*', t.c->>'hlc'), $3::bigint + t.n - 1, $2
       from jsonb_array_elements($4::jsonb) with ordinality as t(c, n)
       on conflict (org_id, tbl, id) do nothing returning 1)
     select count(*)::int as n from inserted`,
    [device.orgId, device.id, first, JSON.stringify(rows.map(({ table, id, hlc, fields }) => ({ table, id, hlc, fields })))],
  );
  return n;
}

type NamedBlob = [hash: string, what: string, blob: 'model_weights' | 'reference_rows' | 'smaller_weights' | 'dataset_rows'];

/** The blobs a model version's fields point at (weights, reference rows, smaller weights): each must be the organisation's. */
function blobsNamed(fields: Record<string, unknown>): NamedBlob[] {
  const out: NamedBlob[] = [];
  if (typeof fields.weightsHash === 'string') out.push([fields.weightsHash, 'model weights', 'model_weights']);
  const ref = fields.reference as { blob?: { hash?: unknown } } | undefined;
  if (typeof ref?.blob?.hash === 'string') out.push([ref.blob.hash, "reference rows of the model's training data", 'reference_rows']);
  const small = fields.quantized as { weightsHash?: unknown } | undefined;
  if (typeof small?.weightsHash === 'string') out.push([small.weightsHash, 'smaller model weights', 'smaller_weights']);
  return out;
}

/** The blob of a dataset version's shared rows (personal columns left out or hashed), when it has one. */
function rowBlobNamed(fields: Record<string, unknown>): NamedBlob[] {
  const rows = fields.rows as { hash?: unknown } | undefined;
  return typeof rows?.hash === 'string' ? [[rows.hash, 'rows of the dataset version', 'dataset_rows']] : [];
}

/** A mutable record: merged per field by the shared rule (merge.ts); the first change must be the whole record. */
export async function mergeLww(q: Queryable, seq: RecordSeq, device: DeviceRef, c: CheckedChange): Promise<WriteOutcome> {
  const [row] = await q.query<{ data: Record<string, unknown>; hlc: Record<string, string> }>(
    `select data, hlc from records where org_id = $1 and tbl = $2 and id = $3 for update`,
    [device.orgId, c.table, c.id],
  );
  let fields = c.fields;
  if (!row) {
    const whole = (SYNC_TABLES[c.table].schema as unknown as z.ZodObject<z.ZodRawShape>).safeParse(c.fields);
    if (!whole.success) {
      const detail = issueText(whole.error);
      return { code: 'invalid_body', message: detail, reason: { code: 'record_invalid', params: { detail } } };
    }
    fields = whole.data as Record<string, unknown>;
  }
  let dropFile: string | undefined;
  if (c.table === 'dataset_versions') ({ fields, drop: dropFile } = await withoutForbiddenRows(q, device.orgId, fields, row?.data));
  if (c.table === 'model_versions' || c.table === 'dataset_versions') {
    for (const [hash, what, blob] of c.table === 'model_versions' ? blobsNamed(fields) : rowBlobNamed(fields)) {
      const owned = await q.query(`select 1 from blob_owners where hash = $1 and org_id = $2`, [hash, device.orgId]);
      if (!owned.length)
        return {
          code: 'blob_missing',
          message: `The ${what} have not been uploaded yet; upload the blob first, then push the ${c.table === 'model_versions' ? 'model' : 'dataset'} version.`,
          reason: { code: 'blob_missing', params: { blob } },
        };
    }
  }
  if (row && fields.deleted === true && row.data.deleted !== true) {
    const refused = await deletionRefused(q, device.orgId, c.table, c.id, row.data);
    if (refused) return refused;
  }
  const { state, changed } = mergeChange(c.table, row, c.hlc, fields);
  if (!changed) return 'ignored';
  await q.query(
    `insert into records (org_id, tbl, id, data, hlc, seq, device_id) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)
     on conflict (org_id, tbl, id) do update set data = excluded.data, hlc = excluded.hlc, seq = excluded.seq, device_id = excluded.device_id, updated_at = now()`,
    [device.orgId, c.table, c.id, JSON.stringify(state.data), JSON.stringify(state.hlc), await seq.take(1), device.id],
  );
  if (dropFile) await dropFileIfUnnamed(q, device.orgId, dropFile);
  // A column marked personal after its rows were sent: the files that hold it go (withdraw-rows.ts).
  if (c.table === 'datasets' && 'personal' in c.fields) {
    const personal = state.data.personal as Record<string, PersonalChoice> | undefined;
    await withdrawRowsBreakingMarks(q, seq, device.orgId, c.id, personal, c.hlc);
    await scrubPredictionLog(q, device.orgId, String(state.data.projectId ?? ''), personal);
    await scrubStoredDays(q, device.orgId, String(state.data.projectId ?? ''), personal);
  }
  return 'applied';
}

/**
 * A tombstone the server refuses: a model version in production or named by its project's
 * deployment, or a project with such a version. Devices refuse these themselves
 * (web/src/lib/db/delete.ts); a device that was behind (the version moved to production while it
 * was offline) is told here, and nothing is deleted.
 */
async function deletionRefused(q: Queryable, orgId: string, table: string, id: string, data: Record<string, unknown>): Promise<Refused | null> {
  if (table !== 'model_versions' && table !== 'projects') return null;
  const projectId = table === 'projects' ? id : String(data.projectId ?? '');
  const versions =
    table === 'model_versions'
      ? [{ id, data }]
      : (
          await q.query<{ id: string; data: Record<string, unknown> }>(
            `select id, data from records where org_id = $1 and tbl = 'model_versions' and data->>'projectId' = $2`,
            [orgId, projectId],
          )
        ).filter((v) => v.data.deleted !== true);
  const [deployment] = await q.query<{ data: { state?: { champion?: string | null; challenger?: string | null } } }>(
    `select data from records where org_id = $1 and tbl = 'deployments' and id = $2`,
    [orgId, projectId],
  );
  const named = new Set([deployment?.data.state?.champion, deployment?.data.state?.challenger].filter((x): x is string => !!x));
  const what = table === 'projects' ? 'the project' : 'it';
  const params = (v: { data: Record<string, unknown> }) => ({
    model: String(v.data.modelName ?? 'model'),
    version: String(v.data.version ?? ''),
    what: table === 'projects' ? 'project' : 'version',
  });
  for (const v of versions) {
    const name = `${String(v.data.modelName ?? 'model')} version ${String(v.data.version ?? '')}`.trim();
    if (v.data.stage === 'production') {
      const message = `${name} is in production on the server. Move another version to production (or archive this one) first, then delete ${what}.`;
      return { code: 'conflict', message, reason: { code: 'delete_in_production', params: params(v) } };
    }
    if (named.has(v.id)) {
      const message = `${name} is named by the project's deployment. Take it out of the deployment first, then delete ${what}.`;
      return { code: 'conflict', message, reason: { code: 'delete_in_deployment', params: params(v) } };
    }
  }
  return null;
}
