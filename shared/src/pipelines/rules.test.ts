import { describe, expect, it } from 'vitest';
import type { Pipeline, PipelineRun } from '../schema/pipeline-spec.js';
import type { TrainParams } from '../schema/records.js';
import { draftPipeline } from './draft.js';
import { shouldRun } from './rules.js';

const params = {
  task: 'classification',
  target: 'y',
  features: ['a'],
  epochs: 1,
  batchSize: 8,
  learningRate: 0.01,
  hiddenLayers: [],
  validationFraction: 0.2,
  seed: 1,
} as TrainParams;
const pipeline = (rules: Pipeline['rules']): Pipeline => ({ ...draftPipeline('proj', 'data', params, 'triage', 100), rules });
const version = (id: string, createdAt: number, change: { rowsAdded?: number; rowsChanged?: number; rowsRemoved?: number } = { rowsAdded: 5 }) => ({
  id,
  datasetId: 'data',
  createdAt,
  change: { kind: 'entries' as const, rowsAdded: 0, rowsRemoved: 0, rowsChanged: 0, columnsAdded: [], columnsRemoved: [], sentence: '', ...change },
});
const last = (versionId: string, startedAt: number, status: PipelineRun['status'] = 'done') => ({
  status,
  startedAt,
  input: { versionId, rulesKey: 'r', productionId: null },
});

describe('when a pipeline runs again by itself', () => {
  it('on a newer version that added or changed rows, when the rule is on', () => {
    const on = pipeline({ onNewRows: true, onRetrainProposal: false });
    expect(shouldRun(on, last('v1', 200), version('v2', 300), [])).toEqual({ kind: 'new_rows', versionId: 'v2' });
    expect(shouldRun(on, last('v1', 200), version('v2', 300, { rowsChanged: 3 }), [])).toEqual({ kind: 'new_rows', versionId: 'v2' });
    // The version it last ran on, one older than its last run, one that only removed rows: no.
    expect(shouldRun(on, last('v2', 200), version('v2', 300), [])).toBeNull();
    expect(shouldRun(on, last('v1', 400), version('v2', 300), [])).toBeNull();
    expect(shouldRun(on, last('v1', 200), version('v2', 300, { rowsRemoved: 4 }), [])).toBeNull();
    expect(shouldRun(on, last('v1', 200), { ...version('v2', 300), datasetId: 'other' }, [])).toBeNull();
    // Never run: a version made after the pipeline was declared counts.
    expect(shouldRun(on, undefined, version('v2', 300), [])).toEqual({ kind: 'new_rows', versionId: 'v2' });
    expect(shouldRun(on, undefined, version('v0', 50), [])).toBeNull();
    // Rule off, or a run still going: no.
    expect(shouldRun(pipeline({ onNewRows: false, onRetrainProposal: false }), last('v1', 200), version('v2', 300), [])).toBeNull();
    expect(shouldRun(on, last('v1', 200, 'running'), version('v2', 300), [])).toBeNull();
  });

  it('on a retraining proposal for its model seen after the last run, when the rule is on', () => {
    const on = pipeline({ onNewRows: false, onRetrainProposal: true });
    const proposal = { modelName: 'triage', modelVersionId: 'mv1', at: 500 };
    expect(shouldRun(on, last('v1', 200), version('v1', 100), [proposal])).toEqual({ kind: 'retrain', modelVersionId: 'mv1' });
    expect(shouldRun(on, last('v1', 600), version('v1', 100), [proposal])).toBeNull();
    expect(shouldRun(on, last('v1', 200), version('v1', 100), [{ ...proposal, modelName: 'other' }])).toBeNull();
    expect(shouldRun(pipeline({ onNewRows: true, onRetrainProposal: false }), last('v1', 200), version('v1', 100), [proposal])).toBeNull();
  });
});

describe('a first pipeline', () => {
  it("takes the project's promotion checks as its gates, as a copy the person can change", () => {
    const gates = { minMetric: { metric: 'accuracy' as const, value: 0.8 }, maxModelKb: 500 };
    const p = draftPipeline('proj', 'data', params, 'triage', 100, gates);
    expect(p.steps.gate).toEqual({ on: true, gates });
    p.steps.gate.gates.maxModelKb = 900;
    expect(gates.maxModelKb).toBe(500);
    expect(draftPipeline('proj', 'data', params, 'triage', 100).steps.gate.gates).toEqual({});
  });
});
