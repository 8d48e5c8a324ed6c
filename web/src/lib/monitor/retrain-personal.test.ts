import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { inferColumns } from '@shared/data/columns.js';
import { binaryModel, modelVersionOf } from '@shared/monitor/model.testing.js';
import type { ModelVersion, Run } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { importDataset } from '../db/datasets.js';
import { completedRun, loggedPrediction } from '../db/fixtures.testing.js';
import { newId, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { logPredictions, recordOutcomes } from '../db/monitoring.js';
import { makeRetrainDataset } from './retrain.js';

// A retrain copies the training rows, personal columns as they were typed: the new dataset keeps
// the project's marks, so it neither syncs them nor offers them to learn from.
const T0 = Date.UTC(2026, 5, 1);

describe('a retrain dataset and personal columns', () => {
  it('keeps the project’s marks on the columns it has', async () => {
    const db = new OutpostDb(`retrain-personal-${newId()}`);
    const projectId = (await createProject(db, 'Clinic', T0)).id;
    const rows = Array.from({ length: 6 }, (_, i) => ({
      size: i,
      clinic: i % 2 ? 'north' : 'south',
      phone: `+23480312345${i}`,
      label: i % 2 ? 'benign' : 'malignant',
    }));
    const names = ['size', 'clinic', 'phone', 'label'];
    const trained = await importDataset(
      db,
      {
        projectId,
        name: 'visits',
        fileName: 'v.csv',
        hash: '1'.repeat(64),
        rows,
        columns: inferColumns(rows, names),
        target: 'label',
        personal: { phone: 'never' },
      },
      T0,
    );
    // Another dataset of the project marks "clinic".
    await importDataset(
      db,
      {
        projectId,
        name: 'other',
        fileName: 'o.csv',
        hash: '2'.repeat(64),
        rows: [{ clinic: 'x' }],
        columns: inferColumns([{ clinic: 'x' }], ['clinic']),
        personal: { clinic: 'hash' },
      },
      T0,
    );
    const run: Run = { ...completedRun(projectId), datasetId: trained.id, datasetVersionId: trained.versionId };
    await putRecord(db, 'runs', run, T0);
    const mv: ModelVersion = { ...modelVersionOf(binaryModel, { createdAt: T0 }), projectId, runId: run.id };
    await putRecord(db, 'model_versions', mv, T0);
    const p = loggedPrediction({
      projectId,
      modelVersionId: mv.id,
      inputs: { size: 3 },
      output: { label: 'benign', probabilities: { benign: 0.8, malignant: 0.2 } },
      createdAt: T0,
    });
    await logPredictions(db, mv, [p]);
    await recordOutcomes(db, projectId, [{ predictionId: p.id, value: 'benign', source: 'log' }], T0 + 1);

    const { dataset, fromTraining, fromField } = await makeRetrainDataset(db, mv, T0 + 2);
    expect([fromTraining, fromField]).toEqual([6, 1]);
    expect(dataset.personal).toEqual({ phone: 'never', clinic: 'hash' });
  });
});
