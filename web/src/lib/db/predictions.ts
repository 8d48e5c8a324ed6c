import Dexie from 'dexie';
import type { Prediction } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';

// Predictions are logged with their monitor counts by logPredictions in monitoring.ts.

export async function countPredictions(db: OutpostDb, projectId: string): Promise<number> {
  return db.predictions.where('projectId').equals(projectId).count();
}

/** The newest `limit` predictions of a project, read from the index (the log can be large). */
export async function recentPredictions(db: OutpostDb, projectId: string, limit = 20): Promise<Prediction[]> {
  return db.predictions.where('[projectId+createdAt]').between([projectId, Dexie.minKey], [projectId, Dexie.maxKey]).reverse().limit(limit).toArray();
}
