import { Pipeline, type PipelineRun } from '@shared/schema/pipeline-spec.js';
import type { StepCache } from '@shared/pipelines/runner.js';
import { stableJson } from '@shared/pipelines/keys.js';
import { sha256Hex } from '@shared/data/hash.js';
import type { OutpostDb } from '../db/db.js';
import { putRecord } from '../db/mutate.js';

/** A project's pipeline (at most one: its id is the project's), parsed as stored; none once deleted. */
export async function projectPipeline(db: OutpostDb, projectId: string): Promise<Pipeline | undefined> {
  const row = await db.pipelines.get(projectId);
  const parsed = row && Pipeline.safeParse(row);
  return parsed?.success && !parsed.data.deleted ? parsed.data : undefined;
}

/** Declare or change a project's pipeline (synced, last-writer-wins: every device of the project sees it). */
export async function savePipeline(db: OutpostDb, p: Pipeline, now = Date.now()): Promise<Pipeline> {
  return putRecord(db, 'pipelines', Pipeline.parse({ ...p, updatedAt: now }), now);
}

/** A project's pipeline runs, newest first (at most `limit`). */
export async function projectPipelineRuns(db: OutpostDb, projectId: string, limit = 20): Promise<PipelineRun[]> {
  return db.pipeline_runs.where('[projectId+startedAt]').between([projectId, -Infinity], [projectId, Infinity]).reverse().limit(limit).toArray();
}

/** The newest run of a project's pipeline. */
export async function lastPipelineRun(db: OutpostDb, projectId: string): Promise<PipelineRun | undefined> {
  return (await projectPipelineRuns(db, projectId, 1))[0];
}

/**
 * Earlier steps by cache key, read from the lineage of the project's past runs (the newest run
 * that did the step): the cache and the lineage are one record, so nothing is cached that a run
 * does not show.
 */
export function runsCache(db: OutpostDb, projectId: string): StepCache {
  return {
    async get(key) {
      const runs = (await db.pipeline_runs.where('cacheKeys').equals(key).toArray()).filter((r) => r.projectId === projectId);
      runs.sort((a, b) => b.startedAt - a.startedAt);
      for (const r of runs) {
        const step = r.steps.find((s) => s.inputKey === key && s.status === 'done');
        if (step) return { runId: r.id, step };
      }
      return undefined;
    },
  };
}

/** SHA-256 of a dataset's data tests as stable JSON: a changed test changes the validate step's key. */
export async function rulesKey(rules: unknown): Promise<string> {
  return sha256Hex(new TextEncoder().encode(stableJson(rules ?? [])));
}
