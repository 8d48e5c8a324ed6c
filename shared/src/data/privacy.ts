import { z } from 'zod';
import type { ColumnInfo } from '../schema/records.js';
import { canonicalCell, canonicalColumns } from './versions.js';
import { isMissing, type Cell, type Row } from './columns.js';
import { sha256Hex } from './hash.js';
import type { Said } from '../said.js';

export type PersonalChoice = 'never' | 'hash';
export type PersonalKind = 'name' | 'phone' | 'id' | 'email';

/** Column names that usually hold a person's name, phone number, id or e-mail (English, French, Swahili, Hausa, Pidgin). */
const HEADER_HINTS: [PersonalKind, RegExp][] = [
  ['phone', /(phone|tel(e|ephone)?|mobile|msisdn|whatsapp|cell|gsm|simu|lamba|portable|contact)/i],
  ['email', /e-?mail|courriel/i],
  ['id', /(^|[^a-z])(nin|bvn|nhis|mrn|ssn|passport|national[ _-]?id|id[ _-]?(number|no|card)|patient[ _-]?(id|number|no)|hospital[ _-]?(number|no)|card[ _-]?number|folder[ _-]?(number|no))([^a-z]|$)/i],
  ['name', /(^|[^a-z])((first|last|sur|given|family|full|patient|client|mother|father|child|caregiver|husband|wife|person)[ _-]?name|names?|nom|pr[eé]nom|jina|suna|oruko|aha)([^a-z]|$)/i],
];

const PHONE = /^\+?\d{9,15}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i;
// Two to four words of letters (any script), each starting with a capital: "Amina Bello", "Ngozi A. Okafor".
const PERSON_NAME = /^\p{Lu}[\p{L}'’-]*\.?(\s+\p{Lu}[\p{L}'’-]*\.?){1,3}$/u;

/** A phone number once spaces, dots, dashes and brackets are taken out (+234 803 123 4567, 0803-123-4567). */
function looksLikePhone(s: string): boolean {
  const bare = s.replace(/[\s.()-]/g, '');
  return PHONE.test(bare) && (bare.startsWith('+') || bare.startsWith('0'));
}

/**
 * Whether a column looks like it holds personal data, and of which kind: by its name (phone,
 * mobile, name, surname, NIN, patient id, e-mail, and their French, Swahili and Hausa words), or
 * by its values: at least 60% of up to 200 present values are phone numbers (9 to 15 digits
 * starting with + or 0 once spaces and dashes are removed), e-mail addresses, or capitalised
 * two-to-four-word names with almost every value distinct. A heuristic to prompt a person, never
 * a decision: the person marks the column (or not).
 */
export function looksPersonal(name: string, values: Cell[]): PersonalKind | undefined {
  for (const [kind, re] of HEADER_HINTS) if (re.test(name)) return kind;
  const present: string[] = [];
  for (const v of values) {
    if (isMissing(v)) continue;
    present.push(String(v).trim());
    if (present.length >= 200) break;
  }
  if (present.length < 3) return undefined;
  const share = (test: (s: string) => boolean) => present.filter(test).length / present.length;
  if (share(looksLikePhone) >= 0.6) return 'phone';
  if (share((s) => EMAIL.test(s)) >= 0.6) return 'email';
  const distinct = new Set(present).size / present.length;
  if (distinct >= 0.8 && share((s) => PERSON_NAME.test(s)) >= 0.6) return 'name';
  return undefined;
}

export interface PersonalWarning {
  column: string;
  kind: PersonalKind;
  sentence: string;
  /** The sentence as a message (see said.ts), for a screen in any language. */
  said: Said<'data.personal.looks'>;
}

const KIND_WORDS: Record<PersonalKind, string> = { name: "people's names", phone: 'phone numbers', id: 'ID numbers', email: 'e-mail addresses' };

/** The columns that look personal and that nobody has marked, each with a sentence saying what to do. */
export function personalWarnings(rows: Row[], columns: string[], marked: Record<string, PersonalChoice> = {}): PersonalWarning[] {
  const out: PersonalWarning[] = [];
  for (const c of columns) {
    if (marked[c]) continue;
    const kind = looksPersonal(
      c,
      rows.slice(0, 200).map((r) => r[c]),
    );
    if (kind)
      out.push({
        column: c,
        kind,
        sentence: `“${c}” looks like it holds ${KIND_WORDS[kind]}. Mark it personal so it is never sent, or sent only as a code that cannot be read back.`,
        said: { key: 'data.personal.looks', values: { name: c, kind } },
      });
  }
  return out;
}

/** The first 8 hex digits of the salt's own SHA-256: names the salt on a version without showing it. */
export async function saltId(salt: string): Promise<string> {
  return (await sha256Hex(new TextEncoder().encode(salt))).slice(0, 8);
}

/**
 * A personal value as a salted hash: SHA-256 of "outpost-personal-1", the project's salt and the
 * value's text (trimmed), each on its own line. Equal values under one salt hash equal on every
 * device, so rows can still be counted and joined by person; without the salt a hash cannot be
 * looked up in a list of phone numbers. Anyone holding the salt can (a phone number has few
 * possible values): see docs/datasets.md for who that is.
 */
export async function saltedHash(salt: string, value: string | number): Promise<string> {
  return sha256Hex(new TextEncoder().encode(`outpost-personal-1\n${salt}\n${String(value).trim()}`));
}

/** The JSON inside a version's shared-rows blob. */
export const SharedRowsFile = z.object({
  format: z.literal('outpost-rows-1'),
  columns: z.array(z.string().min(1).max(200)).max(5000),
  rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
});
export type SharedRowsFile = z.infer<typeof SharedRowsFile>;

export interface Shareable {
  bytes: Uint8Array;
  removed: string[];
  hashed: string[];
}

/**
 * The form of a version's rows that may leave the device: columns marked `never` are left out,
 * columns marked `hash` have every present value replaced by its salted hash (missing stays
 * missing), everything else is kept as it is. Columns in code-point order, each row an array in
 * that order (canonicalCell), as UTF-8 JSON. A `hash` column without a salt is refused: the caller
 * must make the project's salt first, never send the values instead. `coded` names columns whose
 * values are codes already (rows derived from shared rows): they are not hashed a second time.
 */
export async function shareableRows(
  rows: Row[],
  columns: string[],
  personal: Record<string, PersonalChoice>,
  salt?: string,
  coded: string[] = [],
): Promise<Shareable> {
  const removed = columns.filter((c) => personal[c] === 'never');
  const hashed = columns.filter((c) => personal[c] === 'hash');
  // Columns whose values are codes already (rows that came from another device's shared rows) are kept as they are.
  const toHash = hashed.filter((c) => !coded.includes(c));
  if (toHash.length && !salt) throw new Error('A column is to be sent as a hash but the project has no salt yet.');
  const kept = canonicalColumns(columns.filter((c) => personal[c] !== 'never'));
  // Each distinct value is hashed once, many at a time (Web Crypto digests are asynchronous).
  const codes = new Map<string, string>();
  for (const c of toHash)
    for (const r of rows) {
      const v = canonicalCell(r[c]);
      if (v !== null && !isMissing(v)) codes.set(String(v).trim(), '');
    }
  const distinct = [...codes.keys()];
  for (let i = 0; i < distinct.length; i += 1000) {
    const batch = distinct.slice(i, i + 1000);
    const hashes = await Promise.all(batch.map((v) => saltedHash(salt!, v)));
    batch.forEach((v, j) => codes.set(v, hashes[j]));
  }
  const out: (string | number | null)[][] = rows.map((r) =>
    kept.map((c) => {
      const v = canonicalCell(r[c]);
      return toHash.includes(c) && v !== null && !isMissing(v) ? codes.get(String(v).trim())! : v;
    }),
  );
  const file: SharedRowsFile = { format: 'outpost-rows-1', columns: kept, rows: out };
  return { bytes: new TextEncoder().encode(JSON.stringify(file)), removed, hashed };
}

/** Rows back from a shared-rows blob; a blob that is not one is refused with a sentence. */
export function readShareableRows(bytes: Uint8Array): { columns: string[]; rows: Row[] } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new Error('The synced rows of this version could not be read; they will be downloaded again at the next sync.');
  }
  const f = SharedRowsFile.safeParse(json);
  if (!f.success) throw new Error('The synced rows of this version are not in a form this app reads; update the app.');
  const { columns, rows } = f.data;
  return { columns, rows: rows.map((line) => Object.fromEntries(columns.map((c, i) => [c, line[i] ?? null]))) };
}

/**
 * A column summary fit to sync: for a personal column, only its name, type and counts (the most
 * frequent values, minimum, maximum and mean would show personal values to every device).
 */
export function publicColumns(columns: ColumnInfo[], personal: Record<string, PersonalChoice> = {}): ColumnInfo[] {
  return columns.map((c) => (personal[c.name] ? { name: c.name, type: c.type, missing: c.missing, distinct: c.distinct, invalid: c.invalid } : c));
}

/**
 * The personal marks of a project: every column marked on any of its datasets, the stricter
 * choice winning where two datasets disagree (`never` over `hash`). Why any dataset and not only
 * the model's training dataset: an imported model (ONNX, TensorFlow.js) has no training dataset,
 * a model trained before a column was marked, or on a retrain dataset, never saw the mark, and a
 * column's name means the same thing across one project's datasets; a person who marked a column
 * anywhere in the project said it holds personal data, so nothing of the project logs it. Deleted
 * datasets count too: deleting the data does not make the column less personal.
 */
export function projectPersonal(datasets: { personal?: Record<string, PersonalChoice> }[]): Record<string, PersonalChoice> {
  const out: Record<string, PersonalChoice> = {};
  for (const d of datasets)
    for (const [c, choice] of Object.entries(d.personal ?? {})) if (out[c] !== 'never') out[c] = choice === 'never' ? 'never' : out[c] ?? choice;
  return out;
}

type Logged = Record<string, string | number | null>;

const isCode = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

/**
 * A prediction as it may be logged (the log syncs to the server): every input and kept attribute
 * whose column is marked personal (`personal`, see projectPersonal) is replaced, `never` by null
 * and `hash` by its salted hash (saltedHash, so fairness groups of a hashed attribute still
 * compare across devices; a missing value stays missing). A logged input derived from a column (a
 * date's year, a text's length: `feature.source.column` in `features`) follows its column's
 * mark. Without a salt a `hash` value is logged as null, never as itself. Everything else is kept
 * as it is; the prediction is not changed in place. Equal values are hashed once per call. A
 * `hash` value that is a code already (64 hex digits) is kept, so cleaning a log twice is the same
 * as once.
 */
export async function loggablePredictions<P extends { inputs: Logged; attributes?: Logged }>(
  predictions: P[],
  personal: Record<string, PersonalChoice>,
  salt: string | undefined,
  features: { name: string; source?: { column: string } }[] = [],
): Promise<P[]> {
  const columnOf = new Map(features.filter((f) => f.source).map((f) => [f.name, f.source!.column]));
  const markOf = (key: string): PersonalChoice | undefined => personal[key] ?? personal[columnOf.get(key) ?? ''];
  const marked = (values: Logged | undefined) => Object.keys(values ?? {}).some((k) => markOf(k));
  if (!predictions.some((p) => marked(p.inputs) || marked(p.attributes))) return predictions;
  const codes = new Map<string, string>();
  if (salt)
    for (const p of predictions)
      for (const values of [p.inputs, p.attributes ?? {}])
        for (const [k, v] of Object.entries(values)) if (markOf(k) === 'hash' && !isMissing(v) && !isCode(v)) codes.set(String(v).trim(), '');
  const distinct = [...codes.keys()];
  const hashes = await Promise.all(distinct.map((v) => saltedHash(salt!, v)));
  distinct.forEach((v, i) => codes.set(v, hashes[i]));
  const clean = (values: Logged): Logged =>
    Object.fromEntries(
      Object.entries(values).map(([k, v]) => {
        const mark = markOf(k);
        if (!mark) return [k, v];
        if (mark === 'never') return [k, null];
        // A code already (a log cleaned before, see scrubLocalLog): hashing it again would change it.
        if (isCode(v)) return [k, v];
        if (!salt) return [k, null];
        return [k, isMissing(v) ? null : codes.get(String(v).trim())!];
      }),
    );
  return predictions.map((p) => (marked(p.inputs) || marked(p.attributes) ? { ...p, inputs: clean(p.inputs), ...(p.attributes ? { attributes: clean(p.attributes) } : {}) } : p));
}

/**
 * Refuse to train on a personal column: a person marked it so that it is never sent nor written
 * to logs, and a model that reads it would carry it into every prediction it logs. Throws an
 * OutpostError (`personal_column`) naming the columns, its sentence also as a message
 * (`said`: key `train.personalRefused`, so a screen says it in its person's language); returns
 * quietly when none is personal.
 */
export function refusePersonalFeatures(features: string[], personal: Record<string, PersonalChoice> = {}): void {
  const found = features.filter((f) => personal[f]);
  if (!found.length) return;
  const names = found.map((f) => `“${f}”`).join(', ');
  const said: Said<'train.personalRefused'> = { key: 'train.personalRefused', values: { columns: names, count: found.length } };
  throw Object.assign(new OutpostError(
    'personal_column',
    `${found.length === 1 ? `The column ${names} is` : `The columns ${names} are`} marked personal, so a model may not learn from ${found.length === 1 ? 'it' : 'them'}. Untick ${found.length === 1 ? 'it' : 'them'} under the columns it learns from, or unmark ${found.length === 1 ? 'it' : 'them'} in the dataset's personal columns if ${found.length === 1 ? 'it is' : 'they are'} not personal.`,
    { columns: found },
  ), { said });
}

// Imported here, at the end, so that this file's earlier part stays as others edit it (imports are hoisted).
import { OutpostError } from '../errors.js';
