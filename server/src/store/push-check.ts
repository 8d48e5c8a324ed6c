import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { OutpostError, type Reason } from '@shared/errors.js';
import { parseHlc } from '@shared/sync/hlc.js';
import { Change, MAX_CLOCK_DRIFT_MS, SYNC_TABLES, type RejectedChange, type SyncTable } from '@shared/sync/protocol.js';
import { findUnstorableText, hasUnstorableText, MAX_RECORD_DEPTH, toStorableText, unstorableSentence, type UnstorableText } from '@shared/sync/text.js';

/** A pushed change that passed every check that needs no database: its fields are as parsed. */
export interface CheckedChange {
  table: SyncTable;
  id: string;
  hlc: string;
  fields: Record<string, unknown>;
}

export type { Reason };

type Outcome = CheckedChange | { code: string; message: string; reason?: Reason };

/** A string from a pushed value for a rejection label: only strings, cut short, storable; otherwise ''. */
export function label(v: unknown, max = 64): string {
  return typeof v === 'string' ? toStorableText(v.slice(0, max)) : '';
}

/** Read a property of a value that may be anything JSON can hold. */
function prop(raw: unknown, key: string): unknown {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>)[key] : undefined;
}

/** A rejection with storable, bounded text (rejections are kept with the device's last batch), and its reason's code when known. */
export function rejection(raw: unknown, code: string, message: string, reason?: Reason): RejectedChange {
  const out: RejectedChange = { table: label(prop(raw, 'table')), id: label(prop(raw, 'id')), code, message: toStorableText(message.slice(0, 300)) };
  if (reason) {
    const params = Object.entries(reason.params ?? {}).map(([k, v]) => [k, typeof v === 'string' ? label(v, 200) : v]);
    out.reason = params.length ? { code: reason.code, params: Object.fromEntries(params) } : { code: reason.code };
  }
  return out;
}

/** A change that does not fit its schema: the checks' words, said by the device around them. */
const invalid = (err: z.ZodError) => {
  const detail = issueText(err);
  return { code: 'invalid_body', message: detail, reason: { code: 'record_invalid', params: { detail } } } as const;
};

const sameId = { code: 'invalid_body', message: 'The record id differs from the change id.', reason: { code: 'id_mismatch' } } as const;

function unstorable(u: UnstorableText): Outcome {
  const reason: Reason =
    u.problem === 'depth'
      ? { code: 'record_too_deep', params: { field: u.path, depth: MAX_RECORD_DEPTH } }
      : { code: 'text_unstorable', params: { field: u.path } };
  return { code: 'invalid_body', message: unstorableSentence(u), reason };
}

/**
 * A batch's identity: SHA-256 over the list of its changes' table, id and clock stamp. The same
 * batch re-sent has the same fingerprint; a different batch under the same number (a device
 * restored from an older copy of its storage) has another.
 */
export function batchFingerprint(raw: unknown[]): string {
  const list = raw.map((c) => [prop(c, 'table'), prop(c, 'id'), prop(c, 'hlc')].map((v) => (typeof v === 'string' ? v : '')));
  return createHash('sha256').update(JSON.stringify(list)).digest('hex');
}

export function issueText(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'record'}: ${i.message}`)
    .join('; ');
}

/**
 * Check every change of a batch on its own. A change whose clock is too far ahead refuses the
 * whole batch (`clock_drift`, nothing written): the person must set the device's time first.
 */
export function checkChanges(raw: unknown[], now: number): { valid: CheckedChange[]; rejected: RejectedChange[] } {
  const valid: CheckedChange[] = [];
  const rejected: RejectedChange[] = [];
  for (const r of raw) {
    const outcome = checkChange(r, now);
    if ('code' in outcome) rejected.push(rejection(r, outcome.code, outcome.message, outcome.reason));
    else valid.push(outcome);
  }
  return { valid, rejected };
}

const HLC = /^\d{15}-[0-9a-f]{4}-[0-9A-Za-z_-]{1,36}$/;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The change's envelope as `Change` reads it, without a copy of its fields: most of a batch is
 * well formed, and its fields are parsed once more by the record's schema anyway. Anything this
 * does not accept is left to `Change`, whose words the rejection carries.
 */
function envelope(raw: unknown): Change | null {
  if (!isPlainObject(raw)) return null;
  const { table, id, hlc, fields } = raw;
  if (typeof table !== 'string' || !Object.hasOwn(SYNC_TABLES, table)) return null;
  if (typeof id !== 'string' || id.length < 1 || id.length > 64) return null;
  if (typeof hlc !== 'string' || !HLC.test(hlc) || !isPlainObject(fields)) return null;
  return { table: table as SyncTable, id, hlc, fields };
}

function checkChange(raw: unknown, now: number): Outcome {
  let c = envelope(raw);
  if (!c) {
    const parsed = Change.safeParse(raw);
    if (!parsed.success) return invalid(parsed.error);
    c = parsed.data;
  }
  if (parseHlc(c.hlc).millis - now > MAX_CLOCK_DRIFT_MS) {
    throw new OutpostError(
      'clock_drift',
      `This device's clock is ahead of the server's by more than ${MAX_CLOCK_DRIFT_MS / 60000} minutes. Set the date and time correctly, then sync again.`,
    );
  }
  if (hasUnstorableText(c.id)) return unstorable({ path: 'id', problem: 'text' });
  const bad = findUnstorableText(c.fields);
  if (bad) return unstorable(bad);
  if (SYNC_TABLES[c.table].policy === 'server') {
    const deployment = c.table.startsWith('deployment');
    const instead = deployment ? 'change the deployment online instead' : 'propose or move a version instead';
    const reason: Reason = { code: deployment ? 'deployment_server_only' : 'registry_server_only', params: { table: c.table } };
    return { code: 'forbidden', message: `${c.table} are written by the server only: ${instead}.`, reason };
  }
  const schema = SYNC_TABLES[c.table].schema as unknown as z.ZodObject<z.ZodRawShape>;
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(c.fields).filter((f) => !known.includes(f));
  if (unknown.length) {
    const fields = unknown.slice(0, 5).join(', ');
    return {
      code: 'invalid_body',
      message: `Unknown field(s) for ${c.table}: ${fields}.`,
      reason: { code: 'fields_unknown', params: { table: c.table, fields } },
    };
  }
  if ('id' in c.fields && c.fields.id !== c.id) return sameId;
  // Append-only records and stage moves are whole at once; a mutable record's later changes may
  // carry only the fields they set (whether it is the first is known only with the database).
  if (SYNC_TABLES[c.table].policy !== 'lww') {
    const whole = schema.safeParse(c.fields);
    if (!whole.success) return invalid(whole.error);
    if ((whole.data as { id?: unknown }).id !== c.id) return sameId;
    return { ...c, fields: whole.data };
  }
  const some = schema.partial().safeParse(c.fields);
  if (!some.success) return invalid(some.error);
  // Keep only the fields the change sets (parsing a partial record fills in defaults).
  return { ...c, fields: Object.fromEntries(Object.keys(c.fields).map((k) => [k, (some.data as Record<string, unknown>)[k]])) };
}
