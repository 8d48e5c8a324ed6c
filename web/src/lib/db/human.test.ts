import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { sha256Hex } from '@shared/data/hash.js';
import { outputText, shownFirstFor, studyResults } from '@shared/metrics/human.js';
import type { ModelVersion } from '@shared/schema/records.js';
import { OutpostDb } from './db.js';
import { saveLocalBlob } from './blobs.js';
import { importDataset } from './datasets.js';
import { newId, putRecord } from './mutate.js';
import {
  caseAsShown,
  compareVersions,
  createStudy,
  listRows,
  measureHumanBaseline,
  projectStudies,
  rateItem,
  ratedBy,
  saveHumanBaseline,
  studyRatings,
} from './human.js';
import { trainModel } from '../ml/train.js';
import { inProcessWorker } from '../ml/in-process-worker.js';
import { createPredictor } from '../ml/client.js';
import { loadSample, sampleParams } from '../ml/test-data.js';

// Two small models really trained on the iris sample, compared through the real prediction worker
// (in this thread: Node has no Web Workers), and the device database they live in.
let worker: Awaited<ReturnType<typeof inProcessWorker>>;
const iris = loadSample('iris');
const T0 = Date.UTC(2026, 5, 1);

async function registered(db: OutpostDb, epochs: number, version: number): Promise<ModelVersion> {
  const r = await trainModel(iris.rows, sampleParams(iris, 'classification', 'species', { epochs, seed: version }), iris.columns);
  const hash = await sha256Hex(r.weights);
  await saveLocalBlob(db, hash, r.weights.slice(0));
  const mv: ModelVersion = {
    id: newId(),
    projectId: 'p1',
    modelName: 'iris',
    version,
    task: 'classification',
    pipeline: r.pipeline,
    artifacts: r.artifacts,
    weightsHash: hash,
    weightsSize: r.weights.byteLength,
    stage: 'none',
    schemaVersion: 1,
    appVersion: 'test',
    createdAt: T0 + version,
  };
  return putRecord(db, 'model_versions', mv, T0);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  worker = await inProcessWorker(() => import('../ml/predict.worker.js'));
});

describe('the device database upgrade', () => {
  it('opens a version 4 database, keeps its records and outbox, and adds the rating tables', async () => {
    const name = `human-upgrade-${newId()}`;
    const v4 = new Dexie(name);
    v4.version(4).stores({
      projects: 'id, createdAt',
      datasets: 'id, projectId, createdAt',
      datasetRows: '[datasetId+chunk], datasetId',
      runs: 'id, projectId, datasetId, startedAt',
      model_versions: 'id, projectId, [projectId+modelName], stage, createdAt, runId',
      predictions: 'id, projectId, modelVersionId, createdAt, [projectId+createdAt], [modelVersionId+createdAt]',
      blobState: 'hash, [upload+state]',
      blobBytes: 'hash',
      outbox: '++seq, [table+id]',
      kv: 'key',
      outcomes: 'id, predictionId, projectId, [projectId+recordedAt]',
      monitorDays: '[modelVersionId+day], projectId, dirty',
      registry_events: 'id, modelVersionId, projectId, at',
      proposals: 'id, modelVersionId, projectId, status',
      model_aliases: 'id, projectId, modelVersionId',
    });
    await v4.table('projects').add({ id: 'p1', name: 'Clinic', description: '', createdAt: 1 });
    await v4.table('outbox').add({ table: 'projects', id: 'p1', hlc: '000000000000001-0000-dev', fields: { id: 'p1' } });
    await v4.table('outcomes').add({ id: 'o1', projectId: 'p1', predictionId: 'x', value: 'yes', source: 'log', recordedAt: 2 });
    v4.close();

    const db = new OutpostDb(name);
    expect(db.verno).toBe(10);
    expect((await db.projects.get('p1'))?.name).toBe('Clinic');
    expect(await db.outbox.count()).toBe(1);
    expect((await db.outcomes.get('o1'))?.value).toBe('yes');
    const study = {
      id: 's1',
      projectId: 'p1',
      name: 'v1 or v2',
      versionA: 'a',
      versionB: 'b',
      seed: 3,
      items: [{ inputs: { x: 1 }, a: 'yes', b: 'no' }],
      compared: 1,
      disagreements: 1,
      createdAt: 5,
    };
    await putRecord(db, 'rating_studies', study, T0);
    await rateItem(db, study, 0, 'ann', 'same', T0);
    expect((await projectStudies(db, 'p1')).map((s) => s.id)).toEqual(['s1']);
    expect(await ratedBy(db, 's1', 'ann')).toEqual(new Set([0]));
    expect(await db.outbox.count()).toBe(3);
    db.close();
  });
});

describe('two versions side by side, and a blind study of them', () => {
  const db = new OutpostDb(`human-compare-${newId()}`);
  let a: ModelVersion;
  let b: ModelVersion;
  let datasetId: string;
  beforeAll(async () => {
    // One barely trained, one trained longer: they disagree on some flowers.
    a = await registered(db, 1, 1);
    b = await registered(db, 30, 2);
    datasetId = (
      await importDataset(db, { projectId: 'p1', name: 'iris', fileName: 'iris.csv', hash: 'f'.repeat(64), rows: iris.rows, columns: iris.columns }, T0)
    ).id;
  }, 60_000);
  afterAll(() => db.close());

  it('both versions answer every row; the disagreements come first, with each version’s accuracy on the known species', async () => {
    const progress: number[] = [];
    const vc = await compareVersions(db, a, b, datasetId, { createWorker: worker.create, backend: 'cpu', onProgress: (f) => progress.push(f) });
    expect(vc.a).toHaveLength(iris.rows.length);
    expect(progress.at(-1)).toBe(1);
    // The same answers as each model gives on its own.
    const direct = await createPredictor(b, (await db.blobBytes.get(b.weightsHash))!.bytes, { createWorker: worker.create, backend: 'cpu' });
    expect((await direct.predict(iris.rows.slice(0, 20))).outputs).toEqual(vc.b.slice(0, 20));
    direct.dispose();
    const c = vc.comparison;
    const differing = vc.a.filter((o, i) => o.label !== vc.b[i].label).length;
    expect(differing).toBeGreaterThan(0);
    expect(c.n - c.agreed).toBe(differing);
    expect(c.rows.slice(0, differing).every((r) => r.differ)).toBe(true);
    expect(vc.truthColumn).toBe('species');
    const right = (outs: typeof vc.a) => outs.filter((o, i) => o.label === iris.rows[i].species).length / iris.rows.length;
    expect(c.scoreA).toEqual({ n: iris.rows.length, value: right(vc.a) });
    expect(c.scoreB).toEqual({ n: iris.rows.length, value: right(vc.b) });

    // A study of them: the disagreements first, both answers as text, synced as one record.
    const study = await createStudy(db, vc, '', T0, 42);
    expect(study.items).toHaveLength(iris.rows.length);
    expect(study.disagreements).toBe(differing);
    const texts = new Set(vc.a.map((o, i) => `${outputText('classification', o)}|${outputText('classification', vc.b[i])}`));
    expect(study.items.every((it) => texts.has(`${it.a}|${it.b}`))).toBe(true);
    expect(study.items.slice(0, differing).every((it) => it.a.split(' (')[0] !== it.b.split(' (')[0])).toBe(true);
    expect(Object.keys(study.items[0].inputs).sort()).toEqual(a.pipeline.features.map((f) => f.name).sort());
    expect(await db.outbox.where('[table+id]').equals(['rating_studies', study.id]).count()).toBe(1);

    // Pressing the answer shown first stores the version whose answer that was.
    for (const rater of ['ann', 'bob', 'cy']) {
      for (let i = 0; i < 12; i++) {
        const shown = caseAsShown(study, i, rater);
        const first = shownFirstFor(42, i, rater);
        expect(shown.first).toBe(first === 'a' ? study.items[i].a : study.items[i].b);
        const r = await rateItem(db, study, i, rater, 'first', T0 + i);
        expect(r.preferred).toBe(first);
        expect(r.shownFirst).toBe(first);
      }
    }
    const results = studyResults(study, await studyRatings(db, study.id));
    expect(results).toMatchObject({ ratedItems: 12, raters: 3, ratings: 36 });
    expect(results.agreement.kind === 'fleiss' || (results.agreement.kind === 'none' && results.agreement.reason === 'undefined')).toBe(true);
    await expect(rateItem(db, study, study.items.length, 'ann', 'first')).rejects.toThrow(/not in this study/);
  }, 60_000);

  it('a person’s decisions on a sample score like the test split, beside the model on the same cases, and stay on the version', async () => {
    // A nurse's answers for 40 flowers: right on all but every fourth, where they say the first species.
    const rows = iris.rows.slice(50, 90).map((r, i) => ({ ...r, nurse_said: i % 4 === 0 ? 'setosa' : r.species }));
    const baseline = await measureHumanBaseline(
      db,
      { version: b, rows, targetColumn: 'species', decisionColumn: 'nurse_said', fileName: 'nurse.csv' },
      { createWorker: worker.create, backend: 'cpu' },
      T0,
    );
    expect(baseline).toMatchObject({ rows: 40, skipped: 0, decisionColumn: 'nurse_said', targetColumn: 'species', fileName: 'nurse.csv' });
    expect(baseline.metrics).toMatchObject({ task: 'classification', accuracy: 0.75, n: 40 });
    expect(baseline.model?.n).toBe(40);
    await saveHumanBaseline(db, b.id, baseline, T0);
    expect((await db.model_versions.get(b.id))?.humanBaseline?.metrics).toEqual(baseline.metrics);
    const queued = await db.outbox.where('[table+id]').equals(['model_versions', b.id]).toArray();
    expect(queued.at(-1)?.fields).toEqual({ humanBaseline: baseline });

    // Typed as a list instead: no model inputs, so no model figures.
    const typed = listRows('setosa, setosa\nversicolor; virginica\n\nvirginica\tvirginica\nsetosa');
    const fromList = await measureHumanBaseline(db, { version: b, rows: typed, targetColumn: 'result', decisionColumn: 'decision' }, {}, T0);
    expect(fromList).toMatchObject({ rows: 3, skipped: 1 });
    expect(fromList.model).toBeUndefined();
    expect(fromList.metrics).toMatchObject({ accuracy: 2 / 3 });
  }, 60_000);
});
