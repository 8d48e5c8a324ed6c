import { Gunzip, Gzip, strFromU8, strToU8 } from 'fflate';
import { z } from 'zod';
import { formatHlc, parseHlc } from '@shared/sync/hlc.js';
import { SYNC_TABLES, type SyncTable } from '@shared/sync/protocol.js';
import type { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import { SaidError } from '../said-error.js';

/**
 * Everything on this phone in one file, and back. The file is gzip'd JSON Lines: a header (format,
 * app version, when, the tables), one line per stored row (`{"t": table, "r": row}`; bytes as
 * base64), and an end line with the row count and a SHA-256 of every line before it, so a
 * half-written or cut-off file is refused before anything is written.
 *
 * What keeps sync safe: the device's credential and sync positions (`sync:*` in kv: cursor,
 * batch numbers, the batch in flight) are never in the file. Whoever holds a backup cannot act as
 * the device, and the phone it is restored on enrols afresh (or keeps its own enrolment), pulls
 * from the beginning and pushes the outbox again: every synced record is idempotent by id and
 * clock stamp, so nothing is lost (the outbox travels whole, including a batch that was in flight)
 * and nothing is duplicated. The clock keeps its time but takes a new node id, so two phones
 * restored from one file never stamp alike.
 */

export const BACKUP_FORMAT = 'outpost-backup-1';
const HLC_KEY = 'hlc';
/** kv keys that belong to this phone's enrolment and sync positions, never backed up or restored. */
const isDeviceKey = (key: string) => key.startsWith('sync:');

const Header = z.object({
  format: z.literal(BACKUP_FORMAT),
  appVersion: z.string().max(100),
  createdAt: z.number(),
  tables: z.array(z.string().max(100)).max(100),
});
const End = z.object({ end: z.literal(true), rows: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

// Bytes (blob parts) travel as base64 in the JSON.
const BYTES = '__bytes';
function encode(v: unknown): unknown {
  if (v instanceof ArrayBuffer) return { [BYTES]: toBase64(new Uint8Array(v)) };
  if (ArrayBuffer.isView(v)) return { [BYTES]: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}
function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o[BYTES] === 'string' && Object.keys(o).length === 1) return fromBase64(o[BYTES] as string).buffer;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}
function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}
function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A running SHA-256 is not in Web Crypto: hash the lines' own hashes, in order, at the end. */
async function digest(lines: Uint8Array[]): Promise<string> {
  const hashes = await Promise.all(lines.map((l) => crypto.subtle.digest('SHA-256', l as BufferSource)));
  const all = new Uint8Array(hashes.length * 32);
  hashes.forEach((h, i) => all.set(new Uint8Array(h), i * 32));
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', all))].map((x) => x.toString(16).padStart(2, '0')).join('');
}

export interface BackupProgress {
  (done: number, total: number): void;
}

/** Write every table of this phone to one gzip'd backup, table by table (bytes as they come). */
export async function makeBackup(db: OutpostDb, appVersion: string, now = Date.now(), onProgress?: BackupProgress): Promise<Blob> {
  const tables = db.tables.map((t) => t.name).sort();
  const chunks: Uint8Array[] = [];
  const gz = new Gzip({ level: 6 }, (data) => chunks.push(data));
  const lines: Uint8Array[] = [];
  const write = (o: unknown) => {
    const line = strToU8(`${JSON.stringify(o)}\n`);
    lines.push(line);
    gz.push(line);
  };
  write({ format: BACKUP_FORMAT, appVersion, createdAt: now, tables });
  const total = (await Promise.all(db.tables.map((t) => t.count()))).reduce((a, b) => a + b, 0);
  let rows = 0;
  for (const name of tables) {
    const table = db.table(name);
    // A page at a time, so a phone with big blobs never holds two copies of everything.
    let offset = 0;
    for (;;) {
      const page = await table.offset(offset).limit(200).toArray();
      if (!page.length) break;
      offset += page.length;
      for (const r of page) {
        if (name === 'kv' && isDeviceKey(String((r as { key: unknown }).key))) continue;
        write({ t: name, r: encode(r) });
        rows++;
      }
      onProgress?.(offset, total);
    }
  }
  const sha256 = await digest(lines);
  gz.push(strToU8(`${JSON.stringify({ end: true, rows, sha256 })}\n`), true);
  return new Blob(chunks as BlobPart[], { type: 'application/gzip' });
}

const incomplete = () => new SaidError('bad_request', { key: 'error.backupIncomplete' });

/** Read a backup whole, checking every line, before anything is written. */
async function readBackup(bytes: Uint8Array): Promise<{ header: z.infer<typeof Header>; rows: { t: string; r: unknown }[] }> {
  const parts: Uint8Array[] = [];
  let ended = false;
  const gunzip = new Gunzip((data, final) => {
    parts.push(data);
    if (final) ended = true;
  });
  try {
    gunzip.push(bytes, true);
  } catch {
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new SaidError('bad_request', { key: 'error.backupNotOutpost' });
    throw incomplete();
  }
  if (!ended) throw incomplete();
  const text = parts.map((p) => strFromU8(p)).join('');
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  let header: z.infer<typeof Header>;
  try {
    header = Header.parse(JSON.parse(raw[0] ?? ''));
  } catch {
    throw new SaidError('bad_request', { key: 'error.backupNotOutpost' });
  }
  const endLine = End.safeParse(safeJson(raw[raw.length - 1]));
  if (!endLine.success) throw incomplete();
  const body = raw.slice(0, -1);
  if (endLine.data.rows !== body.length - 1 || (await digest(body.map((l) => strToU8(`${l}\n`)))) !== endLine.data.sha256) {
    throw new SaidError('bad_request', { key: 'error.backupDamaged' });
  }
  return { header, rows: body.slice(1).map((l) => JSON.parse(l) as { t: string; r: unknown }) };
}

function safeJson(s: string | undefined): unknown {
  try {
    return JSON.parse(s ?? '');
  } catch {
    return undefined;
  }
}

export interface RestoreReport {
  rows: number;
  tables: Record<string, number>;
}

/**
 * Restore a backup onto this phone, which must hold no projects and nothing waiting to sync (a new
 * phone, or one just set up). Every synced record is checked against its schema first; one that
 * does not parse refuses the whole restore, with nothing written. Keeps this phone's enrolment if
 * it has one, and makes the next sync pull from the beginning and upload every file again.
 */
export async function restoreBackup(db: OutpostDb, file: Uint8Array, onProgress?: BackupProgress): Promise<RestoreReport> {
  const { rows } = await readBackup(file);
  if ((await db.projects.count()) > 0 || (await db.outbox.count()) > 0) {
    throw new SaidError('conflict', { key: 'error.backupNotEmpty' });
  }
  const known = new Set(db.tables.map((t) => t.name));
  const byTable = new Map<string, unknown[]>();
  for (const [i, { t, r }] of rows.entries()) {
    if (!known.has(t)) throw new SaidError('bad_request', { key: 'error.backupNewer', values: { table: t } });
    let row = decode(r) as Record<string, unknown>;
    if (t in SYNC_TABLES) {
      const parsed = SYNC_TABLES[t as SyncTable].schema.safeParse(row);
      if (!parsed.success) throw new SaidError('bad_request', { key: 'error.backupBadLine', values: { line: i + 2, table: t.replace(/_/g, ' ') } });
    }
    if (t === 'kv' && isDeviceKey(String(row.key))) continue;
    if (t === 'kv' && row.key === HLC_KEY && typeof row.value === 'string') {
      // The clock's time travels; its node id is this phone's own.
      const h = parseHlc(row.value);
      row = { key: HLC_KEY, value: formatHlc({ ...h, node: newId().replace(/-/g, '').slice(-16) }) };
    }
    if (t === 'outbox') {
      // Numbered afresh, in the same order, after anything this phone numbered before.
      const { seq: _seq, ...rest } = row;
      row = rest;
    }
    byTable.set(t, [...(byTable.get(t) ?? []), row]);
  }
  const report: RestoreReport = { rows: 0, tables: {} };
  await db.transaction('rw', db.tables, async () => {
    let done = 0;
    for (const [t, list] of byTable) {
      await db.table(t).bulkPut(list);
      report.tables[t] = list.length;
      report.rows += list.length;
      done += list.length;
      onProgress?.(done, rows.length);
    }
    // Pull from the beginning and upload every file again under this phone's enrolment.
    await db.kv.bulkDelete(['sync:cursor', 'sync:witness', 'sync:inflight']);
    await db.blobState.filter((b) => b.upload !== 'held').modify({ upload: 'pending' });
  });
  return report;
}
