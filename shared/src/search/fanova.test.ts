import { describe, expect, it } from 'vitest';
import { FanovaTree, fanovaImportances } from './fanova.js';
import type { TreeNode } from './forest.js';

const leaf = (value: number): TreeNode => ({ feature: -1, threshold: 0, left: -1, right: -1, value, weight: 1, impurity: 0 });
const split = (feature: number, threshold: number, left: number, right: number): TreeNode => ({
  feature,
  threshold,
  left,
  right,
  value: 0,
  weight: 1,
  impurity: 0,
});

describe('fANOVA on a hand-made tree', () => {
  // f(x, y) = 1[x > 0.5] + 2[y > 0.5] on [0, 1]^2, nodes in depth-first order as scikit-learn's.
  // Each cell has volume 1/4: mean 1.5, variance 0.25 + 1 = 1.25; the marginal over x is 0.5 or
  // 1.5 (variance 0.25), over y 0.5 or 2.5 (variance 1), so x explains 0.2 and y 0.8.
  const additive = [split(0, 0.5, 1, 4), split(1, 0.5, 2, 3), leaf(0), leaf(2), split(1, 0.5, 5, 6), leaf(1), leaf(3)];
  const unit: [number, number][] = [
    [0, 1],
    [0, 1],
  ];

  it('splits the variance of an additive function between its terms', () => {
    const t = new FanovaTree(additive, unit);
    expect(t.variance).toBeCloseTo(1.25, 14);
    expect(t.marginalVariance([0])).toBeCloseTo(0.25, 14);
    expect(t.marginalVariance([1])).toBeCloseTo(1, 14);
    expect(t.marginalVariance([0, 1])).toBeCloseTo(1.25, 14);
    const [x, y] = fanovaImportances([additive], unit, [[0], [1]]);
    expect(x).toBeCloseTo(0.2, 14);
    expect(y).toBeCloseTo(0.8, 14);
  });

  it('weighs cells by their volume', () => {
    // A split at 0.25: f = 0 on a quarter of the range, 1 on the rest: variance 3/16.
    const t = new FanovaTree([split(0, 0.25, 1, 2), leaf(0), leaf(1)], unit);
    expect(t.variance).toBeCloseTo(3 / 16, 14);
    expect(t.marginalVariance([0])).toBeCloseTo(3 / 16, 14);
    expect(t.marginalVariance([1])).toBeCloseTo(0, 14);
  });
});
