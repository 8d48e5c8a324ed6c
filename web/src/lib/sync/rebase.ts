import { mergeChange } from '@shared/sync/merge.js';
import { SYNC_TABLES, type PulledRecord } from '@shared/sync/protocol.js';
import type { OutboxRow } from '../db/db.js';

/**
 * What this device should show for a pulled record while some of its own changes to that record
 * are still waiting to be pushed: the server's data, with each pending change merged on top by
 * the server's own rule (`mergeChange`, shared/src/sync/merge.ts), in the order they were made.
 * So a pending field shows only where the server will accept it: its stamp is newer than the
 * server's for that field, a tombstone is never cleared, and a model version's `stage` stays the
 * server's until the device's stage move is applied there.
 * Laying an older edit on top would show a value the server is going to ignore; since an ignored
 * change does not move the record's server sequence, the device would never pull the right value
 * again and would stay diverged.
 */
export function rebase(rec: PulledRecord, pending: readonly OutboxRow[]): Record<string, unknown> {
  if (SYNC_TABLES[rec.table].policy !== 'lww') return { ...rec.data };
  const inOrder = [...pending].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  let state = { data: rec.data, hlc: rec.hlc };
  for (const p of inOrder) state = mergeChange(rec.table, state, p.hlc, p.fields).state;
  return state.data;
}
