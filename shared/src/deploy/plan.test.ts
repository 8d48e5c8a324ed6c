import { describe, expect, it } from 'vitest';
import { applyLevel, planCase, predictionDeployment } from './plan.js';
import { canaryArm } from './assign.js';
import { DeploymentState, type Deployment } from '../schema/deployment.js';

const dep = (state: DeploymentState, revision = 3): Deployment => ({
  id: 'proj',
  projectId: 'proj',
  revision,
  state: DeploymentState.parse(state),
  changedBy: { kind: 'person', id: 'ada', name: 'Ada', role: 'ml_lead' },
  why: 'test',
  at: 1,
});
const all = () => true;

describe('the plan of one case', () => {
  it('single and blue-green: only the champion runs', async () => {
    for (const mode of ['single', 'blue_green'] as const) {
      const p = await planCase(dep({ mode, champion: 'v1', challenger: mode === 'single' ? null : 'v2', level: 'full' }), {}, all);
      expect(p.runs).toEqual([{ arm: 'champion', versionId: 'v1', primary: true }]);
      expect(p.behind).toBe(false);
    }
  });

  it('shadow: the champion answers and the challenger runs hidden; without a champion people decide', async () => {
    const p = await planCase(dep({ mode: 'shadow', champion: 'v1', challenger: 'v2', level: 'full' }), {}, all);
    expect(p.runs).toEqual([
      { arm: 'champion', versionId: 'v1', primary: true },
      { arm: 'challenger', versionId: 'v2', primary: false },
    ]);
    const people = await planCase(dep({ mode: 'shadow', champion: null, challenger: 'v2', level: 'full' }), {}, all);
    expect(people.runs).toEqual([{ arm: 'challenger', versionId: 'v2', primary: false }]);
    expect(people.level).toBe('human');
  });

  it('canary: the subject’s arm answers, the same one canaryArm gives', async () => {
    const state: DeploymentState = {
      mode: 'canary',
      champion: 'v1',
      challenger: 'v2',
      level: 'assist',
      canary: { keyColumn: 'patient', ramp: [0.5], step: 0, advance: null, rollbackOn: ['errorRate'], stepSince: 0 },
    };
    for (let i = 0; i < 40; i++) {
      const row = { patient: `p${i}` };
      const p = await planCase(dep(state), row, all);
      const { arm } = await canaryArm('proj', state, row);
      expect(p.runs).toEqual([{ arm, versionId: arm === 'champion' ? 'v1' : 'v2', primary: true }]);
    }
    const missing = await planCase(dep(state), {}, all);
    expect(missing.keyMissing).toBe(true);
    expect(missing.runs[0].arm).toBe('champion');
  });

  it('a device without the new version answers with the one it has, and says it is behind', async () => {
    const has = (id: string) => id === 'v0';
    const p = await planCase(dep({ mode: 'shadow', champion: 'v1', challenger: 'v2', level: 'full' }), {}, has, 'v0');
    expect(p.runs).toEqual([{ arm: 'champion', versionId: 'v0', primary: true }]);
    expect(p.behind).toBe(true);
    const nothing = await planCase(dep({ mode: 'single', champion: 'v1', challenger: null, level: 'full' }), {}, () => false, null);
    expect(nothing.runs).toEqual([]);
    expect(nothing.level).toBe('human');
  });
});

describe('levels of automation', () => {
  const sure = { label: 'yes', probabilities: { yes: 0.93, no: 0.07 } };
  const unsure = { label: 'yes', probabilities: { yes: 0.62, no: 0.38 } };
  it('hide, suggest, defer or decide', () => {
    expect(applyLevel('human', undefined, sure)).toEqual({ shown: false, personDecides: true, deferred: false });
    expect(applyLevel('assist', undefined, sure)).toEqual({ shown: true, personDecides: true, deferred: false });
    expect(applyLevel('partial', 0.9, sure)).toEqual({ shown: true, personDecides: false, deferred: false });
    expect(applyLevel('partial', 0.9, unsure)).toEqual({ shown: false, personDecides: true, deferred: true });
    expect(applyLevel('partial', 0.62, unsure).deferred).toBe(false);
    expect(applyLevel('full', undefined, unsure)).toEqual({ shown: true, personDecides: false, deferred: false });
  });
  it('a failed answer leaves the case to the person at every level', () => {
    for (const level of ['human', 'assist', 'partial', 'full'] as const) expect(applyLevel(level, 0.5, {}).personDecides).toBe(true);
  });
  it('only the primary answer of a case is marked shown', async () => {
    const d = dep({ mode: 'shadow', champion: 'v1', challenger: 'v2', level: 'full' }, 7);
    const plan = await planCase(d, {}, all);
    const lvl = applyLevel('full', undefined, sure);
    expect(predictionDeployment(d, plan, plan.runs[0], 'c1', lvl)).toEqual({
      revision: 7,
      mode: 'shadow',
      level: 'full',
      arm: 'champion',
      caseId: 'c1',
      shown: true,
    });
    expect(predictionDeployment(d, plan, plan.runs[1], 'c1', lvl)).toMatchObject({ arm: 'challenger', shown: false });
  });
});

describe('what a deployment may say', () => {
  const bad = (s: unknown) => DeploymentState.safeParse(s).success;
  it('refuses states that make no sense, each with a reason', () => {
    expect(bad({ mode: 'single', champion: 'v1', challenger: 'v2', level: 'full' })).toBe(false);
    expect(bad({ mode: 'canary', champion: 'v1', challenger: null, level: 'full' })).toBe(false);
    expect(bad({ mode: 'canary', champion: 'v1', challenger: 'v2', level: 'full' })).toBe(false);
    expect(bad({ mode: 'single', champion: null, challenger: null, level: 'full' })).toBe(false);
    expect(bad({ mode: 'shadow', champion: 'v1', challenger: 'v1', level: 'full' })).toBe(false);
    expect(bad({ mode: 'single', champion: 'v1', challenger: null, level: 'partial' })).toBe(false);
    const ramp = (r: number[], step = 0) => ({
      mode: 'canary',
      champion: 'v1',
      challenger: 'v2',
      level: 'full',
      canary: { keyColumn: 'k', ramp: r, step, advance: null, rollbackOn: [], stepSince: 0 },
    });
    expect(bad(ramp([0.5, 0.25]))).toBe(false);
    expect(bad(ramp([0, 0.25]))).toBe(false);
    expect(bad(ramp([0.25], 1))).toBe(false);
    expect(bad(ramp([0.05, 0.25, 0.5, 1], 3))).toBe(true);
    expect(bad({ mode: 'shadow', champion: null, challenger: 'v2', level: 'human' })).toBe(true);
  });
});
