import type { Prediction } from '../../../../shared/src/schema/records.js';
import type { OutpostDb } from './db.js';
import { putRecords } from './mutate.js';

/** Every prediction is logged (and queued for sync) in the same step that shows it. */
export async function logPredictions(db: OutpostDb, predictions: Prediction[]): Promise<void> {
  await putRecords(db, 'predictions', predictions);
}

export async function countPredictions(db: OutpostDb, projectId: string): Promise<number> {
  return db.predictions.where('projectId').equals(projectId).count();
}

export async function recentPredictions(db: OutpostDb, projectId: string, limit = 20): Promise<Prediction[]> {
  const all = await db.predictions.where('projectId').equals(projectId).reverse().sortBy('createdAt');
  return all.slice(0, limit);
}
