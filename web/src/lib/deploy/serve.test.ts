import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { sha256Hex } from '@shared/data/hash.js';
import { canaryArm } from '@shared/deploy/assign.js';
import { topProbability } from '@shared/deploy/plan.js';
import { deploymentFigures } from '@shared/deploy/figures.js';
import type { Deployment, DeploymentState } from '@shared/schema/deployment.js';
import type { ModelVersion, Prediction } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { saveLocalBlob } from '../db/blobs.js';
import { newId, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { lastServed, rememberServed } from '../db/deployments.js';
import { trainModel } from '../ml/train.js';
import { Predictor } from '../ml/client.js';
import { inProcessWorker } from '../ml/in-process-worker.js';
import { loadSample, sampleParams } from '../ml/test-data.js';
import { loadedModelCount } from '../monitor/predict.js';
import { predictDeployed, type CaseResult } from './serve.js';
import { recordDecision } from './decisions.js';
import { localHold } from './hold.js';
import { logPredictions, recordOutcomes } from '../db/monitoring.js';
import { DECISION_COLUMN, measureDecisionBaseline, RESULT_COLUMN } from './figures.js';

// Serving under a deployment with two small models really trained on the iris sample, predicting
// through the real prediction worker (in this thread: Node has no Web Workers), on Dexie over
// fake-indexeddb: what each mode runs, what each level shows, and what the log keeps.
const iris = loadSample('iris');
const T0 = Date.UTC(2026, 5, 1);
type Row = Record<string, string | number | null>;
const db = new OutpostDb(`serve-${newId()}`);
let projectId: string;
let champion: ModelVersion;
let challenger: ModelVersion;
/** A version this device has the record of but not the weights (not downloaded yet). */
let absent: ModelVersion;

async function version(n: number, epochs: number, keepWeights = true): Promise<ModelVersion> {
  const r = await trainModel(iris.rows, sampleParams(iris, 'classification', 'species', { epochs, seed: n }), iris.columns);
  const hash = await sha256Hex(r.weights);
  if (keepWeights) await saveLocalBlob(db, hash, r.weights.slice(0));
  const mv: ModelVersion = {
    id: newId(),
    projectId,
    modelName: 'iris',
    version: n,
    task: 'classification',
    pipeline: r.pipeline,
    artifacts: r.artifacts,
    weightsHash: hash,
    weightsSize: r.weights.byteLength,
    stage: n === 1 ? 'production' : 'staging',
    schemaVersion: 1,
    appVersion: 'test',
    createdAt: T0 + n,
  };
  return putRecord(db, 'model_versions', mv, T0);
}

let revision = 0;
function deployment(state: Partial<DeploymentState>): Deployment {
  const s = { mode: 'single', champion: champion.id, challenger: null, level: 'full', ...state } as DeploymentState;
  return { id: projectId, projectId, revision: ++revision, state: s, changedBy: { kind: 'person', id: 'lead', name: 'Lead' }, why: 'test', at: T0 };
}

const rows = (n: number, from = 0): Row[] => iris.rows.slice(from, from + n).map((r, i) => ({ ...r, patient: `P${from + i}` }));

async function logged(results: CaseResult[]): Promise<Prediction[]> {
  return (await db.predictions.bulkGet(results.flatMap((r) => r.predictionIds))) as Prediction[];
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Two models stay loaded at once, each in its own worker: a few separate copies of the worker
  // module (an in-process worker serves one Worker at a time), handed out in turn.
  const pool: Awaited<ReturnType<typeof inProcessWorker>>[] = [];
  for (let k = 0; k < 4; k++)
    pool.push(await inProcessWorker(() => import(/* @vite-ignore */ new URL(`../ml/predict.worker.ts?copy=${k}`, import.meta.url).href)));
  // The worker asks for WASM by default, whose binaries are the app's asset URLs: without it, the CPU backend.
  tf.removeBackend('wasm');
  let made = 0;
  vi.stubGlobal('Worker', function () {
    return pool[made++ % pool.length].create();
  });
  projectId = (await createProject(db, 'Flowers')).id;
  champion = await version(1, 2);
  challenger = await version(2, 30);
  absent = await version(3, 1, false);
}, 60_000);
afterAll(() => {
  vi.unstubAllGlobals();
  db.close();
});

describe('modes', () => {
  it('single, full automation: the champion answers and decides each case; each prediction carries the deployment', async () => {
    const d = deployment({});
    const results = await predictDeployed(db, d, rows(5), 'batch');
    expect(results.map((r) => [r.arm, r.versionId, r.shown, r.personDecides, r.behind])).toEqual(Array(5).fill(['champion', champion.id, true, false, false]));
    const ps = await logged(results);
    expect(ps).toHaveLength(5);
    ps.forEach((p, i) => {
      expect(p.modelVersionId).toBe(champion.id);
      expect(p.deployment).toEqual({ revision: d.revision, mode: 'single', level: 'full', arm: 'champion', caseId: results[i].caseId, shown: true });
      expect(p.output).toEqual(results[i].output);
    });
    expect(new Set(results.map((r) => r.caseId)).size).toBe(5);
    expect(await lastServed(db, projectId)).toBe(champion.id);
    // The monitors' day counts keep working: each logged prediction is counted.
    const day = (await db.monitorDays.where('projectId').equals(projectId).toArray()).find((r) => r.modelVersionId === champion.id);
    expect(day?.summary.predictions).toBeGreaterThanOrEqual(5);
  });

  it('shadow: both run on every case under one case id, only the champion’s answer is shown, and neither model is loaded again', async () => {
    const d = deployment({ mode: 'shadow', challenger: challenger.id, level: 'assist' });
    const loads = vi.spyOn(Predictor, 'load');
    await predictDeployed(db, d, rows(1), 'form');
    const before = loads.mock.calls.length;
    const results: CaseResult[] = [];
    for (const row of rows(4, 10)) results.push(...(await predictDeployed(db, d, [row], 'form')));
    expect(loads.mock.calls.length).toBe(before);
    expect(loadedModelCount()).toBe(2);
    loads.mockRestore();
    for (const r of results) {
      expect(r).toMatchObject({ arm: 'champion', versionId: champion.id, shown: true, personDecides: true, level: 'assist' });
      const ps = await logged([r]);
      expect(ps.map((p) => [p.modelVersionId, p.deployment?.arm, p.deployment?.shown, p.deployment?.caseId])).toEqual([
        [champion.id, 'champion', true, r.caseId],
        [challenger.id, 'challenger', false, r.caseId],
      ]);
      expect(r.output).toEqual(ps[0].output);
    }
    // The figures per arm read the same log: champion and challenger compared on the same cases.
    const f = deploymentFigures(await logged(results), []);
    expect(f.agreement.cases).toBe(4);
    expect(f.champion.shown).toBe(4);
    expect(f.challenger.shown).toBe(0);
  });

  it('canary: the same key always gets the same arm, the one shared/ assigns; a row without a key gets the champion and is marked', async () => {
    const d = deployment({
      mode: 'canary',
      challenger: challenger.id,
      canary: { keyColumn: 'patient', ramp: [0.5], step: 0, advance: null, rollbackOn: [], stepSince: T0 },
    });
    const some = rows(30, 40);
    const first = await predictDeployed(db, d, some, 'batch');
    const again = await predictDeployed(db, d, [...some].reverse(), 'batch');
    expect(again.map((r) => r.arm).reverse()).toEqual(first.map((r) => r.arm));
    for (const [i, r] of first.entries()) {
      const want = (await canaryArm(projectId, d.state, some[i])).arm;
      expect(r.arm).toBe(want);
      expect(r.versionId).toBe(want === 'champion' ? champion.id : challenger.id);
      expect(r.keyMissing).toBe(false);
    }
    expect(new Set(first.map((r) => r.arm))).toEqual(new Set(['champion', 'challenger']));
    const ps = await logged(first);
    expect(ps.every((p, i) => p.deployment?.arm === first[i].arm && p.modelVersionId === first[i].versionId && p.deployment.mode === 'canary')).toBe(true);

    const [noKey] = await predictDeployed(db, d, [{ ...some[0], patient: '  ' }], 'form');
    expect(noKey).toMatchObject({ arm: 'champion', versionId: champion.id, keyMissing: true });
    expect((await logged([noKey]))[0].deployment).toMatchObject({ arm: 'champion', keyMissing: true });
  });

  it('blue-green: only the champion runs; the other colour is only kept ready', async () => {
    const d = deployment({ mode: 'blue_green', challenger: challenger.id });
    const results = await predictDeployed(db, d, rows(6), 'batch');
    const ps = await logged(results);
    expect(ps).toHaveLength(6);
    expect(ps.every((p) => p.modelVersionId === champion.id && p.deployment?.arm === 'champion' && p.deployment.mode === 'blue_green')).toBe(true);
  });
});

describe('levels of automation', () => {
  it('human only: the answer is logged and hidden, the person decides', async () => {
    const [r] = await predictDeployed(db, deployment({ level: 'human' }), rows(1), 'form');
    expect(r).toMatchObject({ level: 'human', shown: false, personDecides: true, deferred: false });
    expect(r.output?.label).toBeDefined();
    expect((await logged([r]))[0].deployment).toMatchObject({ level: 'human', shown: false });
  });

  it('assistance: the answer is shown as a suggestion, the person decides', async () => {
    const [r] = await predictDeployed(db, deployment({ level: 'assist' }), rows(1), 'form');
    expect(r).toMatchObject({ level: 'assist', shown: true, personDecides: true, deferred: false });
    expect((await logged([r]))[0].deployment).toMatchObject({ level: 'assist', shown: true });
  });

  it('partial: the model decides when it is sure enough, else the case is deferred to the person, hidden', async () => {
    // The bar is the median of the champion's top probabilities, so it is sure of about half the flowers.
    const tops = (await predictDeployed(db, deployment({}), rows(150), 'batch')).map((r) => topProbability(r.output!)!).sort((a, b) => a - b);
    const bar = tops[75];
    const results = await predictDeployed(db, deployment({ level: 'partial', confidence: bar }), rows(150), 'batch');
    const ps = await logged(results);
    let sure = 0;
    for (const [i, r] of results.entries()) {
      const ok = topProbability(r.output!)! >= bar;
      sure += Number(ok);
      expect([r.shown, r.personDecides, r.deferred]).toEqual([ok, !ok, !ok]);
      expect(ps[i].deployment).toMatchObject({ level: 'partial', shown: ok });
      expect(ps[i].deployment?.deferred).toBe(ok ? undefined : true);
    }
    expect(sure).toBeGreaterThan(0);
    expect(sure).toBeLessThan(150);
  });

  it('full: the model decides', async () => {
    const [r] = await predictDeployed(db, deployment({ level: 'full' }), rows(1), 'form');
    expect(r).toMatchObject({ level: 'full', shown: true, personDecides: false, deferred: false });
  });
});

describe('a device behind its deployment', () => {
  it('answers with the version it last served while the challenger’s weights are absent, and says so', async () => {
    await rememberServed(db, projectId, champion.id);
    const canary = deployment({
      mode: 'canary',
      challenger: absent.id,
      canary: { keyColumn: 'patient', ramp: [1], step: 0, advance: null, rollbackOn: [], stepSince: T0 },
    });
    const results = await predictDeployed(db, canary, rows(3), 'batch');
    expect(results.map((r) => [r.arm, r.versionId, r.behind, r.shown])).toEqual(Array(3).fill(['champion', champion.id, true, true]));
    expect((await logged(results)).every((p) => p.deployment?.behind === true && p.modelVersionId === champion.id)).toBe(true);

    // Shadow with the hidden version absent: the champion still answers; nothing hidden runs.
    const [s] = await predictDeployed(db, deployment({ mode: 'shadow', challenger: absent.id }), rows(1), 'form');
    expect(s).toMatchObject({ versionId: champion.id, behind: true, shown: true });
    expect(s.predictionIds).toHaveLength(1);

    // Blue-green switched to the absent colour: the one served last answers until it arrives.
    const [b] = await predictDeployed(db, deployment({ mode: 'blue_green', champion: absent.id, challenger: champion.id }), rows(1), 'form');
    expect(b).toMatchObject({ versionId: champion.id, arm: 'champion', behind: true });
  });

  it('with nothing it can run, leaves the case to the person and logs nothing', async () => {
    const fresh = new OutpostDb(`serve-empty-${newId()}`);
    await fresh.model_versions.put(absent);
    const [r] = await predictDeployed(fresh, { ...deployment({ champion: absent.id }) }, rows(1), 'form');
    expect(r).toMatchObject({ versionId: null, output: null, personDecides: true, shown: false, behind: true, level: 'human', predictionIds: [] });
    expect(await fresh.predictions.count()).toBe(0);
    await expect(recordDecision(fresh, r, 'setosa')).rejects.toThrow(/nothing to keep your decision against/);
    fresh.close();
  });
});

describe('decisions', () => {
  it('a person’s decision is an outcome with source “decision” against every prediction of the case, counted and queued for sync', async () => {
    const d = deployment({ mode: 'shadow', challenger: challenger.id, level: 'human' });
    const [r] = await predictDeployed(db, d, rows(1, 120), 'form');
    expect(r.predictionIds).toHaveLength(2);
    const before = await db.monitorDays.where('projectId').equals(projectId).toArray();
    const counted = (rows: typeof before) => rows.reduce((n, x) => n + x.summary.outcomes + x.summary.unknownOutcomes, 0);
    const report = await recordDecision(db, r, 'Virginica');
    expect(report.recorded).toBe(2);
    const outcomes = await db.outcomes.where('predictionId').anyOf(r.predictionIds).toArray();
    expect(outcomes.map((o) => [o.source, o.value]).sort()).toEqual([
      ['decision', 'virginica'],
      ['decision', 'virginica'],
    ]);
    expect(await db.outbox.filter((o) => o.table === 'outcomes').count()).toBeGreaterThanOrEqual(2);
    expect(counted(await db.monitorDays.where('projectId').equals(projectId).toArray())).toBe(counted(before) + 2);
    // The figures see the person's decision beside the challenger's hidden answer.
    const f = deploymentFigures(await logged([r]), outcomes);
    expect(f.decisions.count).toBe(1);
    expect(f.personAgreement.cases).toBe(1);

    await expect(recordDecision(db, r, 'tulip')).rejects.toThrow(/not one of this model's answers/);
  });

  it('people’s decisions that met their real result become the champion’s human baseline, beside the champion on the same cases', async () => {
    const d = deployment({ level: 'assist' });
    const cases = await predictDeployed(db, d, rows(3, 130), 'form');
    await recordDecision(db, cases[0], 'virginica');
    await recordDecision(db, cases[1], 'setosa');
    await recordDecision(db, cases[2], 'virginica');
    // The real results arrive for the first two only (iris rows 130-131 are virginica).
    await recordOutcomes(
      db,
      projectId,
      [cases[0], cases[1]].map((c) => ({ predictionId: c.predictionIds[0], value: 'virginica', source: 'follow_up' as const })),
    );
    const m = await measureDecisionBaseline(db, d);
    expect(m?.version.id).toBe(champion.id);
    expect(m?.baseline).toMatchObject({ rows: 2, decisionColumn: DECISION_COLUMN, targetColumn: RESULT_COLUMN });
    expect(m?.baseline.metrics).toMatchObject({ task: 'classification', n: 2, accuracy: 0.5 });
    // The champion answered the same two cases: its figures are scored on the same real results.
    const right = cases.slice(0, 2).filter((c) => c.output?.label === 'virginica').length;
    expect(m?.baseline.model).toMatchObject({ n: 2, accuracy: right / 2 });
  });
});

describe('a canary this phone stops on its own', () => {
  it('answers everyone with the champion while the new version’s failures are in alert here, and says why', async () => {
    const canary = deployment({
      mode: 'canary',
      challenger: challenger.id,
      canary: { keyColumn: 'patient', ramp: [1], step: 0, advance: null, rollbackOn: ['errorRate'], stepSince: T0 },
    });
    // Before any failure every patient gets the new version (the ramp is at 100%).
    const before = await predictDeployed(db, canary, rows(4, 60), 'batch');
    expect(before.map((r) => r.versionId)).toEqual(Array(4).fill(challenger.id));
    expect(await localHold(db, canary)).toBeNull();

    // The new version fails on this phone far above the 5% alert line.
    const failed: Prediction[] = Array.from({ length: 200 }, (_, i) => ({
      id: newId(),
      projectId,
      modelVersionId: challenger.id,
      inputs: {},
      output: {},
      latencyMs: 1,
      source: 'batch',
      createdAt: T0 + i,
      error: 'the model could not read this case',
    }));
    await logPredictions(db, challenger, failed);

    const hold = await localHold(db, canary);
    expect(hold?.reason).toMatch(/^This phone stopped the trial on its own: failures is in alert/);
    expect(hold?.deployment.state.mode).toBe('single');
    const after = await predictDeployed(db, canary, rows(4, 60), 'batch');
    expect(after.map((r) => [r.versionId, r.arm])).toEqual(Array(4).fill([champion.id, 'champion']));
    const ps = await logged(after);
    expect(ps.every((p) => p.deployment?.revision === canary.revision && p.deployment.mode === 'single')).toBe(true);

    // A later revision (a new trial from the team) starts its own count: the old failures are history.
    const next = { ...canary, revision: canary.revision + 1, at: T0 + 3 * 86_400_000 };
    expect(await localHold(db, next)).toBeNull();
  });
});
