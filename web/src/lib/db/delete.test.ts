import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion } from '@shared/schema/records.js';
import { sha256Hex } from '@shared/data/hash.js';
import { createProject, getProject, listProjects } from './projects.js';
import { importDataset, projectDatasets } from './datasets.js';
import { projectRuns } from './runs.js';
import { projectVersions, saveTrainedModel } from './models.js';
import { newId, putRecord } from './mutate.js';
import { saveLocalBlob, completeBlobBytes } from './blobs.js';
import { draftPipeline } from '@shared/pipelines/draft.js';
import { projectPipeline, savePipeline } from '../pipelines/store.js';
import { checkPipelineRules } from '../pipelines/watch.js';
import { deleteDataset, deleteProject, deleteRun, deleteVersion, sweepDeleted, whatGoes } from './delete.js';
import { projectStorage } from './space.js';
import { storedRows } from './dataset-versions.js';
import { completedRun, loggedPrediction } from './fixtures.testing.js';
import { inProcessServer, type InProcessServer } from '../sync/in-process.testing.js';
import type { HeadlessDevice } from '../sync/headless.js';
import type { OutpostDb } from './db.js';
import { encodePng } from '@shared/images/png.js';
import { createPhotoDataset, photoBytes, type NewPhoto } from './photos.js';
import { datasetLabels, giveLabel } from '../labels/labels.js';
import { newStudy } from '@shared/study/draft.js';
import { defaultSpace } from '@shared/study/trials.js';
import { trialId, type Trial } from '@shared/study/study.js';
import { projectStudies, studyTrials } from './studies.js';

// Deleting on real Dexie (fake-indexeddb) and through the real server (PGlite in memory) between
// two headless devices: what is refused, what goes with a deletion, what bytes are freed, and a
// deletion on one device reaching the other.
let srv: InProcessServer;
let a: HeadlessDevice;
let b: HeadlessDevice;

beforeAll(async () => {
  srv = await inProcessServer('Deleting');
  a = await srv.newDevice('A');
  b = await srv.newDevice('B');
}, 60_000);
afterAll(async () => {
  await a.close();
  await b.close();
  await srv.close();
});

const columns = [
  { name: 'x', type: 'numeric' as const, missing: 0, distinct: 3, invalid: 0 },
  { name: 'y', type: 'categorical' as const, missing: 0, distinct: 2, invalid: 0 },
];
const rows = [
  { x: 1, y: 'a' },
  { x: 2, y: 'b' },
  { x: 3, y: 'a' },
];

async function dataset(db: OutpostDb, projectId: string, name = 'visits') {
  return importDataset(db, { projectId, name, fileName: `${name}.csv`, hash: 'c'.repeat(64), rows, columns, target: 'y' });
}

let weightsN = 0;
async function version(
  db: OutpostDb,
  projectId: string,
  stage: ModelVersion['stage'],
  // `tfjs-layers` makes a record the server takes; the others stay on the device (refused as invalid).
  opts: { runId?: string; weightsHash?: string; format?: string } = {},
): Promise<ModelVersion> {
  // Real content hashes: the blobs are uploaded when the device syncs.
  const bytes = new TextEncoder().encode(`weights ${opts.weightsHash ?? ++weightsN}`).buffer as ArrayBuffer;
  const hash = opts.weightsHash ?? (await sha256Hex(bytes));
  if (!opts.weightsHash) await saveLocalBlob(db, hash, bytes);
  const run = completedRun(projectId);
  const mv: ModelVersion = {
    id: newId(),
    projectId,
    modelName: 'm',
    version: ++weightsN,
    task: 'classification',
    pipeline: run.pipeline!,
    artifacts: { format: opts.format ?? 'tfjs', modelTopology: {}, weightSpecs: [] } as unknown as ModelVersion['artifacts'],
    weightsHash: hash,
    weightsSize: bytes.byteLength,
    stage,
    schemaVersion: 1,
    appVersion: 't',
    createdAt: Date.now(),
    ...(opts.runId ? { runId: opts.runId } : {}),
  };
  return putRecord(db, 'model_versions', mv);
}

describe('deleting on one device', () => {
  it('refuses a version in production or named by the deployment, with what to do; deletes another and frees weights nobody else uses', async () => {
    const db = a.db;
    const p = await createProject(db, 'Versions');
    const prod = await version(db, p.id, 'production');
    await expect(deleteVersion(db, prod.id)).rejects.toThrow(/is in production\. Move another version to production \(or archive this one\) first/);
    const trial = await version(db, p.id, 'staging');
    await db.deployments.put({
      id: p.id,
      projectId: p.id,
      revision: 1,
      state: { mode: 'shadow', champion: prod.id, challenger: trial.id, level: 'full' },
      changedBy: { kind: 'person', id: 'l', name: 'Lead' },
      why: 'trial',
      at: Date.now(),
    });
    await expect(deleteVersion(db, trial.id)).rejects.toThrow(/named by the project's deployment/);
    expect((await projectVersions(db, p.id)).map((v) => v.id).sort()).toEqual([prod.id, trial.id].sort());

    const old = await version(db, p.id, 'archived');
    const twin = await version(db, p.id, 'archived', { weightsHash: old.weightsHash });
    await deleteVersion(db, old.id);
    expect((await projectVersions(db, p.id)).map((v) => v.id)).not.toContain(old.id);
    // Its twin has the same weights: they stay.
    expect(await completeBlobBytes(db, old.weightsHash)).toBeDefined();
    await deleteVersion(db, twin.id);
    expect(await completeBlobBytes(db, old.weightsHash)).toBeUndefined();
    // The tombstone is queued for sync.
    expect(await db.outbox.filter((o) => o.table === 'model_versions' && o.id === old.id && o.fields.deleted === true).count()).toBe(1);
  });

  it('deletes a run and keeps the version made from it unless asked, and then refuses when that version is in production', async () => {
    const db = a.db;
    const p = await createProject(db, 'Runs');
    const run = await putRecord(db, 'runs', completedRun(p.id));
    const runBytes = new TextEncoder().encode('run weights').buffer as ArrayBuffer;
    const runHash = await sha256Hex(runBytes);
    await saveTrainedModel(
      db,
      run.id,
      { artifacts: { format: 'tfjs', modelTopology: {}, weightSpecs: [] } as never, weightsHash: runHash, weightsSize: 11 },
      runBytes,
    );
    const kept = await version(db, p.id, 'staging', { runId: run.id });
    expect(await whatGoes(db, 'run', run.id)).toMatchObject({ versions: 1 });
    await deleteRun(db, run.id);
    expect(await projectRuns(db, p.id)).toEqual([]);
    expect((await projectVersions(db, p.id)).map((v) => v.id)).toEqual([kept.id]);
    expect(await completeBlobBytes(db, runHash)).toBeUndefined();

    const run2 = await putRecord(db, 'runs', completedRun(p.id));
    const live = await version(db, p.id, 'production', { runId: run2.id });
    await expect(deleteRun(db, run2.id, { withVersions: true })).rejects.toThrow(/is in production/);
    expect((await projectRuns(db, p.id)).map((r) => r.id)).toEqual([run2.id]);
    expect((await projectVersions(db, p.id)).map((v) => v.id)).toContain(live.id);
  });

  it('refuses a project with a version in production, deleting nothing; otherwise deletes it with everything in it', async () => {
    const db = a.db;
    const p = await createProject(db, 'Whole project');
    const d = await dataset(db, p.id);
    const prod = await version(db, p.id, 'production');
    await putRecord(db, 'runs', { ...completedRun(p.id), datasetId: d.id });
    expect(await whatGoes(db, 'project', p.id)).toEqual({ datasets: 1, runs: 1, versions: 1, studies: 0, usedBy: 0 });
    await expect(deleteProject(db, p.id)).rejects.toThrow(/first, then delete the project\./);
    expect(await projectDatasets(db, p.id)).toHaveLength(1);
    expect((await listProjects(db)).map((x) => x.id)).toContain(p.id);

    await db.model_versions.update(prod.id, { stage: 'archived' });
    await db.predictions.bulkPut([loggedPrediction({ projectId: p.id })]);
    await savePipeline(db, { ...draftPipeline(p.id, d.id, completedRun(p.id).params, 'model', 1), rules: { onNewRows: true, onRetrainProposal: false } });
    expect(await projectPipeline(db, p.id)).toBeDefined();
    await deleteProject(db, p.id);
    // Its pipeline is tombstoned (it syncs) and never runs again.
    expect((await db.pipelines.get(p.id))?.deleted).toBe(true);
    expect(await projectPipeline(db, p.id)).toBeUndefined();
    expect(await checkPipelineRules(db, async () => true)).toBe(0);
    expect((await listProjects(db)).map((x) => x.id)).not.toContain(p.id);
    expect((await getProject(db, p.id))?.deleted).toBe(true);
    expect(await projectDatasets(db, p.id)).toEqual([]);
    expect(await projectRuns(db, p.id)).toEqual([]);
    expect(await projectVersions(db, p.id)).toEqual([]);
    expect(await storedRows(db, d.versionId ?? d.id)).toEqual([]);
    // A prediction the server has is dropped from this phone (it was never queued here).
    expect(await db.predictions.where('projectId').equals(p.id).count()).toBe(0);
  });
});

describe('a photo dataset deleted', () => {
  async function photo(r: number, g: number, b: number): Promise<NewPhoto> {
    const rgb = new Uint8Array(16 * 16 * 3);
    for (let i = 0; i < rgb.length; i += 3) rgb.set([r, g, b], i);
    const png = encodePng(rgb, 16, 16);
    return { hash: await sha256Hex(png), png, label: null };
  }

  it('frees its photos and drops its labels, keeping a photo another photo dataset still shows', async () => {
    const p = await createProject(a.db, 'Leaf photos');
    const [one, two, shared] = [await photo(10, 200, 10), await photo(200, 10, 10), await photo(10, 10, 200)];
    const gone = await createPhotoDataset(a.db, { projectId: p.id, name: 'Leaves', labels: ['healthy', 'sick'], photos: [one, two, shared] });
    const kept = await createPhotoDataset(a.db, { projectId: p.id, name: 'Leaves again', labels: ['healthy', 'sick'], photos: [shared] });
    await giveLabel(a.db, { dataset: gone, column: 'label', item: `image:${one.hash}`, value: 'healthy' });
    await giveLabel(a.db, { dataset: kept, column: 'label', item: `image:${shared.hash}`, value: 'sick' });
    expect(await photoBytes(a.db, one.hash)).toBeDefined();

    await deleteDataset(a.db, gone.id);
    expect(await photoBytes(a.db, one.hash)).toBeUndefined();
    expect(await photoBytes(a.db, two.hash)).toBeUndefined();
    expect(new Uint8Array((await photoBytes(a.db, shared.hash))!)).toEqual(shared.png);
    expect(await datasetLabels(a.db, gone.id)).toEqual([]);
    expect(await datasetLabels(a.db, kept.id)).toHaveLength(1);
  });
});

describe('space used', () => {
  it('counts a project’s model files once, the rows its versions keep here and its log; a deletion frees it', async () => {
    const db = a.db;
    const p = await createProject(db, 'Space');
    await dataset(db, p.id);
    const v = await version(db, p.id, 'staging');
    await version(db, p.id, 'archived', { weightsHash: v.weightsHash });
    const size = (await db.blobState.get(v.weightsHash))!.size;
    expect((await projectStorage(db)).get(p.id)).toBe(3 * 2 * 12 + size);
    await db.predictions.bulkPut([loggedPrediction({ projectId: p.id }), loggedPrediction({ projectId: p.id })]);
    expect((await projectStorage(db)).get(p.id)).toBe(3 * 2 * 12 + size + 2 * 400);
    await deleteProject(db, p.id);
    expect((await projectStorage(db)).get(p.id) ?? 0).toBe(0);
  });
});

describe('a deletion the server refuses', () => {
  it('a version moved to production while the phone was offline comes back on the phone, with its weights, and the refusal says why', async () => {
    const p = await createProject(a.db, 'Refused');
    const mv = await version(a.db, p.id, 'staging', { format: 'tfjs-layers' });
    await a.syncUntilDone();
    // On the server, a lead made it the production version; this phone has not heard yet.
    await srv.db.query(`update records set data = jsonb_set(data, '{stage}', '"production"') where org_id = $1 and tbl = 'model_versions' and id = $2`, [
      srv.orgId,
      mv.id,
    ]);
    await deleteVersion(a.db, mv.id);
    expect(await projectVersions(a.db, p.id)).toEqual([]);
    expect(await completeBlobBytes(a.db, mv.weightsHash)).toBeUndefined();

    const s = await a.sync();
    expect(s.rejected).toBe(1);
    expect((await projectVersions(a.db, p.id)).map((v) => v.id)).toEqual([mv.id]);
    expect((await a.db.model_versions.get(mv.id))?.deleted).toBeUndefined();
    expect(await completeBlobBytes(a.db, mv.weightsHash)).toBeDefined();
    const [server] = await srv.db.query<{ deleted: boolean | null }>(
      `select (data->>'deleted')::boolean as deleted from records where org_id = $1 and id = $2`,
      [srv.orgId, mv.id],
    );
    expect(server.deleted).toBeNull();
  });
});

describe('a deletion reaches the other device', () => {
  it('a dataset deleted on one phone disappears on the other and its rows are freed there; a second sweep frees nothing more', async () => {
    const p = await createProject(a.db, 'Shared');
    const d = await dataset(a.db, p.id, 'register');
    await a.syncUntilDone();
    await b.syncUntilDone();
    expect((await projectDatasets(b.db, p.id)).map((x) => x.id)).toEqual([d.id]);
    // Device B holds rows of that dataset (as if it had downloaded them).
    const v = (await b.db.datasets.get(d.id))!.versionId ?? d.id;
    await b.db.datasetRows.put({ datasetId: v, chunk: 0, rows });

    expect(await whatGoes(a.db, 'dataset', d.id)).toMatchObject({ usedBy: 0 });
    await deleteDataset(a.db, d.id);
    expect(await projectDatasets(a.db, p.id)).toEqual([]);
    await a.syncUntilDone();
    await b.syncUntilDone();
    expect(await projectDatasets(b.db, p.id)).toEqual([]);
    expect((await b.db.dataset_versions.get(v))?.deleted ?? (await b.db.datasets.get(d.id))?.deleted).toBe(true);
    expect(await sweepDeleted(b.db)).toMatchObject({ datasets: 1 });
    expect(await storedRows(b.db, v)).toEqual([]);
    expect(await sweepDeleted(b.db)).toEqual({ datasets: 0, blobs: 0 });
  });

  it('a project deleted with its searches: the studies are tombstoned here and on the other phone, their append-only trials stay hidden behind them', async () => {
    const p = await createProject(a.db, 'Searched');
    const d = await dataset(a.db, p.id, 'visits');
    const base = { ...completedRun(p.id).params, target: 'y', features: ['x'] };
    const study = await putRecord(
      a.db,
      'studies',
      newStudy({
        id: newId(),
        projectId: p.id,
        datasetId: d.id,
        base,
        space: defaultSpace(),
        objective: 'valLoss',
        trials: 5,
        seed: 1,
        pruneEarly: false,
        backend: 'cpu',
        now: Date.now(),
      }),
    );
    const trial = (number: number): Trial => ({
      id: trialId(study.id, number),
      studyId: study.id,
      projectId: p.id,
      number,
      state: 'complete',
      params: { learningRate: 0.01 },
      value: 0.5,
      intermediate: [0.5],
      startedAt: 0,
      finishedAt: 1,
      durationMs: 1,
    });
    await putRecord(a.db, 'trials', trial(0));
    await putRecord(a.db, 'trials', trial(1));
    await a.syncUntilDone();
    await b.syncUntilDone();
    expect((await projectStudies(b.db, p.id)).map((s) => s.id)).toEqual([study.id]);
    expect(await studyTrials(b.db, study.id)).toHaveLength(2);

    expect(await whatGoes(a.db, 'project', p.id)).toMatchObject({ datasets: 1, studies: 1 });
    await deleteProject(a.db, p.id);
    expect(await projectStudies(a.db, p.id)).toEqual([]);
    expect(await whatGoes(a.db, 'project', p.id)).toMatchObject({ studies: 0 });
    expect(await a.db.outbox.filter((o) => o.table === 'studies' && o.id === study.id && o.fields.deleted === true).count()).toBe(1);
    await a.syncUntilDone();
    await b.syncUntilDone();
    expect(await projectStudies(b.db, p.id)).toEqual([]);
    expect((await b.db.studies.get(study.id))?.deleted).toBe(true);
    const server = await srv.db.query<{ tbl: string; deleted: boolean | null }>(
      `select tbl, (data->>'deleted')::boolean as deleted from records where org_id = $1 and (id = $2 or data->>'studyId' = $2) order by tbl`,
      [srv.orgId, study.id],
    );
    expect(server).toEqual([
      { tbl: 'studies', deleted: true },
      { tbl: 'trials', deleted: null },
      { tbl: 'trials', deleted: null },
    ]);
  });
});
