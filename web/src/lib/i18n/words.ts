import type { ColumnInfo, Prediction, Stage, Task } from '@shared/schema/records.js';
import type { RegistryEvent } from '@shared/schema/registry.js';
import type { MonitorKey } from '@shared/monitor/states.js';
import type { QualityMetric } from '@shared/schema/monitoring.js';
import type { AutomationLevel, DeploymentMode } from '@shared/schema/deployment.js';
import type { MessageKey } from './catalogue.js';

// Codes that shared/ and the database hold, as the keys screens say them with.

export const STAGE: Record<Stage, MessageKey> = {
  none: 'stage.none',
  staging: 'stage.staging',
  production: 'stage.production',
  archived: 'stage.archived',
};

export const TASK: Record<Task, MessageKey> = { classification: 'runs.task.classification', regression: 'runs.task.regression' };

export const EVENT: Record<RegistryEvent['kind'], MessageKey> = {
  moved: 'event.moved',
  proposed: 'event.proposed',
  approved: 'event.approved',
  rejected: 'event.rejected',
  refused: 'event.refused',
  alias: 'event.alias',
};

export const SOURCE: Record<Prediction['source'], MessageKey> = { form: 'log.source.form', batch: 'log.source.batch', server: 'log.source.server' };

export const MONITOR_TITLE: Record<MonitorKey, MessageKey> = {
  latencyP95Ms: 'monitor.title.latency',
  errorRate: 'monitor.title.errors',
  minPerDay: 'monitor.title.use',
  missingShare: 'monitor.title.missing',
  outOfRangeShare: 'monitor.title.outOfRange',
  unseenShare: 'monitor.title.unseen',
  invalidShare: 'monitor.title.invalid',
  confidenceDrop: 'monitor.title.confidence',
  quality: 'monitor.title.quality',
  fairnessScore: 'monitor.title.fairness',
  drift: 'monitor.title.drift',
};

/** A quality measure by its ML name (with ML details) and in plain words (the field view). */
export const METRIC: Record<QualityMetric, { ml: MessageKey; plain: MessageKey }> = {
  auc: { ml: 'metric.auc', plain: 'metric.plain.auc' },
  accuracy: { ml: 'metric.accuracy', plain: 'metric.plain.accuracy' },
  f1: { ml: 'metric.f1Short', plain: 'metric.plain.f1' },
  r2: { ml: 'metric.r2', plain: 'metric.plain.r2' },
  mae: { ml: 'metric.mae', plain: 'metric.plain.mae' },
  rmse: { ml: 'metric.rmse', plain: 'metric.plain.rmse' },
};

export const MODE: Record<DeploymentMode, MessageKey> = {
  single: 'deploy.modeLabel.single',
  shadow: 'deploy.modeLabel.shadow',
  canary: 'deploy.modeLabel.canary',
  blue_green: 'deploy.modeLabel.blueGreen',
};

export const LEVEL: Record<AutomationLevel, MessageKey> = {
  human: 'deploy.levelLabel.human',
  assist: 'deploy.levelLabel.assist',
  partial: 'deploy.levelLabel.partial',
  full: 'deploy.levelLabel.full',
};

/** How a column is read, in plain words ("number", "free text"). */
export const TYPE: Record<ColumnInfo['type'], MessageKey> = {
  numeric: 'data.type.numeric',
  categorical: 'data.type.categorical',
  date: 'data.type.date',
  text: 'data.type.text',
};

/**
 * Why training or a prediction failed, when the reason is a known one (`failureReason` in
 * lib/said-error.ts finds its code from the error's name or the engine's own words).
 */
export const FAILURE_REASON: Record<string, MessageKey> = {
  out_of_memory: 'error.reason.memory',
  gpu_lost: 'error.reason.gpuLost',
  no_model: 'error.reason.noModel',
  storage_full: 'error.reason.storageFull',
};

/**
 * Placeholders that hold codes, by message: `formatMessage` says each known code by its key in the
 * same language, so a refused stage move names both stages in the person's words.
 */
export const CODED_VALUES: Partial<Record<MessageKey, Record<string, Record<string, MessageKey>>>> = {
  'error.stageMove': { from: STAGE, to: STAGE },
  'refusal.stageChanged': { current: STAGE, to: STAGE },
  'error.trainFailed': { reason: FAILURE_REASON },
  'error.predictFailed': { reason: FAILURE_REASON },
  'fineTune.otherKind': { kind: TYPE, wanted: TYPE },
};
