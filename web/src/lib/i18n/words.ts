import type { Prediction, Stage, Task } from '@shared/schema/records.js';
import type { RegistryEvent } from '@shared/schema/registry.js';
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
