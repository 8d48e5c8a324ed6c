import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { assignmentPoint, canaryArm, canaryShare, subjectKey } from './assign.js';
import type { DeploymentState } from '../schema/deployment.js';

const canary = (share: number, step = 0, ramp = [share]): DeploymentState => ({
  mode: 'canary',
  champion: 'v1',
  challenger: 'v2',
  level: 'full',
  canary: { keyColumn: 'patient', ramp, step, advance: null, rollbackOn: [], stepSince: 0 },
});

describe('sticky canary assignment', () => {
  it('matches the documented formula (Python hashlib) for known keys', async () => {
    // int(hashlib.sha256(b"outpost-canary\n" + pid + b"\n" + key).hexdigest()[:12], 16) / 2**48
    expect(await assignmentPoint('p1', 'patient-17')).toBe(0.4829693168782079);
    expect(await assignmentPoint('0190a1b2-c3d4', '12')).toBe(0.4922401326416974);
    expect(await assignmentPoint('proj', 'ü-é')).toBe(0.3200526319102259);
  });

  it('reads a key as trimmed text, a number as its usual text, and nothing as missing', () => {
    expect(subjectKey({ patient: ' A7 ' }, 'patient')).toBe('A7');
    expect(subjectKey({ patient: 12 }, 'patient')).toBe(subjectKey({ patient: '12' }, 'patient'));
    for (const v of [null, undefined, '', '  ', Number.NaN, true]) expect(subjectKey({ patient: v }, 'patient')).toBeNull();
    expect(subjectKey({}, 'patient')).toBeNull();
  });

  it('gives a row without a key the champion and says so', async () => {
    expect(await canaryArm('p', canary(1), { other: 1 })).toEqual({ arm: 'champion', keyMissing: true });
    expect(await canaryArm('p', canary(1), { patient: 'x' })).toEqual({ arm: 'challenger', keyMissing: false });
  });

  it('never moves a subject back to the champion as the ramp grows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 20 }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (key, a, b) => {
          const [lo, hi] = a < b ? [a, b] : [b, a];
          if (lo <= 0) return;
          const low = await canaryArm('proj', canary(lo), { patient: key });
          const high = await canaryArm('proj', canary(hi), { patient: key });
          if (low.keyMissing) return;
          if (low.arm === 'challenger') expect(high.arm).toBe('challenger');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives each step of the ramp its share of subjects, within binomial bounds', async () => {
    const keys = Array.from({ length: 4000 }, (_, i) => `patient-${i}`);
    const ramp = [0.05, 0.25, 0.5, 1];
    for (let step = 0; step < ramp.length; step++) {
      const s = canary(0, step, ramp);
      expect(canaryShare(s)).toBe(ramp[step]);
      let n = 0;
      for (const k of keys) if ((await canaryArm('a-project', s, { patient: k })).arm === 'challenger') n++;
      const p = ramp[step];
      const sd = Math.sqrt(keys.length * p * (1 - p));
      // Five standard deviations: a fair hash fails this about once in 1.7 million runs (and the keys are fixed).
      expect(Math.abs(n - keys.length * p)).toBeLessThanOrEqual(5 * sd + 1e-9);
    }
  });

  it('assigns differently in different projects (the project is part of the hash)', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => String(i));
    const a = await Promise.all(keys.map((k) => assignmentPoint('one', k)));
    const b = await Promise.all(keys.map((k) => assignmentPoint('two', k)));
    expect(a.filter((x, i) => x < 0.5 !== b[i] < 0.5).length).toBeGreaterThan(50);
  });
});
