import { describe, expect, it } from 'vitest';
import { decidedCases, deploymentFigures, quantile } from './figures.js';
import type { Prediction } from '../schema/records.js';
import type { Outcome } from '../schema/monitoring.js';
import type { PredictionDeployment } from '../schema/deployment.js';

let n = 0;
const pred = (
  arm: 'champion' | 'challenger',
  caseId: string,
  label: string | undefined,
  extra: Partial<PredictionDeployment> = {},
  latencyMs = 1,
): Prediction => ({
  id: `p${++n}`,
  projectId: 'proj',
  modelVersionId: arm === 'champion' ? 'v1' : 'v2',
  inputs: {},
  output: label === undefined ? {} : { label },
  latencyMs,
  source: 'form',
  createdAt: n,
  ...(label === undefined ? { error: 'failed' } : {}),
  deployment: { revision: 1, mode: 'shadow', level: 'full', arm, caseId, shown: arm === 'champion', ...extra },
});
const outcome = (p: Prediction, value: string, source: Outcome['source'], recordedAt: number): Outcome => ({
  id: `o${++n}`,
  projectId: 'proj',
  predictionId: p.id,
  value,
  source,
  recordedAt,
});

describe('figures of a deployment', () => {
  it('quantiles are numpy’s default (linear)', () => {
    // numpy.quantile([3.5, 1.0, 7.25, 2.0, 9.0, 4.0, 0.5], [0.5, 0.95]) -> 3.5, 8.474999999999998
    expect(quantile([3.5, 1.0, 7.25, 2.0, 9.0, 4.0, 0.5], 0.5)).toBe(3.5);
    expect(quantile([3.5, 1.0, 7.25, 2.0, 9.0, 4.0, 0.5], 0.95)).toBeCloseTo(8.474999999999998, 12);
    expect(quantile([], 0.5)).toBeNull();
  });

  it('counts agreement on shadow cases, failures, and quality on the case’s outcome', () => {
    const c1 = [pred('champion', 'c1', 'yes', {}, 2), pred('challenger', 'c1', 'yes', {}, 4)];
    const c2 = [pred('champion', 'c2', 'no', {}, 2), pred('challenger', 'c2', 'yes', {}, 4)];
    const c3 = [pred('champion', 'c3', 'no', {}, 2), pred('challenger', 'c3', undefined, {}, 4)];
    // The real result is recorded against the shown (champion) prediction; it judges the challenger too.
    const outs = [outcome(c1[0], 'yes', 'log', 10), outcome(c2[0], 'yes', 'log', 10), outcome(c3[0], 'no', 'log', 10)];
    const f = deploymentFigures([...c1, ...c2, ...c3, { ...c1[0], id: 'plain', deployment: undefined }], outs);
    expect(f.agreement).toEqual({ cases: 2, agree: 1, rate: 0.5 });
    expect(f.champion).toMatchObject({ predictions: 3, errors: 0, shown: 3, outcomes: 3, accuracy: 2 / 3, latencyP95Ms: 2 });
    expect(f.challenger).toMatchObject({ predictions: 3, errors: 1, errorRate: 1 / 3, shown: 0, outcomes: 2, accuracy: 1 });
  });

  it('compares people’s decisions with the hidden answer and, later, with the real result', () => {
    const a = pred('challenger', 'a', 'yes', { level: 'human' });
    const b = pred('challenger', 'b', 'no', { level: 'human' });
    const outs = [outcome(a, 'yes', 'decision', 5), outcome(b, 'yes', 'decision', 5), outcome(a, 'no', 'follow_up', 9)];
    const f = deploymentFigures([a, b], outs);
    expect(f.personAgreement).toEqual({ cases: 2, agree: 1, rate: 0.5 });
    expect(f.decisions).toEqual({ count: 2, withResult: 1, correct: 0, accuracy: 0 });
    // The newest outcome judges the model: the real result for a, the decision for b.
    expect(f.challenger.outcomes).toBe(2);
    expect(f.challenger.accuracy).toBe(0);
  });

  it('lists the decided cases whose real result came, with the champion’s inputs, newest decision and result', () => {
    const a1 = { ...pred('champion', 'a', 'yes', { level: 'assist' }), inputs: { age: 30 } };
    const a2 = { ...pred('challenger', 'a', 'no', { level: 'assist' }), inputs: { age: 31 } };
    const b = pred('champion', 'b', 'no', { level: 'assist' });
    const c = pred('champion', 'c', 'no', { level: 'assist' });
    const outs = [
      outcome(a2, 'no', 'decision', 5),
      outcome(a1, 'yes', 'decision', 7), // changed their mind: the newest decision counts
      outcome(a1, 'no', 'follow_up', 9),
      outcome(a1, 'yes', 'follow_up', 11), // corrected result
      outcome(b, 'no', 'decision', 5), // no real result yet: not a baseline row
      outcome(c, 'yes', 'follow_up', 5), // nobody decided
    ];
    expect(decidedCases([a2, a1, b, c], outs)).toEqual([{ caseId: 'a', decision: 'yes', result: 'yes', inputs: { age: 30 } }]);
    expect(decidedCases([a1], [])).toEqual([]);
  });

  it('gives the deferral rate of partial automation and counts keyless and behind cases', () => {
    const ps = [
      pred('champion', 'x', 'yes', { mode: 'canary', level: 'partial', shown: true }),
      pred('champion', 'y', 'yes', { mode: 'canary', level: 'partial', shown: false, deferred: true, keyMissing: true }),
      pred('champion', 'z', 'yes', { mode: 'canary', level: 'partial', shown: false, deferred: true, behind: true }),
    ];
    const f = deploymentFigures(ps, []);
    expect(f.champion.deferred).toBe(2);
    expect(f.champion.deferralRate).toBeCloseTo(2 / 3, 15);
    expect(f.keyMissing).toBe(1);
    expect(f.behind).toBe(1);
    expect(f.challenger.predictions).toBe(0);
  });
});
