import type { OutpostDb } from '../db/db.js';
import { failInterruptedRuns } from '../db/runs.js';
import { putRecord } from '../db/mutate.js';
import { INTERRUPTED_RUN } from '../i18n/run-words.js';
import { deleteCheckpoint, dropStaleCheckpoints, resumableRuns } from './checkpoint.js';
import { runsTrainingNow } from './run-lock.js';

/**
 * What the app does with runs cut off when it opens: a run with a checkpoint (not a search's
 * trial, which its search asks again) stays `running` and is offered to carry on; every other
 * cut-off run is marked failed as before; checkpoints left by finished or deleted runs are
 * removed; a run another tab is training now is left alone. Returns the ids of the runs offered.
 */
export async function holdInterruptedRuns(db: OutpostDb, now = Date.now()): Promise<Set<string>> {
  const keep = new Set((await resumableRuns(db)).map((r) => r.run.id));
  // A run another tab is training right now is alive, not cut off (run-lock.ts).
  const alive = await runsTrainingNow();
  await failInterruptedRuns(db, now, new Set([...keep, ...alive]));
  await dropStaleCheckpoints(db);
  for (const id of alive) keep.delete(id);
  return keep;
}

/** "Discard": the run is marked failed as an interrupted one and its checkpoint removed. */
export async function discardInterrupted(db: OutpostDb, runId: string, now = Date.now()): Promise<void> {
  const run = await db.runs.get(runId);
  if (run && run.status === 'running') await putRecord(db, 'runs', { ...run, status: 'failed', error: INTERRUPTED_RUN, finishedAt: now });
  await deleteCheckpoint(db, runId);
}
