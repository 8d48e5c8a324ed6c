import type { Study, Trial } from '@shared/study/study.js';
import type { OutpostDb } from './db.js';
import { patchRecord } from './mutate.js';
import { SaidError } from '../said-error.js';

/** A project's hyperparameter searches, newest first (deleted ones, from here or elsewhere, left out). */
export async function projectStudies(db: OutpostDb, projectId: string): Promise<Study[]> {
  return (await db.studies.where('projectId').equals(projectId).reverse().sortBy('createdAt')).filter((s) => !s.deleted);
}

/** A study's recorded trials in number order. */
export async function studyTrials(db: OutpostDb, studyId: string): Promise<Trial[]> {
  return db.trials.where('[studyId+number]').between([studyId, -Infinity], [studyId, Infinity]).toArray();
}

/**
 * Delete a search (a tombstone that syncs). Its trials stay as the append-only log they are, and
 * its runs stay in the run list, where each can be deleted on its own. A search running on this
 * device is refused: stop it first.
 */
export async function deleteStudy(db: OutpostDb, studyId: string, runningHere: string | null): Promise<void> {
  if (runningHere === studyId) throw new SaidError('conflict', { key: 'error.searchDeleteRunning' });
  await patchRecord(db, 'studies', studyId, { deleted: true });
}
