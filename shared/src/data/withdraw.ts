import type { DatasetVersion } from '../schema/dataset-version.js';
import type { PersonalChoice } from './privacy.js';

/**
 * The columns whose values a version's shared rows file holds in a form the dataset's personal
 * marks now forbid: a column marked `never` that the file did not leave out, or a column marked
 * `hash` that the file neither left out nor hashed. A column the version does not have cannot
 * break a mark. Empty when the file follows every mark (or the version has no file). This is how
 * the server decides which rows files to withdraw when a person marks a column personal after its
 * rows were sent (docs/datasets.md, "Marking a column personal later").
 */
export function columnsBreakingMarks(personal: Record<string, PersonalChoice> | undefined, v: Pick<DatasetVersion, 'columns' | 'rows'>): string[] {
  if (!v.rows || !personal) return [];
  const present = new Set(v.columns.map((c) => c.name));
  const out: string[] = [];
  for (const [column, choice] of Object.entries(personal)) {
    if (!present.has(column) || v.rows.removed.includes(column)) continue;
    if (choice === 'never' || !v.rows.hashed.includes(column)) out.push(column);
  }
  return out.sort();
}
