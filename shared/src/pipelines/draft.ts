import type { Pipeline } from '../schema/pipeline-spec.js';
import type { TrainParams } from '../schema/records.js';
import type { Gates } from '../registry/gates.js';

/**
 * A project's first pipeline for one dataset and the training settings on screen: every step on,
 * the data tests required, the split's shares and seed taken from the settings (15% test rows when
 * they name none, as the Train tab holds apart), the project's promotion checks as its gates
 * (a copy: the person may change them here), the model registered under
 * `modelName` without becoming production, and no rule (it runs on a tap until a person turns
 * one on). Its id is the project's: one pipeline per project.
 */
export function draftPipeline(projectId: string, datasetId: string, params: TrainParams, modelName: string, now: number, gates: Gates = {}): Pipeline {
  return {
    id: projectId,
    projectId,
    steps: {
      ingest: { datasetId },
      validate: { on: true, requireTests: true },
      split: { on: true, validationFraction: params.validationFraction, testFraction: params.testFraction ?? 0.15, seed: params.seed },
      train: { params, backend: 'wasm' },
      evaluate: { on: true },
      gate: { on: true, gates: { ...gates } },
      register: { on: true, modelName, makeProduction: false },
    },
    rules: { onNewRows: false, onRetrainProposal: false },
    createdAt: now,
    updatedAt: now,
  };
}
