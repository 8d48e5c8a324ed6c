import type { VersionChange, VersionChangeKind } from '../schema/dataset-version.js';
import type { Cell, Row } from './columns.js';
import { sha256Hex } from './hash.js';
import type { Said } from '../said.js';

/**
 * A cell in canonical form: missing (undefined, null, NaN) is null, -0 is 0, other numbers and
 * all strings are kept exactly (no trimming: "a " and "a" are different values). A number and the
 * text of that number stay different (1 and "1"), as the rows hold them.
 */
export function canonicalCell(v: Cell): string | number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? null : Object.is(v, -0) ? 0 : v;
  return v;
}

/** The column names a row list is hashed over: the given names, each once, in code-point order. */
export function canonicalColumns(columns: string[]): string[] {
  return [...new Set(columns)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One row as a JSON array of its cells in canonical column order. */
function rowLine(r: Row, cols: string[]): string {
  return JSON.stringify(cols.map((c) => canonicalCell(r[c])));
}

/**
 * The canonical text of a version's rows: the JSON array of column names in code-point order,
 * then one JSON array per row (its cells in that order, as canonicalCell gives them), each on its
 * own line. Row order counts (a version is a list of rows); the order of keys in a row object and
 * of the column list does not, nor does a key absent from a row versus a null. JSON.stringify
 * writes numbers in their shortest round-trip form (ECMA-262 Number::toString), the same on every
 * engine, so equal rows give equal text everywhere.
 */
export function canonicalRowsText(rows: Row[], columns: string[]): string {
  const cols = canonicalColumns(columns);
  const lines = [JSON.stringify(cols)];
  for (const r of rows) lines.push(rowLine(r, cols));
  return lines.join('\n');
}

/** A version's content hash: SHA-256 (FIPS 180-4) of the UTF-8 bytes of canonicalRowsText. */
export async function versionHash(rows: Row[], columns: string[]): Promise<string> {
  return sha256Hex(new TextEncoder().encode(canonicalRowsText(rows, columns)));
}

export interface RowsDiff {
  rowsAdded: number;
  rowsRemoved: number;
  columnsAdded: string[];
  columnsRemoved: string[];
}

/**
 * What changed between two versions' rows, without row ids: columns by name, and rows as
 * multisets compared on the columns both versions have (a row present twice before and once after
 * counts as one removed). Moving rows around changes nothing here (it changes the hash). A change
 * to a value inside a row shows as one removed and one added; callers that know which rows they
 * changed in place (labels) say so in `rowsChanged` themselves.
 */
export function diffRows(before: Row[], beforeColumns: string[], after: Row[], afterColumns: string[]): RowsDiff {
  const b = new Set(beforeColumns);
  const a = new Set(afterColumns);
  const common = canonicalColumns(beforeColumns.filter((c) => a.has(c)));
  const counts = new Map<string, number>();
  for (const r of before) {
    const k = rowLine(r, common);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  let rowsAdded = 0;
  for (const r of after) {
    const k = rowLine(r, common);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else rowsAdded++;
  }
  let rowsRemoved = 0;
  for (const n of counts.values()) rowsRemoved += n;
  return {
    rowsAdded,
    rowsRemoved,
    columnsAdded: [...new Set(afterColumns)].filter((c) => !b.has(c)),
    columnsRemoved: [...new Set(beforeColumns)].filter((c) => !a.has(c)),
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const list = (names: string[]) => names.map((n) => `“${n}”`).join(', ');

/**
 * A version's change record with its sentence, in plain words: e.g. "Removed 12 rows with missing
 * values." or "Imported 569 rows and 31 columns." `what` adds the reason a cleaning step gives.
 */
export function describeChange(kind: VersionChangeKind, d: RowsDiff & { rowsChanged?: number }, rowCount: number, columnCount: number, what?: string): VersionChange {
  const rowsChanged = d.rowsChanged ?? 0;
  const parts: string[] = [];
  if (kind === 'import') parts.push(`Imported ${plural(rowCount, 'row')} and ${plural(columnCount, 'column')}`);
  else {
    if (d.rowsAdded) parts.push(`added ${plural(d.rowsAdded, 'row')}`);
    if (d.rowsRemoved) parts.push(`removed ${plural(d.rowsRemoved, 'row')}${what ? ` ${what}` : ''}`);
    if (rowsChanged) parts.push(`changed ${plural(rowsChanged, 'row')}${kind === 'labels' ? ' (labels)' : ''}`);
    if (d.columnsAdded.length) parts.push(`added ${d.columnsAdded.length === 1 ? 'column' : 'columns'} ${list(d.columnsAdded)}`);
    if (d.columnsRemoved.length) parts.push(`removed ${d.columnsRemoved.length === 1 ? 'column' : 'columns'} ${list(d.columnsRemoved)}`);
    if (!parts.length) parts.push('no rows or columns changed');
  }
  const text = parts.join('; ');
  const sentence = `${text[0].toUpperCase()}${text.slice(1)}.`.slice(0, 500);
  return {
    kind,
    rowsAdded: d.rowsAdded,
    rowsRemoved: d.rowsRemoved,
    rowsChanged,
    columnsAdded: d.columnsAdded.slice(0, 1000),
    columnsRemoved: d.columnsRemoved.slice(0, 1000),
    sentence,
  };
}

/** The message keys of a version's change, in the device's catalogues. */
export type ChangeKey =
  | 'data.change.imported'
  | 'data.change.rowsAdded'
  | 'data.change.rowsRemoved'
  | 'data.change.rowsRemovedMissing'
  | 'data.change.rowsChanged'
  | 'data.change.labelled'
  | 'data.change.columnsAdded'
  | 'data.change.columnsRemoved'
  | 'data.change.none'
  | 'data.change.joined';

/**
 * A change record's sentence as messages (see said.ts), whole sentences said one after the other,
 * for a screen in any language: made from the record's counts and names, so a version synced from
 * another phone or made before says it too. An import counts its rows and columns as added (it
 * has no parent). The reason a cleaning step gave is not kept apart from the English sentence:
 * rows removed "with missing values" (Outpost's one step that removes rows) are found there, and
 * any other removal is said without a reason.
 */
export function changeSaid(c: VersionChange): Said<ChangeKey>[] {
  if (c.kind === 'import') return [{ key: 'data.change.imported', values: { rows: c.rowsAdded, columns: c.columnsAdded.length } }];
  const out: Said<ChangeKey>[] = [];
  // A merge of entries from several phones (web/src/lib/forms/merge.ts) says so first; how many
  // versions it joined is kept only in its English sentence ("Joined 2 versions …").
  const joined = c.kind === 'merge' ? /^Joined (\d+) /.exec(c.sentence) : null;
  if (joined) out.push({ key: 'data.change.joined', values: { count: Number(joined[1]) } });
  if (c.rowsAdded) out.push({ key: 'data.change.rowsAdded', values: { count: c.rowsAdded } });
  if (c.rowsRemoved)
    out.push({ key: / with missing values/.test(c.sentence) ? 'data.change.rowsRemovedMissing' : 'data.change.rowsRemoved', values: { count: c.rowsRemoved } });
  if (c.rowsChanged) out.push({ key: c.kind === 'labels' ? 'data.change.labelled' : 'data.change.rowsChanged', values: { count: c.rowsChanged } });
  if (c.columnsAdded.length) out.push({ key: 'data.change.columnsAdded', values: { count: c.columnsAdded.length, names: list(c.columnsAdded) } });
  if (c.columnsRemoved.length) out.push({ key: 'data.change.columnsRemoved', values: { count: c.columnsRemoved.length, names: list(c.columnsRemoved) } });
  return out.length ? out : [{ key: 'data.change.none' }];
}
