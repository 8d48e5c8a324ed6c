import Dexie from 'dexie';
import type { Prediction } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';
import { putRecords } from './mutate.js';

/** Every prediction is logged (and queued for sync) in the same step that shows it. */
export async function logPredictions(db: OutpostDb, predictions: Prediction[]): Promise<void> {
  await putRecords(db, 'predictions', predictions);
}

export async function countPredictions(db: OutpostDb, projectId: string): Promise<number> {
  return db.predictions.where('projectId').equals(projectId).count();
}

/** The newest `limit` predictions of a project, read from the index (the log can be large). */
export async function recentPredictions(db: OutpostDb, projectId: string, limit = 20): Promise<Prediction[]> {
  return db.predictions.where('[projectId+createdAt]').between([projectId, Dexie.minKey], [projectId, Dexie.maxKey]).reverse().limit(limit).toArray();
}
