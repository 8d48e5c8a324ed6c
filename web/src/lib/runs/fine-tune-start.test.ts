import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { sha256Hex } from '@shared/data/hash.js';
import { inferColumns } from '@shared/data/columns.js';
import type { DatasetMeta, Run } from '@shared/schema/records.js';
import { isOutpostError } from '@shared/errors.js';
import { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { createDataset } from '../db/dataset-versions.js';
import { registerModel, saveTrainedModel } from '../db/models.js';
import { trainModel } from '../ml/train.js';
import { loadSample, sampleParams } from '../ml/test-data.js';
import { saidOf } from '../said-error.js';
import { startFineTune } from './fine-tune.js';
import type { TrainingSession } from './training.svelte.js';

// From a registered version to the start of its fine-tune, on Dexie (fake-indexeddb) with a real
// trained network: what is handed to the training session, what is refused before anything is
// recorded, and the child's version naming its parent. The session is a .svelte.ts class vitest
// does not compile, so its `start` is recorded here instead (the training itself is
// ml/train-init.test.ts and the e2e test).
beforeAll(async () => {
  await tf.setBackend('cpu');
});
const iris = loadSample('iris');
type Started = Parameters<TrainingSession['start']>;

async function setUp() {
  const db = new OutpostDb(`fine-tune-${newId()}`);
  const project = await createProject(db, 'Flowers');
  const dataset = async (rows: Record<string, string>[], names = iris.names): Promise<DatasetMeta> => {
    const meta: DatasetMeta = {
      id: newId(),
      projectId: project.id,
      name: 'iris',
      fileName: 'iris.csv',
      hash: '0'.repeat(64),
      rowCount: rows.length,
      columns: inferColumns(rows, names),
      createdAt: 1,
    };
    await createDataset(db, meta, rows, meta.columns);
    return (await db.datasets.get(meta.id))!;
  };
  const first = await dataset(iris.rows);
  const params = sampleParams(iris, 'classification', 'species', { epochs: 2, hiddenLayers: [4] });
  const result = await trainModel(iris.rows, params, iris.columns);
  const run: Run = {
    id: newId(),
    projectId: project.id,
    datasetId: first.id,
    datasetHash: '0'.repeat(64),
    status: 'completed',
    params,
    epochs: result.epochs,
    metrics: result.metrics,
    pipeline: result.pipeline,
    backend: 'cpu',
    appVersion: 't',
    startedAt: 1,
  };
  await saveTrainedModel(
    db,
    run.id,
    { artifacts: result.artifacts, weightsHash: await sha256Hex(result.weights), weightsSize: result.weights.byteLength },
    result.weights,
  );
  await putRecord(db, 'runs', run);
  const parent = await registerModel(db, run, 'flowers', 't', false);
  const started: Started[] = [];
  const session = { start: async (...args: Started) => void started.push(args) } as unknown as TrainingSession;
  return { db, dataset, first, run, parent, result, started, session };
}

describe('starting a fine-tune', () => {
  it('hands the session the version’s weights and pipeline, the parent run’s settings with the chosen epochs, and the data version', async () => {
    const { db, dataset, run, parent, result, started, session } = await setUp();
    const newer = await dataset([...iris.rows, ...iris.rows.slice(0, 30)]);
    await startFineTune(db, session, parent, { datasetId: newer.id, epochs: 5, learningRate: 0.001 });
    expect(started).toHaveLength(1);
    const [ds, params, , override, options] = started[0];
    expect(ds.id).toBe(newer.id);
    expect(params).toEqual({ ...run.params, epochs: 5, learningRate: 0.001 });
    expect(override).toBe(false);
    expect(options?.versionId).toBe(newer.versionId);
    expect(options?.fineTune?.fromVersionId).toBe(parent.id);
    expect(options?.fineTune?.fromRunId).toBe(run.id);
    expect(options?.fineTune?.pipeline).toEqual(parent.pipeline);
    expect(Array.from(new Float32Array(options!.fineTune!.init.weights))).toEqual(Array.from(new Float32Array(result.weights)));
  });

  it('refuses data without a column the model reads, or with an answer it never learnt, before anything starts', async () => {
    const { db, dataset, parent, started, session } = await setUp();
    const names = iris.names.filter((n) => n !== 'petal width (cm)');
    const narrower = await dataset(
      iris.rows.map(({ 'petal width (cm)': _, ...rest }) => rest),
      names,
    );
    const missing = await startFineTune(db, session, parent, { datasetId: narrower.id, epochs: 2, learningRate: 0.01 }).catch((e: unknown) => e);
    expect(isOutpostError(missing) && missing.code).toBe('bad_request');
    expect(saidOf(missing)).toEqual({ key: 'fineTune.missingColumn', values: { column: 'petal width (cm)' } });
    const newAnswer = await dataset([...iris.rows, { ...iris.rows[0], species: 'hybrid' }]);
    const refused = await startFineTune(db, session, parent, { datasetId: newAnswer.id, epochs: 2, learningRate: 0.01 }).catch((e: unknown) => e);
    expect(saidOf(refused)).toEqual({ key: 'fineTune.newAnswer', values: { column: 'species', answer: 'hybrid' } });
    expect(started).toEqual([]);
  });

  it('the child run’s version names its parent', async () => {
    const { db, run, parent } = await setUp();
    const child: Run = { ...run, id: newId(), fineTune: { fromVersionId: parent.id, fromRunId: run.id } };
    const trained = (await db.kv.get(`run-model:${run.id}`))!.value;
    await db.kv.put({ key: `run-model:${child.id}`, value: trained });
    await putRecord(db, 'runs', child);
    const v = await registerModel(db, child, 'flowers', 't', false);
    expect(v.parentVersionId).toBe(parent.id);
    expect(v.version).toBe(2);
    expect(parent.parentVersionId).toBeUndefined();
  });
});
