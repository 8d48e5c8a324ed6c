import { describe, expect, it } from 'vitest';
import { binaryModel } from '@shared/monitor/model.testing.js';
import { toOutput } from './runtime.js';

describe('model outputs', () => {
  it('answer the most probable class, or with a decision threshold the positive class from that probability up', () => {
    const out = [0.7, 0.3, 0.45, 0.55];
    expect(toOutput(binaryModel.pipeline, out, 0).label).toBe('benign');
    expect(toOutput(binaryModel.pipeline, out, 0, 0.3).label).toBe('malignant');
    expect(toOutput(binaryModel.pipeline, out, 0, 0.31).label).toBe('benign');
    expect(toOutput(binaryModel.pipeline, out, 2, 0.6)).toEqual({ label: 'benign', probabilities: { benign: 0.45, malignant: 0.55 } });
  });
});
