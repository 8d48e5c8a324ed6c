import type { DatasetMeta, TrainParams } from '@shared/schema/records.js';
import { projectPersonal, refusePersonalFeatures } from '@shared/data/privacy.js';
import type { OutpostDb } from '../db/db.js';

/**
 * Refuse training that would learn from a column marked personal: on the dataset trained on, or
 * on any dataset of its project (the prediction log reads marks the same way, projectPersonal in
 * shared/src/data/privacy.ts). Throws the OutpostError `personal_column` naming the columns.
 */
export async function refusePersonalTraining(db: OutpostDb, dataset: DatasetMeta, params: Pick<TrainParams, 'features'>): Promise<void> {
  const all = await db.datasets.where('projectId').equals(dataset.projectId).toArray();
  refusePersonalFeatures(params.features, projectPersonal([...all, dataset]));
}
