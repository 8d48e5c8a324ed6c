import { describe, expect, it } from 'vitest';
import { advanceDue, advanced, rolledBack, rollbackReason, switched, type ChallengerHealth } from './changes.js';
import type { DeploymentState } from '../schema/deployment.js';

const canary: DeploymentState = {
  mode: 'canary',
  champion: 'v1',
  challenger: 'v2',
  level: 'full',
  canary: {
    keyColumn: 'k',
    ramp: [0.05, 0.25, 1],
    step: 0,
    advance: { minPredictions: 100, minHours: 24 },
    rollbackOn: ['errorRate', 'drift'],
    stepSince: 1000,
  },
};
const healthy: ChallengerHealth = {
  states: [{ key: 'errorRate', state: 'ok', title: 'Failed predictions', detail: '0%' }],
  drifted: false,
  predictionsAtStep: 150,
};
const HOUR = 3_600_000;

describe('deployment changes', () => {
  it('advance walks the ramp and stops at its end', () => {
    const one = advanced(canary, 5000)!;
    expect(one.canary).toMatchObject({ step: 1, stepSince: 5000 });
    expect(advanced(advanced(one, 6000)!, 7000)).toBeNull();
    expect(advanced({ mode: 'single', champion: 'v1', challenger: null, level: 'full' }, 1)).toBeNull();
  });
  it('blue-green switches and switches back; other modes do not switch', () => {
    const bg: DeploymentState = { mode: 'blue_green', champion: 'blue', challenger: 'green', level: 'full' };
    expect(switched(bg)).toMatchObject({ champion: 'green', challenger: 'blue' });
    expect(switched(switched(bg)!)).toEqual(bg);
    expect(switched(canary)).toBeNull();
  });
  it('a rolled back canary leaves the champion answering everyone', () => {
    expect(rolledBack(canary)).toEqual({ mode: 'single', champion: 'v1', challenger: null, level: 'full' });
  });
  it('rolls back on the first chosen monitor in alert, and only on chosen ones', () => {
    expect(rollbackReason(canary, healthy)).toBeNull();
    const failing = {
      ...healthy,
      states: [{ key: 'errorRate' as const, state: 'alert' as const, title: 'Failed predictions', detail: '12% of predictions failed' }],
    };
    expect(rollbackReason(canary, failing)).toMatch(/failed predictions is in alert.*12% of predictions failed/);
    const slow = { ...healthy, states: [{ key: 'latencyP95Ms' as const, state: 'alert' as const, title: 'Speed', detail: 'slow' }] };
    expect(rollbackReason(canary, slow)).toBeNull();
    expect(rollbackReason(canary, { ...healthy, drifted: true })).toMatch(/drifted/);
  });
  it('advances by rule only with enough answers, enough hours and no alert', () => {
    expect(advanceDue(canary, healthy, 1000 + 24 * HOUR)).toBe(true);
    expect(advanceDue(canary, healthy, 1000 + 23 * HOUR)).toBe(false);
    expect(advanceDue(canary, { ...healthy, predictionsAtStep: 99 }, 1000 + 48 * HOUR)).toBe(false);
    expect(advanceDue(canary, { ...healthy, drifted: true }, 1000 + 48 * HOUR)).toBe(false);
    expect(advanceDue({ ...canary, canary: { ...canary.canary!, advance: null } }, healthy, 1000 + 48 * HOUR)).toBe(false);
  });
});
