import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentState } from '@shared/schema/deployment.js';
import type { ModelVersion } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { saveLocalBlob } from '../db/blobs.js';
import { newId, putRecords } from '../db/mutate.js';
import { isNewerDeployment, keepPulledDeployment, rememberServed } from '../db/deployments.js';
import { loggedPrediction } from '../db/fixtures.testing.js';
import { deploymentReport } from './status.js';
import { projectDeploymentView } from './view.js';
import { deviceFigures } from './figures.js';
import { deployedResultsCsv, type CaseResult } from './serve.js';

// How a device follows its deployments (no model runs here: weights are blobs, predictions fixtures).
const T0 = Date.UTC(2026, 5, 1);

function version(id: string, n: number, stage: ModelVersion['stage'] = 'none'): ModelVersion {
  return {
    id,
    projectId: 'p',
    modelName: 'triage',
    version: n,
    task: 'classification',
    pipeline: {
      version: 1,
      features: [{ name: 'x', kind: 'numeric', mean: 0, std: 1, impute: 0 }],
      target: { name: 'y', kind: 'categorical', labels: ['a', 'b'] },
    },
    artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: [] },
    weightsHash: `${id}`.padEnd(64, '0'),
    weightsSize: 4,
    stage,
    schemaVersion: 1,
    appVersion: 't',
    createdAt: T0 + n,
  };
}

const dep = (revision: number, state: Partial<DeploymentState>, at = T0): Deployment => ({
  id: 'p',
  projectId: 'p',
  revision,
  state: { mode: 'single', champion: 'a', challenger: null, level: 'full', ...state } as DeploymentState,
  changedBy: { kind: 'person', id: 'l', name: 'Lead' },
  why: '',
  at,
});

async function device() {
  const db = new OutpostDb(`status-${newId()}`);
  await db.model_versions.bulkPut([version('a', 1, 'production'), version('b', 2), version('c', 3)]);
  await saveLocalBlob(db, version('a', 1).weightsHash, new ArrayBuffer(4));
  await saveLocalBlob(db, version('b', 2).weightsHash, new ArrayBuffer(4));
  return db;
}

describe('following a deployment', () => {
  it('keeps only a newer revision (on the same revision, the later change)', async () => {
    const db = await device();
    expect(await keepPulledDeployment(db, dep(3, {}))).toBe(true);
    expect(await keepPulledDeployment(db, dep(2, { level: 'human' }))).toBe(false);
    expect(await keepPulledDeployment(db, dep(3, { level: 'assist' }))).toBe(false);
    expect(isNewerDeployment(dep(3, {}, T0 + 1), dep(3, {}))).toBe(true);
    expect((await db.deployments.get('p'))?.state.level).toBe('full');
  });

  it('reports ready versions, what answers, and whether it is behind; the champion missing, the version served last answers', async () => {
    const db = await device();
    await keepPulledDeployment(db, dep(1, { mode: 'shadow', challenger: 'b' }));
    expect(await deploymentReport(db)).toEqual({
      ready: expect.arrayContaining(['a', 'b']),
      deployments: [{ projectId: 'p', revision: 1, serving: 'a', behind: false }],
    });
    expect((await deploymentReport(db)).ready).toHaveLength(2);

    // Blue-green switched to c, whose weights are not here: the production version answers meanwhile, then the one served last.
    await keepPulledDeployment(db, dep(2, { mode: 'blue_green', champion: 'c', challenger: 'a' }));
    expect((await deploymentReport(db)).deployments).toEqual([{ projectId: 'p', revision: 2, serving: 'a', behind: true }]);
    await rememberServed(db, 'p', 'b');
    const view = await projectDeploymentView(db, 'p');
    expect(view?.following).toEqual({ missing: ['c'], instead: 'b', serving: 'b' });
    expect(await projectDeploymentView(db, 'other')).toBeNull();

    // Shadow with people deciding: nothing answers.
    await keepPulledDeployment(db, dep(3, { mode: 'shadow', champion: null, challenger: 'b', level: 'human' }));
    expect((await deploymentReport(db)).deployments).toEqual([{ projectId: 'p', revision: 3, serving: null, behind: false }]);
  });

  it('figures per arm read this phone’s log of the current pairing only', async () => {
    const db = await device();
    const d = dep(5, { mode: 'shadow', challenger: 'b' });
    const at = (arm: 'champion' | 'challenger', caseId: string, extra = {}) => ({
      revision: 5,
      mode: 'shadow' as const,
      level: 'full' as const,
      arm,
      caseId,
      shown: arm === 'champion',
      ...extra,
    });
    await putRecords(db, 'predictions', [
      loggedPrediction({ projectId: 'p', modelVersionId: 'a', output: { label: 'a' }, deployment: at('champion', 'k1') }),
      loggedPrediction({ projectId: 'p', modelVersionId: 'b', output: { label: 'a' }, deployment: at('challenger', 'k1') }),
      loggedPrediction({ projectId: 'p', modelVersionId: 'a', output: { label: 'a' }, deployment: at('champion', 'k2') }),
      loggedPrediction({ projectId: 'p', modelVersionId: 'b', output: { label: 'b' }, deployment: at('challenger', 'k2') }),
      // An earlier pairing (c was the challenger) and a prediction outside any deployment are left out.
      loggedPrediction({ projectId: 'p', modelVersionId: 'c', output: { label: 'b' }, deployment: at('challenger', 'k0') }),
      loggedPrediction({ projectId: 'p', modelVersionId: 'a', output: { label: 'b' } }),
    ]);
    const f = await deviceFigures(db, d);
    expect(f.read).toBe(4);
    expect([f.champion.predictions, f.challenger.predictions]).toEqual([2, 2]);
    expect(f.agreement).toEqual({ cases: 2, agree: 1, rate: 0.5 });
  });
});

describe('a scored file under a deployment', () => {
  it('says who answered each row and whether a person must decide; a hidden answer is left empty', () => {
    const base = { projectId: 'p', level: 'partial' as const, behind: false, keyMissing: false };
    const results: CaseResult[] = [
      {
        ...base,
        caseId: '1',
        arm: 'champion',
        versionId: 'a',
        output: { label: 'a' },
        shown: true,
        personDecides: false,
        deferred: false,
        predictionIds: ['p1'],
      },
      {
        ...base,
        caseId: '2',
        arm: 'challenger',
        versionId: 'b',
        output: { label: 'b' },
        shown: false,
        personDecides: true,
        deferred: true,
        predictionIds: ['p2'],
      },
    ];
    const csv = deployedResultsCsv([version('a', 1), version('b', 2)], [{ x: 1 }, { x: 2 }], results);
    expect(csv).toBe('prediction_id,x,prediction,answered_by,arm,decided_by\np1,1,a,version 1,champion,model\np2,2,,version 2,challenger,person needed\n');
  });
});
