import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { sha256Hex } from '@shared/data/hash.js';
import { inferColumns } from '@shared/data/columns.js';
import { saltedHash } from '@shared/data/privacy.js';
import { dayOf } from '@shared/monitor/summary.js';
import type { DatasetMeta, ModelVersion, Prediction } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { saveLocalBlob } from '../db/blobs.js';
import { newId, patchRecord, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { trainModel } from '../ml/train.js';
import { inProcessWorker } from '../ml/in-process-worker.js';
import { loadSample, sampleParams } from '../ml/test-data.js';
import { predictAndLog } from './predict.js';

// A model really trained on the iris sample with a "village" column, before anyone marked columns
// personal; then a dataset of the project marks one of its inputs `never`, another `hash`, and the
// fairness monitor's attribute `hash`. Predicting through the real worker on Dexie over
// fake-indexeddb, the log, its sync queue and its day counts must hold none of those raw values.
const iris = loadSample('iris');
const VILLAGES = ['Kano', 'Zaria', 'Kaduna'];
const CLINICS = ['Clinic Alpha', 'Clinic Beta'];
const T0 = Date.UTC(2026, 5, 1);
type Row = Record<string, string | number | null>;
const rows: Row[] = iris.rows.map((r, i) => ({ ...r, village: VILLAGES[i % 3] }));
const db = new OutpostDb(`personal-log-${newId()}`);
let projectId: string;
let mv: ModelVersion;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const worker = await inProcessWorker(() => import('../ml/predict.worker.js'));
  tf.removeBackend('wasm');
  vi.stubGlobal('Worker', function () {
    return worker.create();
  });
  projectId = (await createProject(db, 'Flowers', T0)).id;
  await patchRecord(db, 'projects', projectId, { fairness: { attribute: 'clinic', privileged: CLINICS[0], favourable: 'setosa' } }, T0);
  const names = [...iris.names, 'village'];
  const columns = inferColumns(rows, names);
  const r = await trainModel(rows, sampleParams({ ...iris, names, columns }, 'classification', 'species', { epochs: 2, seed: 1 }), columns);
  const hash = await sha256Hex(r.weights);
  await saveLocalBlob(db, hash, r.weights.slice(0));
  mv = await putRecord(
    db,
    'model_versions',
    {
      id: newId(),
      projectId,
      modelName: 'iris',
      version: 1,
      task: 'classification',
      pipeline: r.pipeline,
      artifacts: r.artifacts,
      weightsHash: hash,
      weightsSize: r.weights.byteLength,
      stage: 'production',
      schemaVersion: 1,
      appVersion: 'test',
      createdAt: T0,
    } satisfies ModelVersion,
    T0,
  );
  // Marked afterwards, on a dataset of the project that is not the one the model learnt from.
  const marked: DatasetMeta = {
    id: newId(),
    projectId,
    name: 'visits',
    fileName: 'visits.csv',
    hash: '0'.repeat(64),
    rowCount: 0,
    columns: [],
    createdAt: T0,
    personal: { 'sepal length (cm)': 'never', village: 'hash', clinic: 'hash' },
  };
  await putRecord(db, 'datasets', marked, T0);
}, 60_000);
afterAll(() => {
  vi.unstubAllGlobals();
  db.close();
});

describe('the prediction log and personal columns', () => {
  it('holds no raw personal value: never is null, hash is the project salt’s hash, in the log, the sync queue and the day counts', async () => {
    const cases: Row[] = rows.slice(0, 6).map((r, i) => ({ ...r, clinic: CLINICS[i % 2], phone: `+23480312345${i}` }));
    const out = await predictAndLog(db, mv, cases, 'batch', { monitored: ['clinic'] });
    expect(out).toHaveLength(6);
    const salt = (await db.projects.get(projectId))!.rowSalt!;
    expect(salt).toMatch(/^[0-9a-f]{32}$/);

    const logged = (await db.predictions.bulkGet(out.map((o) => o.predictionId))) as Prediction[];
    const queued = (
      await db.outbox
        .where('[table+id]')
        .anyOf(out.map((o) => ['predictions', o.predictionId]))
        .toArray()
    ).map((r) => r.fields as Prediction);
    expect(queued).toHaveLength(6);
    for (const [i, p] of logged.entries()) {
      for (const q of [p, queued.find((x) => x.id === p.id)!]) {
        expect(q.inputs['sepal length (cm)']).toBeNull();
        expect(q.inputs.village).toBe(await saltedHash(salt, cases[i].village!));
        expect(q.attributes).toEqual({ clinic: await saltedHash(salt, cases[i].clinic!) });
        expect(q.inputs['petal width (cm)']).toBe(cases[i]['petal width (cm)']);
      }
    }
    const everything = JSON.stringify([logged, queued, await db.monitorDays.toArray()]);
    for (const raw of [...VILLAGES, ...CLINICS, ...cases.map((c) => String(c.phone))]) expect(everything).not.toContain(raw);
    for (const c of cases) expect(everything).not.toContain(`"sepal length (cm)":"${c['sepal length (cm)']}"`);

    // Fairness groups still compare: one group per clinic, named by its code.
    const day = (await db.monitorDays.get([mv.id, dayOf(logged[0].createdAt)]))!;
    expect(Object.keys(day.summary.groupPredictions).sort()).toEqual((await Promise.all(CLINICS.map((c) => saltedHash(salt, c)))).sort());
  });
});
