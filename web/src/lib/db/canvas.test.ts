import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasField, filledBlocks } from '@shared/schema/canvas.js';
import { Project } from '@shared/schema/records.js';
import { createProject, getProject } from './projects.js';
import { canvasFigures, saveCanvasBlock } from './canvas.js';
import { importDataset } from './datasets.js';
import { putRecord } from './mutate.js';
import { updateProjectMonitoring } from './projects.js';
import { logPredictions } from './monitoring.js';
import { loggedPrediction } from './fixtures.testing.js';
import { inProcessServer, type InProcessServer } from '../sync/in-process.testing.js';
import type { HeadlessDevice } from '../sync/headless.js';
import type { ModelVersion } from '@shared/schema/records.js';

// The machine learning canvas: each block a synced field of the project, on two real devices
// syncing through the real server (PGlite in memory), and the figures it shows beside the words.
let srv: InProcessServer;
let a: HeadlessDevice;
let b: HeadlessDevice;

beforeAll(async () => {
  srv = await inProcessServer('Canvas');
  a = await srv.newDevice('clinic A');
  b = await srv.newDevice('clinic B');
}, 60_000);
afterAll(async () => {
  await a.close();
  await b.close();
  await srv.close();
});

describe('the canvas', () => {
  it('two people writing different blocks on two phones both keep their words; a later edit of the same block wins', async () => {
    const p = await createProject(a.db, 'Referrals');
    await a.syncUntilDone();
    await b.syncUntilDone();
    expect(await getProject(b.db, p.id)).toBeDefined();

    // Offline on both phones: different blocks.
    await saveCanvasBlock(a.db, p.id, 'predictionTask', '  Does the child need referral to the district hospital?  ');
    await saveCanvasBlock(b.db, p.id, 'decisions', 'Refer the same day; the nurse decides.');
    await a.syncUntilDone();
    await b.syncUntilDone();
    await a.syncUntilDone();
    for (const d of [a, b]) {
      const got = (await getProject(d.db, p.id))!;
      expect(got[canvasField('predictionTask')]).toBe('Does the child need referral to the district hospital?');
      expect(got[canvasField('decisions')]).toBe('Refer the same day; the nurse decides.');
      expect(filledBlocks(got)).toEqual(['predictionTask', 'decisions']);
      // The record as stored still parses as a project (the schema knows the ten fields).
      expect(Project.safeParse(got).success).toBe(true);
    }

    // The same block on both: the later write wins everywhere.
    await saveCanvasBlock(a.db, p.id, 'monitoring', 'Referrals a week', Date.now());
    await saveCanvasBlock(b.db, p.id, 'monitoring', 'Referrals a week, and missed cases', Date.now() + 5_000);
    await a.syncUntilDone();
    await b.syncUntilDone();
    await a.syncUntilDone();
    expect((await getProject(a.db, p.id))![canvasField('monitoring')]).toBe('Referrals a week, and missed cases');
    expect((await getProject(b.db, p.id))![canvasField('monitoring')]).toBe('Referrals a week, and missed cases');
  });

  it('refuses words past 4,000 characters with what to do, keeping what was saved', async () => {
    const p = await createProject(a.db, 'Long words');
    await saveCanvasBlock(a.db, p.id, 'features', 'Age and temperature');
    await expect(saveCanvasBlock(a.db, p.id, 'features', 'x'.repeat(4001))).rejects.toThrow(/up to 4,000 characters; it has 4001\. Shorten it/);
    expect((await getProject(a.db, p.id))![canvasField('features')]).toBe('Age and temperature');
  });

  it('shows the figures the project has: data, models, the version in use, answers and the KPIs its monitors count', async () => {
    const db = a.db;
    const p = await createProject(db, 'Figures');
    expect(await canvasFigures(db, p.id)).toMatchObject({
      datasets: 0,
      rows: 0,
      runs: 0,
      versions: 0,
      production: null,
      deployment: null,
      kpis: [],
      monitors: null,
    });

    const rows = [
      { age: 3, referred: 'yes' },
      { age: 5, referred: 'no' },
      { age: 7, referred: 'no' },
    ];
    const columns = [
      { name: 'age', type: 'numeric' as const, missing: 0, distinct: 3, invalid: 0 },
      { name: 'referred', type: 'categorical' as const, missing: 0, distinct: 2, invalid: 0 },
    ];
    await importDataset(db, { projectId: p.id, name: 'visits', fileName: 'visits.csv', hash: 'a'.repeat(64), rows, columns, target: 'referred' });
    const mv: ModelVersion = {
      id: crypto.randomUUID(),
      projectId: p.id,
      modelName: 'referral',
      version: 1,
      task: 'classification',
      pipeline: {
        features: [{ name: 'age', kind: 'numeric', mean: 5, std: 2 }],
        target: { name: 'referred', kind: 'categorical', labels: ['no', 'yes'] },
      } as unknown as ModelVersion['pipeline'],
      artifacts: { format: 'tfjs', modelTopology: {}, weightSpecs: [] } as unknown as ModelVersion['artifacts'],
      weightsHash: 'b'.repeat(64),
      weightsSize: 10,
      stage: 'production',
      metrics: { task: 'classification', accuracy: 0.75, f1: 0.7, f1Average: 'binary', precision: 0.7, recall: 0.7, logLoss: 0.5 } as ModelVersion['metrics'],
      schemaVersion: 1,
      appVersion: 'test',
      createdAt: Date.now(),
    };
    await putRecord(db, 'model_versions', mv);
    await updateProjectMonitoring(db, p.id, { kpis: [{ id: crypto.randomUUID(), name: 'children referred', predicted: 'yes', perCase: 1, unit: 'children' }] });
    await logPredictions(db, mv, [
      loggedPrediction({ projectId: p.id, modelVersionId: mv.id, output: { label: 'yes' } }),
      loggedPrediction({ projectId: p.id, modelVersionId: mv.id, output: { label: 'yes' } }),
      loggedPrediction({ projectId: p.id, modelVersionId: mv.id, output: { label: 'no' } }),
    ]);

    const f = await canvasFigures(db, p.id);
    expect(f).toMatchObject({ datasets: 1, rows: 3, versions: 1, predictions: 3, outcomes: 0 });
    expect(f.production?.version.id).toBe(mv.id);
    expect(f.production?.metrics).toMatchObject({ accuracy: 0.75 });
    expect(f.kpis.map((k) => [k.kpi.name, k.cases, k.value])).toEqual([['children referred', 2, 2]]);
    expect(f.monitors).not.toBeNull();
  });
});
