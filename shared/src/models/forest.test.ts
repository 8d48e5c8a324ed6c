import { describe, expect, it } from 'vitest';
import { addTree, fitForest, forestBytes, growTree, parseForest, predictForest, type TreeData } from './forest.js';
import { mulberry32 } from '../data/random.js';

/** n rows of `width` uniform features from a seeded source, labelled by `label`. */
function rows(n: number, width: number, seed: number, label: (x: number[]) => number): { x: Float32Array; y: number[] } {
  const rng = mulberry32(seed);
  const x = new Float32Array(n * width);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = Array.from({ length: width }, () => rng());
    x.set(r, i * width);
    y.push(label(r));
  }
  return { x, y };
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('CART trees', () => {
  it('finds a known split exactly: one feature, threshold half-way between the classes', () => {
    // Feature 1 decides (≤ 0.4 or ≥ 0.6); feature 0 is noise.
    const x = Float32Array.from([0.9, 0.1, 0.2, 0.3, 0.5, 0.4, 0.7, 0.6, 0.1, 0.8, 0.3, 0.9]);
    const data: TreeData = { x, width: 2, y: [0, 0, 0, 1, 1, 1], k: 2, task: 'classification' };
    const tree = growTree(data, all(6), { maxDepth: 5, minLeaf: 1, maxFeatures: 2 }, mulberry32(1));
    expect(tree.feature).toEqual([1, -1, -1]);
    expect(tree.threshold[0]).toBeCloseTo(0.5, 6);
    expect(tree.value.slice(2, 4)).toEqual([1, 0]);
    expect(tree.value.slice(4, 6)).toEqual([0, 1]);
  });

  it('fits a step of a regression exactly, leaves holding the means', () => {
    const x = Float32Array.from([1, 2, 3, 10, 11, 12]);
    const data: TreeData = { x, width: 1, y: [5, 5, 5, -2, -2, -2], k: 1, task: 'regression' };
    const tree = growTree(data, all(6), { maxDepth: 3, minLeaf: 1 }, mulberry32(1));
    expect(tree.feature[0]).toBe(0);
    expect(tree.threshold[0]).toBe(6.5);
    const out = new Float64Array(2);
    addTree(tree, Float32Array.from([0, 100]), 2, 1, 1, out);
    expect(Array.from(out)).toEqual([5, -2]);
  });

  it('respects the depth and leaf-size limits', () => {
    const { x, y } = rows(200, 3, 7, (r) => (r[0] + r[1] > 1 ? 1 : 0));
    const data: TreeData = { x, width: 3, y, k: 2, task: 'classification' };
    const shallow = growTree(data, all(200), { maxDepth: 1, minLeaf: 1 }, mulberry32(2));
    expect(shallow.feature.length).toBe(3);
    const big = growTree(data, all(200), { maxDepth: 32, minLeaf: 40 }, mulberry32(2));
    const counts = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      let node = 0;
      while (big.feature[node] >= 0) node = x[i * 3 + big.feature[node]] <= big.threshold[node] ? big.left[node] : big.right[node];
      counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    expect(Math.min(...counts.values())).toBeGreaterThanOrEqual(40);
  });
});

describe('random forest', () => {
  const { x, y } = rows(300, 4, 11, (r) => (r[0] > 0.5 ? (r[1] > 0.5 ? 2 : 1) : 0));
  const data: TreeData = { x, width: 4, y, k: 3, task: 'classification' };
  const settings = { trees: 15, maxDepth: 6, minLeaf: 1, seed: 42 };

  it('grows the same trees from the same seed, and other trees from another', () => {
    expect(forestBytes(fitForest(data, settings))).toEqual(forestBytes(fitForest(data, settings)));
    expect(forestBytes(fitForest(data, { ...settings, seed: 43 }))).not.toEqual(forestBytes(fitForest(data, settings)));
  });

  it('answers probabilities that sum to 1 and learns the rule', () => {
    const forest = fitForest(data, settings);
    const test = rows(200, 4, 99, (r) => (r[0] > 0.5 ? (r[1] > 0.5 ? 2 : 1) : 0));
    const out = predictForest(forest, test.x, 200);
    let hit = 0;
    for (let i = 0; i < 200; i++) {
      const p = Array.from(out.subarray(i * 3, i * 3 + 3));
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      p.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
      if (p.indexOf(Math.max(...p)) === test.y[i]) hit++;
    }
    expect(hit / 200).toBeGreaterThan(0.9);
  });

  it('survives serialising: the same answers after a round trip through its bytes', () => {
    const forest = fitForest(data, settings);
    const back = parseForest(forestBytes(forest));
    expect(back).toEqual(forest);
    expect(predictForest(back, x, 300)).toEqual(predictForest(forest, x, 300));
  });

  it('refuses bytes that are not trees, or trees whose branches loop or point past the features', () => {
    const forest = fitForest(data, { ...settings, trees: 1 });
    expect(() => parseForest(new TextEncoder().encode('{"nope":'))).toThrow(/not JSON/);
    expect(() => parseForest(new TextEncoder().encode('{"outpostTrees":2}'))).toThrow(/could not be read/);
    const loop = structuredClone(forest);
    loop.trees[0].left[0] = 0;
    expect(() => parseForest(forestBytes(loop))).toThrow(/broken branch/);
    const wide = structuredClone(forest);
    wide.trees[0].feature[0] = 9;
    expect(() => parseForest(forestBytes(wide))).toThrow(/past the model/);
  });
});
