// Test support: valid records for the device's database.
import type { Prediction } from '@shared/schema/records.js';
import { newId } from './mutate.js';

/** A valid logged prediction (a new id each time), with any fields given. */
export const loggedPrediction = (fields: Partial<Prediction> = {}): Prediction => ({
  id: newId(),
  projectId: 'p',
  modelVersionId: 'm',
  inputs: { x: 1 },
  output: { value: 1 },
  latencyMs: 0,
  source: 'form',
  createdAt: 0,
  ...fields,
});
