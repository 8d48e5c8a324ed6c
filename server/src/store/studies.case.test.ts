import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pulledTables } from '@shared/sync/protocol.js';
import { newStudy } from '@shared/study/draft.js';
import { defaultSpace } from '@shared/study/trials.js';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { applyPush, pull, type DeviceRef } from './sync.js';
import { change, insertRecord, project, stamp, T0 } from './fixtures.js';

// Hyperparameter searches (protocol 8) on both stores: the study is last-writer-wins (its status
// moves on), each finished trial append-only by its `<study>.<number>` id, so a trial sent twice
// (a retried push, a restored backup) is one record; both are pulled by devices that know them.
const study = newStudy({
  id: 'st1',
  projectId: 'p1',
  datasetId: 'd1',
  base: {
    task: 'classification',
    target: 'y',
    features: ['a'],
    epochs: 5,
    batchSize: 16,
    learningRate: 0.01,
    hiddenLayers: [8],
    validationFraction: 0.2,
    seed: 1,
  },
  space: defaultSpace(),
  objective: 'valLoss',
  trials: 20,
  seed: 4,
  pruneEarly: true,
  backend: 'wasm',
  now: T0,
});
const trial = (number: number, state = 'complete') => ({
  id: `st1.${number}`,
  studyId: 'st1',
  projectId: 'p1',
  number,
  state,
  params: { learningRate: 0.01, layers: 1, units: 16, batchSize: 32 },
  ...(state === 'complete' ? { value: 0.3 } : {}),
  intermediate: [0.5, 0.4, state === 'complete' ? 0.3 : null],
  startedAt: T0,
  finishedAt: T0 + 1000,
  durationMs: 1000,
});

describe.each(STORES)('searches: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let orgId: string;
  let device: DeviceRef;
  beforeAll(async () => {
    db = await factory.open();
    orgId = (await createOrg(db, 'Searches')).org.id;
    await insertRecord(db, orgId, 'projects', 'p1', project('p1'));
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, 'phone', T0);
    device = { id: d.deviceId, orgId: d.orgId };
  });
  afterAll(async () => db?.drop());

  const pulled = async (protocol: number) => (await pull(db, orgId, 0, 1000, undefined, pulledTables(protocol))).records;

  it('keeps a study and its trials, a trial sent twice once, and the study’s newest status', async () => {
    const r1 = await applyPush(
      db,
      device,
      0,
      [change('studies', 'st1', study), change('trials', 'st1.0', trial(0)), change('trials', 'st1.1', trial(1, 'pruned'))],
      T0,
    );
    expect(r1).toMatchObject({ applied: 3, rejected: [] });
    const r2 = await applyPush(
      db,
      device,
      1,
      [change('trials', 'st1.1', trial(1, 'pruned')), change('studies', 'st1', { status: 'stopped', stopReason: 'person' }, stamp(T0 + 5))],
      T0 + 5,
    );
    expect(r2).toMatchObject({ applied: 1, ignored: 1, rejected: [] });
    const records = await pulled(8);
    const trials = records.filter((r) => r.table === 'trials');
    expect(trials.map((r) => r.id).sort()).toEqual(['st1.0', 'st1.1']);
    const s = records.find((r) => r.table === 'studies' && r.id === 'st1');
    expect(s?.data).toMatchObject({ status: 'stopped', stopReason: 'person', seed: 4, sampler: { nStartupTrials: 10, nEiCandidates: 24 } });
    // A version 7 app cannot read the tables' names: it is sent neither.
    expect((await pulled(7)).filter((r) => r.table === 'studies' || r.table === 'trials')).toEqual([]);
  });

  it('refuses a study with a budget of nothing and a trial of the wrong shape, each alone', async () => {
    const r = await applyPush(
      db,
      device,
      2,
      [
        change('studies', 'st2', { ...study, id: 'st2', budget: {} }),
        change('trials', 'st1.2', { ...trial(2), state: 'running' }),
        change('trials', 'st1.3', trial(3)),
      ],
      T0 + 6,
    );
    expect(r.rejected.map((x) => [x.id, x.code]).sort()).toEqual([
      ['st1.2', 'invalid_body'],
      ['st2', 'invalid_body'],
    ]);
    expect(r.applied).toBe(1);
  });
});
