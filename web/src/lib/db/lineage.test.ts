import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { ModelVersion, Run } from '@shared/schema/records.js';
import { inferColumns } from '@shared/data/columns.js';
import { runSplit, splitIndices } from '@shared/data/lineage.js';
import { OutpostDb } from './db.js';
import { newId, putRecord } from './mutate.js';
import { createProject } from './projects.js';
import { importDataset } from './datasets.js';
import { dropRowsWithMissing, failedChecks, loadVersionRows, trainingVersion } from './dataset-versions.js';
import { setRules, setShareRows } from './dataset-settings.js';
import { runSplitRows, trainedOn, usedBy, versionChain } from './lineage.js';
import { completedRun } from './fixtures.testing.js';

const ROWS = Array.from({ length: 30 }, (_, i) => ({ x: i, age: i === 3 ? 150 : 20 + i, y: i === 5 ? null : i % 3 === 0 ? 'a' : 'b' }));
const NAMES = ['x', 'age', 'y'];

async function setUp() {
  const db = new OutpostDb(`lineage-${newId()}`);
  const p = await createProject(db, 'Clinic');
  const d = await importDataset(db, {
    projectId: p.id,
    name: 'visits',
    fileName: 'v.csv',
    hash: 'e'.repeat(64),
    rows: ROWS,
    columns: inferColumns(ROWS, NAMES),
    target: 'y',
  });
  return { db, p, d };
}

/** A run trained on a version as the training session records it, and a model version registered from it. */
async function trainOn(db: OutpostDb, projectId: string, datasetId: string, versionId?: string) {
  const base = completedRun(projectId);
  const params = { ...base.params, features: ['x', 'age'], testFraction: 0.2, validationFraction: 0.25 };
  const rows = versionId ? await loadVersionRows(db, versionId) : [];
  const run: Run = { ...base, datasetId, params, ...(versionId ? { datasetVersionId: versionId, split: await runSplit(rows, params) } : {}) };
  await putRecord(db, 'runs', run);
  const mv = { id: newId(), projectId, modelName: 'visits', version: 1, runId: run.id, stage: 'none', createdAt: 1 } as unknown as ModelVersion;
  await db.model_versions.put(mv);
  return { run, mv };
}

describe('lineage on the device', () => {
  it('walks back from a model to its version, the parents, and the exact train/validation/test rows', async () => {
    const { db, p, d } = await setUp();
    const v2 = await dropRowsWithMissing(db, d.id);
    const { run, mv } = await trainOn(db, p.id, d.id, v2.id);
    const back = await trainedOn(db, mv.id);
    expect(back?.version?.id).toBe(v2.id);
    expect(back?.chain.map((v) => v.number)).toEqual([2, 1]);
    const split = await runSplitRows(db, run);
    if ('reason' in split) throw new Error(split.reason);
    const want = splitIndices(await loadVersionRows(db, v2.id), run.params);
    expect(split.rows.test.map((r) => r.x)).toEqual(want.test.map((i) => ROWS.filter((r) => r.y !== null)[i].x));
    expect(split.rows.train.length + split.rows.validation.length + split.rows.test.length).toBe(29);
    // From the version: which runs and models used it; the first version has none.
    expect((await usedBy(db, v2)).models.map((m) => m.id)).toEqual([mv.id]);
    expect((await usedBy(db, (await versionChain(db, d.id)).chain[0])).runs).toEqual([]);
  });

  it('a run from before versions counts as trained on the first version; its split cannot be shown and says why', async () => {
    const { db, p, d } = await setUp();
    const { run } = await trainOn(db, p.id, d.id);
    const [first] = (await versionChain(db, d.id)).chain;
    expect((await usedBy(db, first)).runs.map((r) => r.id)).toEqual([run.id]);
    expect(await runSplitRows(db, run)).toEqual({ reason: expect.stringContaining('before splits were recorded') });
  });

  it('a parent that has not arrived is named, and the chain stops there', async () => {
    const { db, d } = await setUp();
    const v2 = await dropRowsWithMissing(db, d.id);
    await db.dataset_versions.delete(d.id);
    expect(await versionChain(db, v2.id)).toEqual({ chain: [expect.objectContaining({ id: v2.id })], missing: d.id });
  });

  it('data tests are checked on the current version at once and on every new one; training sees what fails', async () => {
    const { db, d } = await setUp();
    await setRules(db, d.id, [{ id: 'age', kind: 'range', column: 'age', min: 0, max: 120 }]);
    expect(failedChecks(await trainingVersion(db, d.id))).toEqual(['1 row has age above 120; allowed 0–120.']);
    const v2 = await dropRowsWithMissing(db, d.id);
    expect(v2.checks?.passed).toBe(false);
    await expect(setRules(db, d.id, [{ id: 'bad', kind: 'allowed', column: 'y', values: [] }])).rejects.toThrow('A data test is incomplete');
    // The refused rules changed nothing.
    expect((await db.datasets.get(d.id))?.rules?.map((r) => r.id)).toEqual(['age']);
    await setRules(db, d.id, []);
    expect(failedChecks(await trainingVersion(db, d.id))).toEqual([]);
  });

  it('turning row sharing on gives the current version its shared rows once', async () => {
    const { db, p, d } = await setUp();
    expect((await trainingVersion(db, d.id))?.rows).toBeUndefined();
    expect(await setShareRows(db, p.id, true)).toBe(1);
    const v = await trainingVersion(db, d.id);
    expect(v?.rows?.size).toBeGreaterThan(0);
    const queued = (await db.outbox.toArray()).length;
    await setShareRows(db, p.id, true);
    // The same rows are not queued again (only the setting itself is).
    expect((await db.outbox.toArray()).length).toBe(queued + 1);
  });
});
