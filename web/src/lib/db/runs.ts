import type { Run } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';
import { putRecord } from './mutate.js';

export async function saveRun(db: OutpostDb, run: Run): Promise<Run> {
  return putRecord(db, 'runs', run);
}

/** A project's training runs, newest first. */
export async function projectRuns(db: OutpostDb, projectId: string): Promise<Run[]> {
  // Deleted runs (tombstones, from here or another device) are not listed.
  return (await db.runs.where('projectId').equals(projectId).reverse().sortBy('startedAt')).filter((r) => !r.deleted);
}

/**
 * A run still marked "running" when the app starts was cut off (page closed, phone restarted):
 * mark it failed so nobody waits for it.
 */
export async function failInterruptedRuns(db: OutpostDb, now = Date.now()): Promise<number> {
  const stale = await db.runs
    .where('startedAt')
    .below(now)
    .filter((r) => r.status === 'running')
    .toArray();
  for (const r of stale) {
    await putRecord(db, 'runs', { ...r, status: 'failed', error: 'Interrupted: the app was closed while training.', finishedAt: now });
  }
  return stale.length;
}
