import 'fake-indexeddb/auto';
import '../runs/runes.testing.js';
import { describe, expect, it, vi } from 'vitest';
import type { Pipeline, PipelineTrigger } from '@shared/schema/pipeline-spec.js';
import { PipelineRun } from '@shared/schema/pipeline-spec.js';
import { draftPipeline } from '@shared/pipelines/draft.js';
import { isOutpostError } from '@shared/errors.js';
import { patchRecord } from '../db/mutate.js';
import { appendRows } from '../db/dataset-versions.js';
import { logPredictions, recordOutcomes } from '../db/monitoring.js';
import { loggedPrediction } from '../db/fixtures.testing.js';
import { irisProject, useInProcessWorkers } from '../ml/workers.testing.js';
import { loadSample, sampleParams } from '../ml/test-data.js';
import { english } from '../i18n/speaking.js';
import { deviceExecutors } from './executors.js';
import { runProjectPipeline } from './run.js';
import { projectPipelineRuns, savePipeline } from './store.js';
import { checkPipelineRules, watchPipelines } from './watch.js';
import { reasonWords } from './words.js';

// The app's own training session trains each pipeline's train step here, as on the Train tab
// (its runes stood in for by runes.testing.ts).
const { TrainingSession } = await import('../runs/training.svelte.js');

const iris = loadSample('iris');
useInProcessWorkers();

async function setUp() {
  const { db, project, dataset } = await irisProject('pipeline', 'Flowers');
  const params = sampleParams(iris, 'classification', 'species', { epochs: 4, hiddenLayers: [8], seed: 3 });
  const base = draftPipeline(project.id, dataset.id, params, 'flowers', Date.now());
  const pipeline = await savePipeline(db, { ...base, steps: { ...base.steps, train: { params, backend: 'cpu' } } });
  const session = new TrainingSession(db);
  const run = (trigger: PipelineTrigger = { kind: 'person' }, p?: Pipeline) =>
    (p ? savePipeline(db, p) : Promise.resolve()).then(() =>
      runProjectPipeline(db, project.id, { trigger, executors: deviceExecutors(db, { trainer: session }) }),
    );
  return { db, project, dataset, pipeline, run };
}

const statuses = (r: PipelineRun) => r.steps.map((s) => s.status);

describe('a pipeline on the device, end to end', () => {
  it('runs all seven steps with real training, then reuses all of them on the same version: counted in steps, runs and versions', async () => {
    const { db, project, pipeline, run } = await setUp();
    const first = await run();
    expect(first.reason).toBeUndefined();
    expect(first.status).toBe('done');
    expect(first.executed).toBe(7);
    expect(statuses(first)).toEqual(Array(7).fill('done'));
    expect(await db.runs.count()).toBe(1);
    const trained = await db.runs.toCollection().first();
    expect(trained?.status).toBe('completed');
    expect(trained?.evaluation).toBeDefined();
    // The lineage: the version's hash, the split the run recorded, the run, the registered version.
    const [ingest, , split, train, , , register] = first.steps;
    const version = (await db.dataset_versions.get(String(ingest.outputs.versionId)))!;
    expect(ingest.outputKey).toBe(version.hash);
    expect(split.outputs.indexHash).toBe(trained?.split?.indexHash);
    expect(train.outputs.runId).toBe(trained?.id);
    const mv = (await db.model_versions.get(String(register.outputs.modelVersionId)))!;
    expect(mv).toMatchObject({ modelName: 'flowers', runId: trained?.id, version: 1 });

    const second = await run();
    expect(second.executed).toBe(0);
    expect(statuses(second)).toEqual(Array(7).fill('reused'));
    expect(second.steps.every((s) => s.reusedFrom === first.id)).toBe(true);
    expect(await db.runs.count()).toBe(1);
    expect(await db.model_versions.count()).toBe(1);

    // Only the gates changed: gate and register execute; register finds the run's version already there.
    const gated: Pipeline = { ...pipeline, steps: { ...pipeline.steps, gate: { on: true, gates: { minMetric: { metric: 'accuracy', value: 0.01 } } } } };
    const third = await run({ kind: 'person' }, gated);
    expect(third.executed).toBe(2);
    expect(statuses(third)).toEqual(['reused', 'reused', 'reused', 'reused', 'reused', 'done', 'done']);
    expect(await db.runs.count()).toBe(1);
    expect(await db.model_versions.count()).toBe(1);

    // Every record parses as the schema says, newest first.
    const runs = await projectPipelineRuns(db, project.id);
    expect(runs.map((r) => r.id)).toEqual([third.id, second.id, first.id]);
    for (const r of runs) expect(PipelineRun.parse(r)).toEqual(r);
    // Both records wait in the outbox to sync (protocol 9): the pipeline, and each run as it ends.
    const queued = await db.outbox.toArray();
    expect(queued.filter((o) => o.table === 'pipelines').map((o) => o.id)).toContain(project.id);
    const ends = queued.filter((o) => o.table === 'pipeline_runs' && o.fields.status !== 'running');
    expect(new Set(ends.map((o) => o.id))).toEqual(new Set([first.id, second.id, third.id]));
    db.close();
  });

  it('new rows set the rule off, and the run re-executes from ingest onwards on the new version', async () => {
    const { db, project, pipeline, dataset, run } = await setUp();
    await savePipeline(db, { ...pipeline, rules: { onNewRows: true, onRetrainProposal: false } });
    const first = await run();
    const started: PipelineTrigger[] = [];
    const start = async (projectId: string, t: PipelineTrigger) => {
      expect(projectId).toBe(project.id);
      started.push(t);
      return true;
    };
    expect(await checkPipelineRules(db, start)).toBe(0);
    const v2 = await appendRows(db, dataset.id, iris.rows.slice(0, 12), first.startedAt + 1000);
    expect(await checkPipelineRules(db, start)).toBe(1);
    expect(started).toEqual([{ kind: 'new_rows', versionId: v2.id }]);
    const second = await run(started[0]);
    expect(second.input.versionId).toBe(v2.id);
    expect(second.executed).toBe(7);
    expect(second.steps[0].outputKey).toBe(v2.hash);
    expect(await db.runs.count()).toBe(2);
    expect((await db.model_versions.toArray()).map((v) => v.version).sort()).toEqual([1, 2]);
    // Done with that version: the rule does not set it off again.
    expect(await checkPipelineRules(db, start)).toBe(0);
    db.close();
  });

  it('a retraining proposal for the production model sets the rule off once', async () => {
    const { db, project, pipeline, run } = await setUp();
    const p = await savePipeline(db, {
      ...pipeline,
      steps: { ...pipeline.steps, register: { ...pipeline.steps.register, makeProduction: true } },
      rules: { onNewRows: false, onRetrainProposal: true },
    });
    await run();
    const mv = (await db.model_versions.toArray())[0];
    expect(mv.stage).toBe('production');
    const started: PipelineTrigger[] = [];
    const start = async (_: string, t: PipelineTrigger) => (started.push(t), true);
    expect(await checkPipelineRules(db, start)).toBe(0);

    // Three real results recorded for its predictions: the project's rule (after 3 outcomes) proposes retraining.
    await patchRecord(db, 'projects', project.id, { retrainRules: { onDrift: false, qualityBelow: null, newOutcomes: 3 } });
    const row = iris.rows[0];
    const inputs = Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'species'));
    const logged = [0, 1, 2].map(() =>
      loggedPrediction({
        projectId: project.id,
        modelVersionId: mv.id,
        inputs,
        output: { label: 'setosa', probabilities: { setosa: 0.9, versicolor: 0.05, virginica: 0.05 } },
        createdAt: Date.now(),
      }),
    );
    await logPredictions(db, mv, logged);
    const report = await recordOutcomes(
      db,
      project.id,
      logged.map((l) => ({ predictionId: l.id, value: 'setosa', source: 'log' as const })),
    );
    expect(report.recorded).toBe(3);
    expect(await checkPipelineRules(db, start)).toBe(1);
    expect(started).toEqual([{ kind: 'retrain', modelVersionId: mv.id }]);

    // The run on the same rows reuses every step; the proposal it answered does not set it off again.
    const again = await run(started[0], p);
    expect(again.trigger).toEqual({ kind: 'retrain', modelVersionId: mv.id });
    expect(again.executed).toBe(0);
    expect(await checkPipelineRules(db, start)).toBe(0);
    db.close();
  });

  it('the app’s watcher starts a run when new rows arrive, through its subscription, and stops watching when told', async () => {
    const { db, project, pipeline, dataset } = await setUp();
    await savePipeline(db, { ...pipeline, rules: { onNewRows: true, onRetrainProposal: false } });
    const started: PipelineTrigger[] = [];
    const stop = watchPipelines(db, async (projectId, t) => (expect(projectId).toBe(project.id), started.push(t), true));
    await new Promise((r) => setTimeout(r, 200));
    expect(started).toEqual([]);
    const v2 = await appendRows(db, dataset.id, iris.rows.slice(0, 3), Date.now() + 10);
    await vi.waitFor(() => expect(started).toEqual([{ kind: 'new_rows', versionId: v2.id }]), { timeout: 5000 });
    stop();
    await appendRows(db, dataset.id, iris.rows.slice(3, 6), Date.now() + 20);
    await new Promise((r) => setTimeout(r, 300));
    expect(started).toHaveLength(1);
    db.close();
  });

  it('a deleted dataset version fails ingest with a sentence, and a second run at once is refused', async () => {
    const { db, project, dataset, run } = await setUp();
    const v = (await db.datasets.get(dataset.id))!.versionId!;
    await patchRecord(db, 'dataset_versions', v, { deleted: true });
    const failed = await run();
    expect(failed.status).toBe('failed');
    expect(statuses(failed)).toEqual(['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(failed.executed).toBe(1);
    expect(reasonWords(failed.reason!, english)).toBe(
      'The dataset version this pipeline runs on was deleted. Add or import rows to make a new version, then run it again.',
    );
    expect(await db.runs.count()).toBe(0);

    const a = run();
    const b = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isOutpostError(b) && b.code).toBe('conflict');
    expect(english((b as { said: { key: 'pipeline.busy' } }).said)).toBe('This project’s pipeline is already running. Wait until it finishes.');
    await a;
    expect((await projectPipelineRuns(db, project.id)).length).toBe(2);
    db.close();
  });

  it('a gate that fails stops before registering, its sentence said from the gate words', async () => {
    const { db, pipeline, run } = await setUp();
    const strict: Pipeline = { ...pipeline, steps: { ...pipeline.steps, gate: { on: true, gates: { minMetric: { metric: 'accuracy', value: 1.01 } } } } };
    const r = await run({ kind: 'person' }, strict);
    expect(statuses(r)).toEqual(['done', 'done', 'done', 'done', 'done', 'failed', 'skipped']);
    expect(reasonWords(r.reason!, english)).toMatch(/^accuracy on held-out test rows: [\d.]+, at least 1\.01 needed \(short by [\d.]+\)\.$/);
    expect(await db.model_versions.count()).toBe(0);
    db.close();
  });
});
