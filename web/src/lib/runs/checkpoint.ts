import type { Run } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { TrainCheckpointSchema, type TrainCheckpoint } from '../ml/protocol.js';

/**
 * A run's last saved epoch, kept in `kv` (one per run, not synced: it is this device's work in
 * progress) so that a training cut off by the page closing or the phone sleeping can carry on
 * from it. It is removed when the run finishes, fails, is discarded or is deleted.
 */
export interface StoredCheckpoint extends TrainCheckpoint {
  runId: string;
  at: number;
}

export const checkpointKey = (runId: string) => `checkpoint.${runId}`;

export async function saveCheckpoint(db: OutpostDb, runId: string, c: TrainCheckpoint, at = Date.now()): Promise<void> {
  await db.kv.put({ key: checkpointKey(runId), value: { ...c, runId, at } satisfies StoredCheckpoint });
}

/** The run's checkpoint, parsed (a row from an older release, or half-written, reads as none). */
export async function getCheckpoint(db: OutpostDb, runId: string): Promise<StoredCheckpoint | undefined> {
  const value = (await db.kv.get(checkpointKey(runId)))?.value as Partial<StoredCheckpoint> | undefined;
  const parsed = TrainCheckpointSchema.safeParse(value);
  if (!parsed.success || typeof value?.at !== 'number') return undefined;
  return { ...parsed.data, runId, at: value.at };
}

export async function deleteCheckpoint(db: OutpostDb, runId: string): Promise<void> {
  await db.kv.delete(checkpointKey(runId));
}

/**
 * Runs left `running` by a training cut off on this device that can carry on: each has a
 * checkpoint. A search's trial is left to the search, which asks the trial again itself.
 */
export async function resumableRuns(db: OutpostDb): Promise<{ run: Run; checkpoint: StoredCheckpoint }[]> {
  const running = await db.runs.filter((r) => r.status === 'running' && !r.deleted && !r.search).toArray();
  const found = await Promise.all(running.map(async (run) => ({ run, checkpoint: await getCheckpoint(db, run.id) })));
  return found.filter((f): f is { run: Run; checkpoint: StoredCheckpoint } => f.checkpoint !== undefined);
}

/** Checkpoints whose run is gone, finished elsewhere, or never started here: removed (space is scarce on a phone). */
export async function dropStaleCheckpoints(db: OutpostDb): Promise<number> {
  const keys = (await db.kv.where('key').startsWith('checkpoint.').primaryKeys()) as string[];
  let dropped = 0;
  for (const key of keys) {
    const run = await db.runs.get(key.slice('checkpoint.'.length));
    if (run && run.status === 'running' && !run.deleted && !run.search) continue;
    await db.kv.delete(key);
    dropped++;
  }
  return dropped;
}
