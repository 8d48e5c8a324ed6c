import { CanvasText, canvasField, type CanvasBlock } from '@shared/schema/canvas.js';
import { withPrivilegedCode } from '@shared/monitor/privileged-code.js';
import type { DeploymentState } from '@shared/schema/deployment.js';
import type { EvalMetrics, ModelVersion } from '@shared/schema/records.js';
import type { KpiFigure } from '@shared/monitor/figures.js';
import { versionMonitor } from '@shared/monitor/version.js';
import type { OutpostDb } from './db.js';
import { patchRecord } from './mutate.js';
import { projectDeployment } from './deployments.js';
import { versionDays } from './monitoring.js';
import { SaidError } from '../said-error.js';

/**
 * Keep a person's words in one block of the project's machine learning canvas: one synced field,
 * so someone writing another block on another phone keeps theirs. Empty words clear the block.
 */
export async function saveCanvasBlock(db: OutpostDb, projectId: string, block: CanvasBlock, text: string, now = Date.now()): Promise<void> {
  const parsed = CanvasText.safeParse(text.trim());
  if (!parsed.success) throw new SaidError('bad_request', { key: 'error.canvasTooLong', values: { count: text.trim().length } });
  await patchRecord(db, 'projects', projectId, { [canvasField(block)]: parsed.data }, now);
}

/**
 * What the project already knows for the canvas, read from this device: the data behind it, the
 * models made, how the version in use is deployed, and the business figures the monitors count
 * for it (the KPIs of the Monitor tab), so the canvas shows the figures beside the words.
 */
export interface CanvasFigures {
  datasets: number;
  rows: number;
  runs: number;
  versions: number;
  production: { version: ModelVersion; metrics?: EvalMetrics } | null;
  deployment: Pick<DeploymentState, 'mode' | 'level'> | null;
  predictions: number;
  outcomes: number;
  /** The KPIs' figures over every day the version in use has counted here. */
  kpis: KpiFigure[];
  /** The version in use's monitors taken together (null before it has predictions). */
  monitors: 'ok' | 'warning' | 'alert' | null;
}

export async function canvasFigures(db: OutpostDb, projectId: string): Promise<CanvasFigures> {
  const [project, datasets, runs, versions, deployment, predictions, outcomes] = await Promise.all([
    db.projects.get(projectId),
    db.datasets.where('projectId').equals(projectId).toArray(),
    db.runs.where('projectId').equals(projectId).count(),
    db.model_versions.where('projectId').equals(projectId).toArray(),
    projectDeployment(db, projectId),
    db.predictions.where('projectId').equals(projectId).count(),
    db.outcomes.where('projectId').equals(projectId).count(),
  ]);
  const live = datasets.filter((d) => !d.deleted);
  const inUse = (deployment?.state.champion && versions.find((v) => v.id === deployment.state.champion)) || versions.find((v) => v.stage === 'production');
  let kpis: KpiFigure[] = [];
  let monitors: CanvasFigures['monitors'] = null;
  if (inUse && project) {
    const days = await versionDays(db, inUse.id);
    if (days.length) {
      const m = versionMonitor(inUse, await withPrivilegedCode(project, project.rowSalt), days);
      kpis = m.kpis;
      monitors = m.states.length ? m.overall : null;
    }
  }
  return {
    datasets: live.length,
    rows: live.reduce((n, d) => n + d.rowCount, 0),
    runs,
    versions: versions.length,
    production: inUse ? { version: inUse, metrics: inUse.metrics } : null,
    deployment: deployment ? { mode: deployment.state.mode, level: deployment.state.level } : null,
    predictions,
    outcomes,
    kpis,
    monitors,
  };
}
