import type { Stage } from '@shared/schema/records.js';
import type { MessageKey } from './catalogue.js';

// Codes that shared/ and the database hold, as the keys screens say them with.

export const STAGE: Record<Stage, MessageKey> = {
  none: 'stage.none',
  staging: 'stage.staging',
  production: 'stage.production',
  archived: 'stage.archived',
};
