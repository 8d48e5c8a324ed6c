// fANOVA (Hutter, Hoos and Leyton-Brown 2014, "An Efficient Approach for Assessing Hyperparameter
// Importance") over the forest's trees, as Optuna's _FanovaTree: each tree is a piecewise-constant
// function on the box of the search space, so its variance and the variance of its marginal over
// one parameter are finite weighted sums over the tree's cells.
import type { TreeNode } from './forest.js';

// Beyond this many cells in one marginal (one-hot columns multiply), the exact sum is too slow for
// a phone; the caller falls back to impurity decrease.
export const FANOVA_MAX_CELLS = 1 << 14;

type Box = [number, number][];

const volume = (box: Box, only?: ReadonlySet<number>) => box.reduce((v, [lo, hi], f) => (only && !only.has(f) ? v : v * (hi - lo)), 1);

function weightedMeanVar(values: readonly number[], weights: readonly number[]): { mean: number; variance: number } {
  const total = weights.reduce((s, w) => s + w, 0);
  const mean = values.reduce((s, v, i) => s + v * weights[i], 0) / total;
  const variance = values.reduce((s, v, i) => s + weights[i] * (v - mean) ** 2, 0) / total;
  return { mean, variance };
}

function withBound(box: Box, feature: number, side: 0 | 1, threshold: number): Box {
  const next = box.map((b) => [...b] as [number, number]);
  next[feature][side] = threshold;
  return next;
}

/** One tree prepared for fANOVA: per node its volume-weighted mean over its cell and that cell's volume. */
export class FanovaTree {
  private readonly stats: { value: number; weight: number }[];
  private readonly activeBelow: Set<number>[];
  readonly variance: number;

  constructor(
    private readonly nodes: readonly TreeNode[],
    private readonly bounds: Box,
  ) {
    const boxes: Box[] = new Array(nodes.length);
    boxes[0] = bounds;
    this.stats = new Array(nodes.length);
    nodes.forEach((n, i) => {
      if (n.feature < 0) return;
      boxes[n.left] = withBound(boxes[i], n.feature, 1, n.threshold);
      boxes[n.right] = withBound(boxes[i], n.feature, 0, n.threshold);
    });
    this.activeBelow = nodes.map(() => new Set<number>());
    for (let i = nodes.length - 1; i >= 0; i--) {
      const n = nodes[i];
      if (n.feature < 0) {
        this.stats[i] = { value: n.value, weight: volume(boxes[i]) };
        continue;
      }
      const l = this.stats[n.left];
      const r = this.stats[n.right];
      const weight = l.weight + r.weight;
      this.stats[i] = { value: (l.value * l.weight + r.value * r.weight) / weight, weight };
      this.activeBelow[i] = new Set([n.feature, ...this.activeBelow[n.left], ...this.activeBelow[n.right]]);
    }
    const leaves = nodes.map((n, i) => i).filter((i) => nodes[i].feature < 0);
    this.variance = weightedMeanVar(
      leaves.map((i) => this.stats[i].value),
      leaves.map((i) => this.stats[i].weight),
    ).variance;
  }

  /** For each feature, the cells between its sorted split thresholds and the bounds: midpoints and widths. */
  private cells(feature: number): { mids: number[]; sizes: number[] } {
    const splits = [...new Set(this.nodes.filter((n) => n.feature === feature).map((n) => n.threshold))].sort((a, b) => a - b);
    const edges = [this.bounds[feature][0], ...splits, this.bounds[feature][1]];
    return { mids: edges.slice(1).map((e, k) => 0.5 * (e + edges[k])), sizes: edges.slice(1).map((e, k) => e - edges[k]) };
  }

  // The tree's mean over the other features with `point` fixed on the active ones, and the
  // volume that mean stands for (Optuna's _get_marginalized_statistics).
  private marginalAt(point: ReadonlyMap<number, number>): { value: number; weight: number } {
    const active = new Set(point.keys());
    const start: Box = this.bounds.map((b, f) => (active.has(f) ? [...b] : [0, 1]) as [number, number]);
    const stack: [number, Box][] = [[0, start]];
    const values: number[] = [];
    const weights: number[] = [];
    while (stack.length > 0) {
      const [i, box] = stack.pop()!;
      const n = this.nodes[i];
      if (n.feature >= 0) {
        const x = point.get(n.feature);
        if (x !== undefined) {
          stack.push(x <= n.threshold ? [n.left, withBound(box, n.feature, 1, n.threshold)] : [n.right, withBound(box, n.feature, 0, n.threshold)]);
          continue;
        }
        if ([...active].some((f) => this.activeBelow[i].has(f))) {
          stack.push([n.left, box], [n.right, box]);
          continue;
        }
      }
      values.push(this.stats[i].value);
      weights.push(this.stats[i].weight / volume(box, active));
    }
    return { value: weightedMeanVar(values, weights).mean, weight: weights.reduce((s, w) => s + w, 0) };
  }

  /**
   * The variance of the tree's marginal over the given raw features (one parameter's columns):
   * over every combination of their cells, the marginal mean weighted by the marginal's volume
   * times the cells' widths. Throws a RangeError past FANOVA_MAX_CELLS combinations.
   */
  marginalVariance(features: readonly number[]): number {
    const grids = features.map((f) => this.cells(f));
    const count = grids.reduce((c, g) => c * g.mids.length, 1);
    if (count > FANOVA_MAX_CELLS) throw new RangeError('fANOVA: too many cells in one marginal.');
    const values: number[] = [];
    const weights: number[] = [];
    for (let k = 0; k < count; k++) {
      const point = new Map<number, number>();
      let size = 1;
      let rest = k;
      grids.forEach((g, j) => {
        const c = rest % g.mids.length;
        rest = Math.floor(rest / g.mids.length);
        point.set(features[j], g.mids[c]);
        size *= g.sizes[c];
      });
      const m = this.marginalAt(point);
      values.push(m.value);
      weights.push(m.weight * size);
    }
    return Math.max(0, weightedMeanVar(values, weights).variance);
  }
}

/**
 * fANOVA importance of each parameter (Optuna's FanovaImportanceEvaluator): per tree with
 * non-zero variance, the variance of its marginal over the parameter's columns divided by the
 * tree's variance, averaged over those trees. Zeros when no tree varies.
 */
export function fanovaImportances(forest: readonly TreeNode[][], bounds: Box, columnsOf: readonly number[][]): number[] {
  const trees = forest.map((t) => new FanovaTree(t, bounds)).filter((t) => t.variance > 0);
  if (trees.length === 0) return columnsOf.map(() => 0);
  return columnsOf.map((cols) => trees.reduce((s, t) => s + t.marginalVariance(cols) / t.variance, 0) / trees.length);
}
