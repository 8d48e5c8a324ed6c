import { describe, expect, it } from 'vitest';
import { saltedHash } from '../data/privacy.js';
import { addOutcome, addPrediction, emptySummary } from './summary.js';
import { versionFigures } from './figures.js';
import { binaryModel, predictionOf } from './model.testing.js';
import { withPrivilegedCode } from './privileged-code.js';

// A protected attribute marked personal "hash" is logged as codes (privacy.ts): the fairness
// figures found no privileged group among codes; with the privileged value's code they are the
// same figures as from the values themselves.
describe('fairness over a hashed protected attribute', () => {
  it('gives the figures of the plain values once the privileged value is matched by its code', async () => {
    const salt = 'ab'.repeat(16);
    const plain = emptySummary(binaryModel, '2026-11-01', 'clinic');
    const coded = emptySummary(binaryModel, '2026-11-01', 'clinic');
    for (let i = 0; i < 60; i++) {
      const clinic = i % 3 ? 'south' : 'north';
      const label = i % 2 ? 'benign' : 'malignant';
      const p = predictionOf(binaryModel, {
        createdAt: Date.UTC(2026, 10, 1, 8),
        inputs: { size: i, clinic },
        output: { label, probabilities: label === 'benign' ? { benign: 0.7, malignant: 0.3 } : { benign: 0.2, malignant: 0.8 } },
      });
      const c = { ...p, inputs: { ...p.inputs, clinic: await saltedHash(salt, clinic) } };
      const truth = i % 4 ? 'benign' : 'malignant';
      addPrediction(plain, binaryModel, p);
      addOutcome(plain, binaryModel, p, truth);
      addPrediction(coded, binaryModel, c);
      addOutcome(coded, binaryModel, c, truth);
    }
    const settings = { fairness: { attribute: 'clinic', privileged: 'north', favourable: 'benign' } };
    const expected = versionFigures(plain, binaryModel, settings).fairness!;
    expect(expected.privilegedRows).toBe(20);
    expect(versionFigures(coded, binaryModel, settings).fairness?.privilegedRows).toBe(0);
    expect(versionFigures(coded, binaryModel, await withPrivilegedCode(settings, salt)).fairness).toEqual(expected);
    expect(await withPrivilegedCode(settings, undefined)).toBe(settings);
  });
});
