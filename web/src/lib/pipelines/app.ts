import type { PipelineRun, PipelineTrigger } from '@shared/schema/pipeline-spec.js';
import { db } from '../db/instance.js';
import { training } from '../runs/session.js';
import { deviceExecutors } from './executors.js';
import { pipelineRunning, runProjectPipeline } from './run.js';

/**
 * Run a project's pipeline in the app: its steps on the app's one training session and database,
 * the gates' latency and memory measured on this device when asked (loaded only then).
 */
export function runPipelineNow(projectId: string, trigger: PipelineTrigger = { kind: 'person' }): Promise<PipelineRun> {
  const executors = deviceExecutors(db, {
    trainer: training,
    measure: async (mv) => (await import('../monitor/measure.js')).measureOnDevice(db, mv),
  });
  return runProjectPipeline(db, projectId, { trigger, executors });
}

/** A rule's run: started unless a training or this project's pipeline is under way (then the next check tries again). */
export async function startByRule(projectId: string, trigger: PipelineTrigger): Promise<boolean> {
  if (training.running || pipelineRunning(projectId)) return false;
  void runPipelineNow(projectId, trigger).catch(() => undefined);
  return true;
}
