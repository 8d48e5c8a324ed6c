import { SaidError } from '../said-error.js';
import { badRow, badRowsError, type BadRow, type RawTable } from './parse-csv.js';

type Value = string | number | null;

/** Line (1-based) of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Where a value is: the item of a JSON list, or the line of a JSON Lines file (1 is the first). */
interface Where {
  where: 'item' | 'line';
  n: number;
}

/** Why a JSON value cannot be a cell, or the cell. */
function cell(v: unknown, key: string, where: Where): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    throw new SaidError('csv_malformed', { key: 'error.jsonList', values: { key, ...where } });
  }
  throw new SaidError('csv_malformed', { key: 'error.jsonNested', values: { key, ...where } });
}

/** One object as a row: nested objects one level deep become "outer.inner" columns. */
function flatten(item: unknown, where: Where, keys: Map<string, true>): Record<string, Value> {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new SaidError('csv_malformed', { key: 'error.jsonNotObject', values: { ...where } });
  }
  const row: Record<string, Value> = {};
  for (const [k, v] of Object.entries(item)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v)) {
        const name = `${k}.${k2}`;
        row[name] = cell(v2, name, where);
        keys.set(name, true);
      }
    } else {
      row[k] = cell(v, k, where);
      keys.set(k, true);
    }
  }
  return row;
}

function table(items: Record<string, Value>[], keys: Map<string, true>, bad: BadRow[]): RawTable {
  const fields = [...keys.keys()];
  // A key missing from an object is a missing value, not a misshapen row.
  const rows = items.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null])));
  return { fields, rows, bad };
}

/**
 * Read a JSON file: an array of objects, or an object whose `rows` (or `data`) is one. Objects
 * nested one level deep are flattened ("patient": {"age": 3} becomes the column "patient.age");
 * deeper nesting and lists are refused with a sentence naming the key and the item.
 */
export function readJson(text: string, maxRows: number): RawTable {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message);
    const line = pos ? lineAt(text, +pos[1]) : /line (\d+)/.exec((err as Error).message)?.[1];
    throw new SaidError('csv_malformed', line ? { key: 'error.jsonInvalidLine', values: { line: String(line) } } : { key: 'error.jsonInvalid' });
  }
  const list = Array.isArray(doc) ? doc : doc && typeof doc === 'object' ? ((doc as { rows?: unknown }).rows ?? (doc as { data?: unknown }).data) : undefined;
  if (!Array.isArray(list)) {
    throw new SaidError('csv_malformed', { key: 'error.jsonNoList' });
  }
  if (list.length > maxRows) throw new SaidError('csv_too_large', { key: 'error.fileTooManyRows', values: { max: maxRows } });
  const keys = new Map<string, true>();
  return table(
    list.map((item, i) => flatten(item, { where: 'item', n: i + 1 }, keys)),
    keys,
    [],
  );
}

/**
 * Read JSON Lines (.jsonl, .ndjson): one object per line, blank lines skipped. A line that is not
 * valid JSON or not an object is refused with its line number, or left out when `dropBadRows`.
 */
export function readJsonLines(text: string, opts: { maxRows: number; dropBadRows?: boolean }): RawTable {
  const keys = new Map<string, true>();
  const items: Record<string, Value>[] = [];
  const bad: BadRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad.push(badRow(i + 1, { key: 'error.rowNotJson' }));
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      bad.push(badRow(i + 1, { key: 'error.rowNotObject' }));
      continue;
    }
    if (items.length >= opts.maxRows) throw new SaidError('csv_too_large', { key: 'error.fileTooManyRows', values: { max: opts.maxRows } });
    items.push(flatten(value, { where: 'line', n: i + 1 }, keys));
  }
  if (bad.length && !opts.dropBadRows) throw badRowsError(bad, { key: 'error.rowsJsonLines' });
  return table(items, keys, bad);
}
