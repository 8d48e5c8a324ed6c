import type { Row } from '../data/columns.js';
import { canonicalCell, canonicalColumns } from '../data/versions.js';
import { sha256Hex } from '../data/hash.js';

/** The column a row made by a collection form carries its entry id in (one entry, one item). */
export const ENTRY_COLUMN = 'entry_id';

export interface ItemKeyOptions {
  /** The column being labelled: never part of a row's key, so labelling it keeps the key. */
  column: string;
  /** A photo dataset's column of image hashes: a photo is its image, whatever its row says. */
  imageColumn?: string;
  /** Personal columns: left out of the key, because other devices hold them hashed or not at all. */
  personal?: readonly string[];
}

/**
 * The stable name of the item a row is, the same on every device and in every version that keeps
 * the row's values (docs/labels.md), in this order:
 * - `image:<sha256>` for a photo (its blob's content address);
 * - `entry:<id>` for a row with an entry id (`ENTRY_COLUMN`);
 * - `row:<h>`, h the first 40 hex digits of the SHA-256 (FIPS 180-4) of the JSON array of
 *   [column, value] pairs of the row's present cells, columns in code-point order, leaving out the
 *   labelled column and personal columns, values as canonicalCell gives them (numbers in their
 *   shortest form, text exactly). A missing cell is left out, so a column added later with no
 *   values keeps every key; a changed value or a removed column with values makes a new item.
 * Two rows with the same values are one item (they get the same label).
 */
export async function itemKey(row: Row, opts: ItemKeyOptions): Promise<string> {
  if (opts.imageColumn) {
    const image = canonicalCell(row[opts.imageColumn]);
    if (typeof image === 'string' && image) return `image:${image.slice(0, 128)}`;
  }
  const entry = canonicalCell(row[ENTRY_COLUMN]);
  if (entry !== null && String(entry).trim()) return `entry:${String(entry).trim().slice(0, 128)}`;
  const skip = new Set([opts.column, ...(opts.personal ?? [])]);
  const pairs: [string, string | number][] = [];
  for (const c of canonicalColumns(Object.keys(row))) {
    if (skip.has(c)) continue;
    const v = canonicalCell(row[c]);
    if (v !== null) pairs.push([c, v]);
  }
  const hash = await sha256Hex(new TextEncoder().encode(JSON.stringify(pairs)));
  return `row:${hash.slice(0, 40)}`;
}

/**
 * Every row's item key, in row order. Digests are asked for a thousand at a time rather than one
 * after another: Web Crypto answers each on its own task, so waiting on them in turn costs a task
 * switch per row.
 */
export async function itemKeys(rows: readonly Row[], opts: ItemKeyOptions): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += 1000) out.push(...(await Promise.all(rows.slice(i, i + 1000).map((r) => itemKey(r, opts)))));
  return out;
}
