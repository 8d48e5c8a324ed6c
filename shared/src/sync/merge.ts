import type { SyncTable } from './protocol.js';

/** A mutable record as the server holds it: its data, and the clock stamp of every field. */
export interface FieldState {
  data: Record<string, unknown>;
  hlc: Record<string, string>;
}

/** Whether last-writer-wins may change `field` of `table`: a model version's stage moves only by compare-and-set. */
export function isMergedField(table: SyncTable, field: string): boolean {
  return !(table === 'model_versions' && field === 'stage');
}

/**
 * The per-field merge of mutable records (docs/sync.md), the one rule the server applies to a
 * pushed change and a device applies ahead of time to its pending edits (rebase):
 *  - newest stamp wins per field: a field takes a change's value only if the change's stamp is
 *    greater than the stamp held for that field (stamps sort as strings, see hlc.ts);
 *  - a tombstone stays: `deleted: true` wins whatever its stamp, and once set is never cleared;
 *    the field's stamp still advances to the newest seen, so the result is the same in any order;
 *  - a model version's `stage` is never merged (it moves only by compare-and-set, stages.ts); a
 *    version new to the server starts in `none`.
 * For changes with distinct stamps the result is independent of arrival order (commutative) and
 * applying a change twice changes nothing (idempotent): a state-based LWW-register map with a
 * grow-only tombstone (Shapiro et al., "A comprehensive study of CRDTs", 2011).
 * `current` is undefined for a record the server does not hold yet.
 */
export function mergeChange(
  table: SyncTable,
  current: FieldState | undefined,
  hlc: string,
  fields: Record<string, unknown>,
): { state: FieldState; changed: boolean } {
  const data = { ...(current?.data ?? {}) };
  const stamps = { ...(current?.hlc ?? {}) };
  let changed = false;
  for (const [field, value] of Object.entries(fields)) {
    if (!isMergedField(table, field)) continue;
    const newer = !stamps[field] || stamps[field] < hlc;
    if (field === 'deleted') {
      const tombstone = data.deleted === true || value === true;
      if (tombstone && data.deleted !== true) {
        data.deleted = true;
        changed = true;
      } else if (!tombstone && newer) {
        data.deleted = value;
        changed = true;
      }
      if (newer) {
        stamps.deleted = hlc;
        changed = true;
      }
      continue;
    }
    if (!newer) continue;
    data[field] = value;
    stamps[field] = hlc;
    changed = true;
  }
  if (!current && table === 'model_versions') {
    data.stage = 'none';
    stamps.stage = hlc;
    changed = true;
  }
  return { state: { data, hlc: stamps }, changed };
}
