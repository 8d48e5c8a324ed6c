// A seeded random forest of regression trees, as scikit-learn's RandomForestRegressor with the
// settings Optuna's importance evaluators pass (bootstrap, all features tried at each split in a
// random order, squared-error impurity, min_samples_split 2, min_samples_leaf 1), kept small: the
// search has at most a few hundred trials.

/** A fitted regression tree: internal nodes split on `feature` at `threshold` (x <= threshold goes left). */
export interface TreeNode {
  feature: number;
  threshold: number;
  left: number;
  right: number;
  value: number;
  weight: number;
  impurity: number;
}

export interface ForestOptions {
  nTrees: number;
  maxDepth: number;
}

// scikit-learn's FEATURE_THRESHOLD: values closer than this are not split between.
const FEATURE_THRESHOLD = 1e-7;

function stats(idx: readonly number[], y: readonly number[], w: readonly number[]): { weight: number; mean: number; impurity: number } {
  let weight = 0;
  let sum = 0;
  let sq = 0;
  for (const i of idx) {
    weight += w[i];
    sum += w[i] * y[i];
    sq += w[i] * y[i] * y[i];
  }
  const mean = sum / weight;
  return { weight, mean, impurity: Math.max(0, sq / weight - mean * mean) };
}

/**
 * One CART regression tree (Breiman et al. 1984, as scikit-learn's best splitter): at each node,
 * over the features in an order shuffled by `rand`, the threshold halfway between two neighbouring
 * distinct values that most reduces the weighted squared error; the first best wins ties. A node
 * becomes a leaf with fewer than two samples, no impurity, at maxDepth, or with no split.
 */
export function fitTree(x: readonly number[][], y: readonly number[], w: readonly number[], rand: () => number, maxDepth: number): TreeNode[] {
  const nodes: TreeNode[] = [];
  const d = x[0]?.length ?? 0;
  const grow = (idx: number[], depth: number): number => {
    const s = stats(idx, y, w);
    const id = nodes.length;
    nodes.push({ feature: -1, threshold: 0, left: -1, right: -1, value: s.mean, weight: s.weight, impurity: s.impurity });
    if (idx.length < 2 || s.impurity <= 1e-12 * Math.max(1, s.mean * s.mean) || depth >= maxDepth) return id;
    const features = Array.from({ length: d }, (_, j) => j);
    for (let j = d - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [features[j], features[k]] = [features[k], features[j]];
    }
    let best = { gain: 0, feature: -1, threshold: 0 };
    for (const f of features) {
      const sorted = [...idx].sort((a, b) => x[a][f] - x[b][f]);
      let wl = 0;
      let sl = 0;
      const total = s.weight;
      const sumAll = s.mean * total;
      for (let p = 0; p < sorted.length - 1; p++) {
        const i = sorted[p];
        wl += w[i];
        sl += w[i] * y[i];
        const next = x[sorted[p + 1]][f];
        if (next <= x[i][f] + FEATURE_THRESHOLD) continue;
        const wr = total - wl;
        const sr = sumAll - sl;
        // Maximising sum_l^2/w_l + sum_r^2/w_r is maximising the decrease in squared error.
        const gain = (sl * sl) / wl + (sr * sr) / wr - (sumAll * sumAll) / total;
        if (gain > best.gain * (1 + 1e-12) + 1e-300) best = { gain, feature: f, threshold: (x[i][f] + next) / 2 };
      }
    }
    if (best.feature < 0) return id;
    const leftIdx = idx.filter((i) => x[i][best.feature] <= best.threshold);
    const rightIdx = idx.filter((i) => x[i][best.feature] > best.threshold);
    const left = grow(leftIdx, depth + 1);
    const right = grow(rightIdx, depth + 1);
    Object.assign(nodes[id], { feature: best.feature, threshold: best.threshold, left, right });
    return id;
  };
  if (y.length > 0)
    grow(
      y.map((_, i) => i).filter((i) => w[i] > 0),
      0,
    );
  return nodes;
}

/**
 * A forest of nTrees trees, each on a bootstrap sample (n draws with replacement, kept as sample
 * weights as scikit-learn does), with its own stream of `rand`.
 */
export function fitForest(x: readonly number[][], y: readonly number[], rand: () => number, options: ForestOptions): TreeNode[][] {
  const n = y.length;
  return Array.from({ length: options.nTrees }, () => {
    const w = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) w[Math.floor(rand() * n)]++;
    return fitTree(x, y, w, rand, options.maxDepth);
  });
}

/**
 * Mean decrease in impurity (scikit-learn's feature_importances_): per tree, each split adds
 * w_node imp_node - w_left imp_left - w_right imp_right to its feature, normalised to sum 1; the
 * forest averages the trees that split at all and normalises again. All zeros when none split.
 */
export function impurityImportances(forest: readonly TreeNode[][], nFeatures: number): number[] {
  const perTree = forest
    .filter((t) => t.length > 1)
    .map((t) => {
      const imp = new Array<number>(nFeatures).fill(0);
      for (const node of t) {
        if (node.feature < 0) continue;
        const l = t[node.left];
        const r = t[node.right];
        imp[node.feature] += node.weight * node.impurity - l.weight * l.impurity - r.weight * r.impurity;
      }
      const sum = imp.reduce((s, v) => s + v, 0);
      return sum > 0 ? imp.map((v) => v / sum) : imp;
    });
  if (perTree.length === 0) return new Array<number>(nFeatures).fill(0);
  const mean = Array.from({ length: nFeatures }, (_, j) => perTree.reduce((s, imp) => s + imp[j], 0) / perTree.length);
  const sum = mean.reduce((s, v) => s + v, 0);
  return sum > 0 ? mean.map((v) => v / sum) : mean;
}
