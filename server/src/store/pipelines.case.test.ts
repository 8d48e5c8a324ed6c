import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pulledTables } from '@shared/sync/protocol.js';
import { draftPipeline } from '@shared/pipelines/draft.js';
import type { PipelineRun } from '@shared/schema/pipeline-spec.js';
import type { TrainParams } from '@shared/schema/records.js';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { applyPush, pull, type DeviceRef } from './sync.js';
import { change, insertRecord, project, stamp, T0 } from './fixtures.js';

// Training pipelines (protocol 9) on both stores: a project's pipeline and each of its runs are
// last-writer-wins records (a run is sent as it starts and again as it ends), pulled by devices
// that know the tables; a record that breaks its schema is refused alone.
const params: TrainParams = {
  task: 'classification',
  target: 'y',
  features: ['a'],
  epochs: 5,
  batchSize: 16,
  learningRate: 0.01,
  hiddenLayers: [8],
  validationFraction: 0.2,
  seed: 1,
};
const pipeline = draftPipeline('p1', 'd1', params, 'triage', T0);
const started: PipelineRun = {
  id: 'pr1',
  pipelineId: 'p1',
  projectId: 'p1',
  status: 'running',
  trigger: { kind: 'new_rows', versionId: 'v2' },
  input: { versionId: 'v2', rulesKey: 'a'.repeat(64), productionId: null },
  steps: [],
  cacheKeys: [],
  executed: 0,
  startedAt: T0,
};
const step = (name: PipelineRun['steps'][number]['name'], status: 'done' | 'reused' | 'failed' | 'skipped') => ({
  name,
  status,
  outputs: status === 'done' ? { hash: 'b'.repeat(64) } : {},
  ...(status === 'skipped' ? { skippedBecause: 'earlier_failed' as const } : { inputKey: 'c'.repeat(64), startedAt: T0, finishedAt: T0 + 1 }),
  ...(status === 'failed' ? { reason: { key: 'pipeline.reason.testsFail', values: { count: 1, sentences: '2 rows have age above 120.' } } } : {}),
});

describe.each(STORES)('pipelines: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let orgId: string;
  let device: DeviceRef;
  beforeAll(async () => {
    db = await factory.open();
    orgId = (await createOrg(db, 'Pipelines')).org.id;
    await insertRecord(db, orgId, 'projects', 'p1', project('p1'));
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, 'phone', T0);
    device = { id: d.deviceId, orgId: d.orgId };
  });
  afterAll(async () => db?.drop());

  const pulled = async (protocol: number) => (await pull(db, orgId, 0, 1000, undefined, pulledTables(protocol))).records;

  it('keeps a pipeline and its run, the run as it ended, and sends neither to an older app', async () => {
    const r1 = await applyPush(db, device, 0, [change('pipelines', 'p1', pipeline), change('pipeline_runs', 'pr1', started)], T0);
    expect(r1).toMatchObject({ applied: 2, rejected: [] });
    const ended = {
      ...started,
      status: 'failed',
      steps: [
        step('ingest', 'done'),
        step('validate', 'failed'),
        ...(['split', 'train', 'evaluate', 'gate', 'register'] as const).map((n) => step(n, 'skipped')),
      ],
      cacheKeys: ['c'.repeat(64)],
      executed: 2,
      finishedAt: T0 + 2,
      reason: { key: 'pipeline.reason.testsFail', values: { count: 1, sentences: '2 rows have age above 120.' } },
    };
    const rules = { onNewRows: true, onRetrainProposal: false };
    const r2 = await applyPush(
      db,
      device,
      1,
      [change('pipeline_runs', 'pr1', ended, stamp(T0 + 5)), change('pipelines', 'p1', { rules, updatedAt: T0 + 5 }, stamp(T0 + 5))],
      T0 + 5,
    );
    expect(r2).toMatchObject({ applied: 2, rejected: [] });
    const records = await pulled(9);
    const run = records.find((r) => r.table === 'pipeline_runs' && r.id === 'pr1');
    expect(run?.data).toMatchObject({ status: 'failed', executed: 2, reason: { key: 'pipeline.reason.testsFail' } });
    expect((run?.data as PipelineRun).steps.map((s) => s.status)).toEqual(['done', 'failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    const p = records.find((r) => r.table === 'pipelines' && r.id === 'p1');
    expect(p?.data).toMatchObject({ rules, steps: { register: { modelName: 'triage' } } });
    expect((await pulled(8)).filter((r) => r.table === 'pipelines' || r.table === 'pipeline_runs')).toEqual([]);
  });

  it('refuses a run with a step of no known name and a pipeline without its train step, each alone', async () => {
    const { train: _train, ...noTrain } = pipeline.steps;
    void _train;
    const r = await applyPush(
      db,
      device,
      2,
      [
        change('pipeline_runs', 'pr2', { ...started, id: 'pr2', steps: [{ ...step('ingest', 'done'), name: 'deploy' }] }),
        change('pipelines', 'p2', { ...pipeline, id: 'p2', steps: noTrain }),
        change('pipeline_runs', 'pr3', { ...started, id: 'pr3' }),
      ],
      T0 + 6,
    );
    expect(r.rejected.map((x) => [x.id, x.code]).sort()).toEqual([
      ['p2', 'invalid_body'],
      ['pr2', 'invalid_body'],
    ]);
    expect(r.applied).toBe(1);
  });
});
