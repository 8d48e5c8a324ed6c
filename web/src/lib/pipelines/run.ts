import type { PipelineRun, PipelineTrigger } from '@shared/schema/pipeline-spec.js';
import { runPipeline, type StepExecutors } from '@shared/pipelines/runner.js';
import type { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { SaidError } from '../said-error.js';
import { projectPipeline, rulesKey, runsCache } from './store.js';

// Projects with a pipeline run under way in this page (one at a time per project).
const running = new Set<string>();
// A run under way on this device, in kv (not synced): a run pulled from another device while it
// was running there is not this device's to close.
const RUNNING_HERE = 'pipeline:running-here:';

/** The ids of the pipeline runs under way on this device (a screen reads them through live(); a run pulled from another device is not here). */
export async function runsUnderWayHere(db: OutpostDb): Promise<Set<string>> {
  const keys = await db.kv.where('key').startsWith(RUNNING_HERE).primaryKeys();
  return new Set(keys.map((k) => String(k).slice(RUNNING_HERE.length)));
}

/** Whether a project's pipeline is running in this page. */
export const pipelineRunning = (projectId: string): boolean => running.has(projectId);

/**
 * A run left `running` by a page that closed mid-run cannot carry on (its training was cut off):
 * it is marked failed with that reason, so the list says what happened and the rule may run again.
 */
export async function closeInterruptedPipelineRuns(db: OutpostDb, projectId: string, now = Date.now()): Promise<number> {
  return running.has(projectId) ? 0 : markInterrupted(db, projectId, now);
}

async function markInterrupted(db: OutpostDb, projectId: string, now: number): Promise<number> {
  const runs = await db.pipeline_runs.where('projectId').equals(projectId).toArray();
  let closed = 0;
  for (const r of runs) {
    if (r.status !== 'running' || !(await db.kv.get(RUNNING_HERE + r.id))) continue;
    await putRecord(db, 'pipeline_runs', { ...r, status: 'failed', reason: { key: 'pipeline.reason.interrupted' }, finishedAt: now }, now);
    await db.kv.delete(RUNNING_HERE + r.id);
    closed++;
  }
  return closed;
}

export interface StartOptions {
  trigger: PipelineTrigger;
  executors: StepExecutors;
  now?: () => number;
}

/**
 * Run a project's pipeline on its dataset's current version: the run is recorded as it starts and
 * after every step (so the Train tab's progress bar and list follow it), steps are reused from
 * the project's earlier runs when their keys match, and it ends `done` or `failed` with the
 * first failed step's reason. A second run of the same project while one is under way is refused
 * with a sentence (`pipeline.busy`).
 */
export async function runProjectPipeline(db: OutpostDb, projectId: string, opts: StartOptions): Promise<PipelineRun> {
  if (running.has(projectId)) throw new SaidError('conflict', { key: 'pipeline.busy' });
  running.add(projectId);
  const now = opts.now ?? Date.now;
  try {
    const pipeline = await projectPipeline(db, projectId);
    if (!pipeline) throw new SaidError('not_found', { key: 'pipeline.none' });
    await markInterrupted(db, projectId, now());
    const dataset = await db.datasets.get(pipeline.steps.ingest.datasetId);
    const production = (await db.model_versions.where({ projectId, stage: 'production' }).toArray()).find((v) => !v.deleted);
    let record: PipelineRun = {
      id: newId(),
      pipelineId: pipeline.id,
      projectId,
      status: 'running',
      trigger: opts.trigger,
      // A rule's run is for the version that set it off; a tap's for the dataset's current one.
      input: {
        versionId: opts.trigger.kind === 'new_rows' ? opts.trigger.versionId : (dataset?.versionId ?? null),
        rulesKey: await rulesKey(dataset?.rules),
        productionId: production?.id ?? null,
      },
      steps: [],
      cacheKeys: [],
      executed: 0,
      startedAt: now(),
    };
    await db.kv.put({ key: RUNNING_HERE + record.id, value: true });
    await putRecord(db, 'pipeline_runs', record, now());
    let writing = Promise.resolve();
    const result = await runPipeline(pipeline, record.input, {
      executors: opts.executors,
      cache: runsCache(db, projectId),
      now,
      onStep: (steps) => {
        const snapshot = { ...record, steps: steps.map((s) => ({ ...s })) };
        writing = writing.then(() => putRecord(db, 'pipeline_runs', snapshot, now())).then(() => undefined);
      },
    });
    await writing;
    record = {
      ...record,
      status: result.status,
      steps: result.steps,
      cacheKeys: result.cacheKeys,
      executed: result.executed,
      finishedAt: now(),
      ...(result.reason ? { reason: result.reason } : {}),
    };
    await putRecord(db, 'pipeline_runs', record, now());
    await db.kv.delete(RUNNING_HERE + record.id);
    return record;
  } finally {
    running.delete(projectId);
  }
}
