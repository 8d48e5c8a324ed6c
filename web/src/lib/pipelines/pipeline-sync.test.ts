// Pipelines across devices, against the real server app in-process: a pipeline declared and run
// on one phone reaches another with each step's lineage and reason; a run left running by a page
// that closed on the first phone is not the second phone's to close.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainParams } from '@shared/schema/records.js';
import { draftPipeline } from '@shared/pipelines/draft.js';
import { putRecord } from '../db/mutate.js';
import { english } from '../i18n/speaking.js';
import { inProcessServer, type InProcessServer } from '../sync/in-process.testing.js';
import { deviceExecutors } from './executors.js';
import { closeInterruptedPipelineRuns, runProjectPipeline, runsUnderWayHere } from './run.js';
import { projectPipeline, projectPipelineRuns, savePipeline } from './store.js';
import { reasonWords } from './words.js';

let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Pipelines');
});
afterAll(async () => srv.close());

const params: TrainParams = {
  task: 'classification',
  target: 'y',
  features: ['a'],
  epochs: 2,
  batchSize: 8,
  learningRate: 0.01,
  hiddenLayers: [4],
  validationFraction: 0.2,
  seed: 1,
};
// Nothing to train: ingest finds no dataset on either phone, a real failure of the real executors.
const noTrainer = { running: false, error: '', start: async () => undefined };

describe('pipelines sync', () => {
  it('a pipeline and its runs reach another phone, with each step and the reason in words', async () => {
    const maker = await srv.newDevice('clinic tablet');
    const other = await srv.newDevice('nurse phone');
    await savePipeline(maker.db, {
      ...draftPipeline('p1', 'd-gone', params, 'triage', Date.UTC(2026, 5, 1)),
      rules: { onNewRows: true, onRetrainProposal: false },
    });
    const run = await runProjectPipeline(maker.db, 'p1', { trigger: { kind: 'person' }, executors: deviceExecutors(maker.db, { trainer: noTrainer }) });
    expect(run.status).toBe('failed');
    // A run a closed page left running on the maker (as its record says when it started).
    await putRecord(maker.db, 'pipeline_runs', {
      ...run,
      id: 'pr-cut',
      status: 'running',
      steps: [],
      cacheKeys: [],
      executed: 0,
      startedAt: run.startedAt + 1,
    });
    await maker.syncUntilDone();
    await other.syncUntilDone();

    expect((await projectPipeline(other.db, 'p1'))?.rules.onNewRows).toBe(true);
    const arrived = await projectPipelineRuns(other.db, 'p1');
    expect(arrived.map((r) => r.id)).toEqual(['pr-cut', run.id]);
    const failed = arrived[1];
    expect(failed.steps.map((s) => s.status)).toEqual(['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(reasonWords(failed.reason!, english)).toBe('The pipeline’s dataset was deleted. Choose another dataset and save the pipeline.');

    // Not the other phone's run: it stays running there until the maker says otherwise.
    expect(await closeInterruptedPipelineRuns(other.db, 'p1')).toBe(0);
    expect((await other.db.pipeline_runs.get('pr-cut'))?.status).toBe('running');
    expect(await runsUnderWayHere(other.db)).toEqual(new Set());
    // On the maker, where it ran (its run-here mark, as runProjectPipeline leaves it when the page closes), it is closed, and that syncs.
    await maker.db.kv.put({ key: 'pipeline:running-here:pr-cut', value: true });
    expect(await runsUnderWayHere(maker.db)).toEqual(new Set(['pr-cut']));
    expect(await closeInterruptedPipelineRuns(maker.db, 'p1')).toBe(1);
    await maker.syncUntilDone();
    await other.syncUntilDone();
    const closed = await other.db.pipeline_runs.get('pr-cut');
    expect(closed?.status).toBe('failed');
    expect(reasonWords(closed!.reason!, english)).toBe('The app closed while the pipeline ran. Run it again.');
  });
});
