import { liveQuery } from 'dexie';
import type { PipelineTrigger } from '@shared/schema/pipeline-spec.js';
import type { Project } from '@shared/schema/records.js';
import { shouldRun, type RetrainProposal } from '@shared/pipelines/rules.js';
import { versionMonitor } from '@shared/monitor/version.js';
import { retrainReasons } from '@shared/monitor/retrain.js';
import type { StateInputs } from '@shared/monitor/states.js';
import type { OutpostDb } from '../db/db.js';
import { versionDays } from '../db/monitoring.js';
import { lastPipelineRun } from './store.js';
import { pipelineRunning } from './run.js';

const SEEN_PREFIX = 'pipeline:proposal-seen:';
// Kept by the monitor (db/monitoring.ts saveVerdict): this device's latest verdict on a version.
const VERDICT_PREFIX = 'monitor:verdict:';

async function productionVersions(db: OutpostDb, projectId: string, modelName: string) {
  return (await db.model_versions.where('[projectId+modelName]').equals([projectId, modelName]).toArray()).filter(
    (v) => !v.deleted && v.stage === 'production',
  );
}

/**
 * The monitor's retraining proposals for a project's model (its production version, by the
 * project's retraining rules: monitor/retrain.ts), each with when this device first saw it. The
 * first sighting is kept in `kv`, and forgotten when the proposal goes away, so a proposal sets a
 * pipeline off once, not on every new prediction.
 */
export async function retrainProposals(db: OutpostDb, project: Project, modelName: string, now = Date.now()): Promise<RetrainProposal[]> {
  const out: RetrainProposal[] = [];
  for (const v of await productionVersions(db, project.id, modelName)) {
    const verdict = (await db.kv.get(VERDICT_PREFIX + v.id))?.value as { verdict?: { drift?: StateInputs['drift'] } } | undefined;
    const monitor = versionMonitor(v, project, await versionDays(db, v.id), verdict?.verdict?.drift);
    const key = SEEN_PREFIX + v.id;
    if (!retrainReasons(monitor, project.retrainRules).length) {
      await db.kv.delete(key);
      continue;
    }
    let at = (await db.kv.get(key))?.value as number | undefined;
    if (typeof at !== 'number') await db.kv.put({ key, value: (at = now) });
    out.push({ modelName, modelVersionId: v.id, at });
  }
  return out;
}

/**
 * Check every project's pipeline against its rules (shouldRun) and start those that are due and
 * not already running. `start` returns false when it cannot start now (a training under way):
 * the next check tries again.
 */
export async function checkPipelineRules(
  db: OutpostDb,
  start: (projectId: string, trigger: PipelineTrigger) => Promise<boolean>,
  now = Date.now(),
): Promise<number> {
  let started = 0;
  for (const p of await db.pipelines.toArray()) {
    if (p.deleted || (!p.rules.onNewRows && !p.rules.onRetrainProposal)) continue;
    if (pipelineRunning(p.projectId)) continue;
    const project = await db.projects.get(p.projectId);
    const dataset = await db.datasets.get(p.steps.ingest.datasetId);
    if (!project || project.deleted || !dataset || dataset.deleted) continue;
    const latest = dataset.versionId ? await db.dataset_versions.get(dataset.versionId) : undefined;
    const proposals = p.rules.onRetrainProposal ? await retrainProposals(db, project, p.steps.register.modelName, now) : [];
    const trigger = shouldRun(p, await lastPipelineRun(db, p.projectId), latest, proposals);
    if (trigger && (await start(p.projectId, trigger))) started++;
  }
  return started;
}

/**
 * Watch what sets a pipeline off: a subscription (Dexie's liveQuery) over the pipelines, their
 * datasets' current versions and their models' monitor days and verdicts. Each change (and a
 * check a minute, for a run that waited on a training) runs checkPipelineRules outside the
 * subscription, which may write. Returns what stops watching.
 */
export function watchPipelines(db: OutpostDb, start: (projectId: string, trigger: PipelineTrigger) => Promise<boolean>): () => void {
  let checking = false;
  let again = false;
  const check = async () => {
    if (checking) return void (again = true);
    checking = true;
    try {
      do {
        again = false;
        await checkPipelineRules(db, start).catch(() => 0);
      } while (again);
    } finally {
      checking = false;
    }
  };
  const watched = liveQuery(async () => {
    const parts: unknown[] = [];
    for (const p of await db.pipelines.toArray()) {
      if (p.deleted || (!p.rules.onNewRows && !p.rules.onRetrainProposal)) continue;
      parts.push(p.updatedAt, (await db.datasets.get(p.steps.ingest.datasetId))?.versionId);
      if (!p.rules.onRetrainProposal) continue;
      for (const v of await productionVersions(db, p.projectId, p.steps.register.modelName))
        // A day's counts grow with each prediction and outcome: their text's length is a cheap fingerprint.
        parts.push(v.id, JSON.stringify(await versionDays(db, v.id)).length, JSON.stringify((await db.kv.get(VERDICT_PREFIX + v.id))?.value ?? null));
    }
    return JSON.stringify(parts);
  });
  let last = '';
  const sub = watched.subscribe({
    next: (sig) => {
      if (sig === last) return;
      last = sig;
      void check();
    },
    error: () => {},
  });
  const timer = setInterval(() => void check(), 60_000);
  return () => {
    sub.unsubscribe();
    clearInterval(timer);
  };
}
