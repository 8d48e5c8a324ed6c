import type { Row } from '../data/columns.js';
import { canonicalCell, canonicalColumns } from '../data/versions.js';
import { isMissing } from '../data/columns.js';
import { sha256Hex } from '../data/hash.js';
import { ENTRY_ID } from './form.js';

/**
 * Joining entries made offline on several devices (docs/forms.md). Two phones that each add
 * entries to the same version make two versions with one parent; every device that sees both
 * computes the same merge version from them alone: same id, same rows, same hash. So the merge
 * is made once however many devices make it, and whatever order the versions arrive in.
 */

/** The links of a version that matter for heads: its parent and a merge's other parents. */
export interface VersionLinks {
  id: string;
  parentId: string | null;
  mergedFrom?: string[];
  deleted?: boolean;
}

/**
 * A dataset's heads: its versions that no other version names as parent (or as one merged
 * from), not deleted, in code-point order of id. A dataset changed on one device has one head;
 * entries added offline on two have two until they are merged. A deleted version still names its
 * parents, so deleting a merge does not bring its parents back as heads.
 */
export function versionHeads(versions: VersionLinks[]): string[] {
  const named = new Set<string>();
  for (const v of versions) {
    if (v.parentId) named.add(v.parentId);
    for (const m of v.mergedFrom ?? []) named.add(m);
  }
  return [...new Set(versions.filter((v) => !v.deleted && !named.has(v.id)).map((v) => v.id))].sort(codePoint);
}

const codePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The id of the merge of some versions: SHA-256 of "outpost-merge-1" and the distinct ids in
 * code-point order, one per line, written as a UUID (version 8, RFC 9562's custom layout). It
 * depends only on the set of ids, so two devices merging the same versions make one record.
 */
export async function mergeId(ids: string[]): Promise<string> {
  const text = ['outpost-merge-1', ...[...new Set(ids)].sort(codePoint)].join('\n');
  const h = await sha256Hex(new TextEncoder().encode(text));
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface MergeInput {
  id: string;
  rows: Row[];
  columns: string[];
}

export interface MergePlan {
  /** The version merged into: the first head in code-point order of id. */
  parentId: string;
  /** The other heads, in code-point order. */
  mergedFrom: string[];
  rows: Row[];
  /** The first head's columns, then the others' new ones in code-point order. */
  columns: string[];
}

const hasEntryId = (r: Row) => !isMissing(r[ENTRY_ID]);

/** How many cells of a row hold a value (missing ones do not count). */
function filled(r: Row, cols: string[]): number {
  let n = 0;
  for (const c of cols) if (!isMissing(canonicalCell(r[c]))) n++;
  return n;
}

/**
 * The rows of the merge of some versions: first the rows without an entry id (imported or older
 * rows) as the parent (the first head by id) holds them, then the union of every head's entries
 * by entry id, ordered by entry id (code-point order; entry ids are UUIDv7, so that is nearly the
 * order they were opened in). An entry present in several heads, or twice in one, is one row; if
 * its copies differ (a label given later on one device), the copy with more cells filled wins, then
 * the greatest canonical line (JSON of its cells in column order), so the choice depends on the
 * rows alone. The result depends only on the set of heads: any order, any repetition, and merging
 * a merge with one of its own heads again, give the same rows.
 */
export function mergeRows(heads: MergeInput[]): MergePlan {
  if (!heads.length) throw new Error('Nothing to merge.');
  const byId = new Map<string, MergeInput>();
  for (const h of heads) if (!byId.has(h.id)) byId.set(h.id, h);
  const ordered = [...byId.values()].sort((a, b) => codePoint(a.id, b.id));
  const parent = ordered[0];
  const columns = [...new Set(parent.columns)];
  const extra = canonicalColumns(ordered.slice(1).flatMap((h) => h.columns)).filter((c) => !columns.includes(c));
  columns.push(...extra);
  const cols = canonicalColumns(columns);
  const line = (r: Row) => JSON.stringify(cols.map((c) => canonicalCell(r[c])));
  const entries = new Map<string, { row: Row; filled: number; line: string }>();
  for (const h of ordered)
    for (const r of h.rows) {
      if (!hasEntryId(r)) continue;
      const key = String(canonicalCell(r[ENTRY_ID]));
      const cand = { row: r, filled: filled(r, cols), line: line(r) };
      const had = entries.get(key);
      if (!had || cand.filled > had.filled || (cand.filled === had.filled && cand.line > had.line)) entries.set(key, cand);
    }
  const rows = [...parent.rows.filter((r) => !hasEntryId(r)), ...[...entries.keys()].sort(codePoint).map((k) => entries.get(k)!.row)];
  return { parentId: parent.id, mergedFrom: ordered.slice(1).map((h) => h.id), rows, columns };
}
