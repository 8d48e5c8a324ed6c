import type { DatasetVersion } from '../schema/dataset-version.js';
import type { Pipeline, PipelineRun, PipelineTrigger } from '../schema/pipeline-spec.js';

/** A retraining proposal from the monitor (monitor/retrain.ts) for one model version, first seen at `at`. */
export interface RetrainProposal {
  modelName: string;
  modelVersionId: string;
  at: number;
}

type LatestVersion = Pick<DatasetVersion, 'id' | 'datasetId' | 'createdAt' | 'change'> & { deleted?: boolean };

/**
 * Whether a pipeline should run again without a tap, and why (the run's trigger), or null.
 *
 * - New rows (`rules.onNewRows`): the dataset's newest version is not the one the last run was
 *   for, was made after the last run started (after the pipeline was declared, when it never
 *   ran), and added or changed rows (a version that only removed rows or columns waits for a tap).
 * - A retraining proposal (`rules.onRetrainProposal`): a proposal for the model the pipeline
 *   registers, first seen after the last run started (or after the pipeline was declared).
 *
 * Never while the last run is still running: one run at a time per project.
 */
export function shouldRun(
  pipeline: Pipeline,
  lastRun: Pick<PipelineRun, 'status' | 'startedAt' | 'input'> | undefined,
  latestVersion: LatestVersion | undefined,
  proposals: readonly RetrainProposal[],
): PipelineTrigger | null {
  if (lastRun?.status === 'running') return null;
  const since = lastRun?.startedAt ?? pipeline.updatedAt;
  const v = latestVersion;
  if (
    pipeline.rules.onNewRows &&
    v &&
    !v.deleted &&
    v.datasetId === pipeline.steps.ingest.datasetId &&
    v.id !== lastRun?.input.versionId &&
    v.createdAt > since &&
    (v.change.rowsAdded > 0 || v.change.rowsChanged > 0)
  )
    return { kind: 'new_rows', versionId: v.id };
  if (pipeline.rules.onRetrainProposal) {
    const p = proposals.find((x) => x.modelName === pipeline.steps.register.modelName && x.at > since);
    if (p) return { kind: 'retrain', modelVersionId: p.modelVersionId };
  }
  return null;
}
