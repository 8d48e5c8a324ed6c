import { SYNC_TABLES, type PulledRecord } from '@shared/sync/protocol.js';
import type { OutboxRow } from '../db/db.js';

/**
 * What this device should show for a pulled record while some of its own changes to that record
 * are still waiting to be pushed: the server's data, with each pending field laid on top only if
 * the server will accept it when it arrives. That is the server's merge rule (server/src/store/
 * sync.ts, `mergeLww`) applied ahead of time:
 *  - a field is replaced only by a stamp greater than the one the server holds for it;
 *  - a tombstone (`deleted: true`) is never cleared;
 *  - a model version's `stage` never moves by last-writer-wins (stage changes are server
 *    compare-and-set commands, so the device shows the server's stage until its move is applied).
 * Laying an older edit on top would show a value the server is going to ignore; since an ignored
 * change does not move the record's server sequence, the device would never pull the right value
 * again and would stay diverged.
 */
export function rebase(rec: PulledRecord, pending: readonly OutboxRow[]): Record<string, unknown> {
  const data: Record<string, unknown> = { ...rec.data };
  if (SYNC_TABLES[rec.table].policy !== 'lww') return data;
  const stamps: Record<string, string> = { ...rec.hlc };
  const inOrder = [...pending].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  for (const p of inOrder) {
    for (const [field, value] of Object.entries(p.fields)) {
      if (rec.table === 'model_versions' && field === 'stage') continue;
      if (stamps[field] && stamps[field] >= p.hlc) continue;
      if (field === 'deleted' && data.deleted === true && value !== true) continue;
      data[field] = value;
      stamps[field] = p.hlc;
    }
  }
  return data;
}
