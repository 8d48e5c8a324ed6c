import type { DatasetMeta, Run, TrainParams } from '@shared/schema/records.js';
import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import { APP_VERSION } from '../../app/config.js';
import { newId } from '../db/mutate.js';
import { thisDevice } from './device.js';

/**
 * A run as it is first recorded, before training starts (so a crash leaves a trace): the dataset
 * and the exact version trained on, the data tests it was trained despite, the settings (a plain
 * copy, not a screen's reactive object), the app version and the device. Tabular and photo
 * training both start from it, so every run records the same things.
 */
export function startedRun(dataset: DatasetMeta, version: DatasetVersion | undefined, failed: string[], params: TrainParams, now = Date.now()): Run {
  return {
    id: newId(),
    projectId: dataset.projectId,
    datasetId: dataset.id,
    datasetHash: version?.hash ?? dataset.hash,
    ...(version ? { datasetVersionId: version.id } : {}),
    ...(failed.length ? { checksOverride: { failed, at: now } } : {}),
    status: 'running',
    params,
    epochs: [],
    backend: 'pending',
    appVersion: APP_VERSION,
    startedAt: now,
    device: thisDevice(),
  };
}
