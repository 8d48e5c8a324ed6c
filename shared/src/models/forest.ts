import { z } from 'zod';
import { OutpostError } from '../errors.js';
import { mulberry32 } from '../data/random.js';

/**
 * A random forest (Breiman, "Random Forests", Machine Learning 45, 2001) of CART trees (Breiman,
 * Friedman, Olshen and Stone, 1984), grown the way scikit-learn's RandomForestClassifier and
 * RandomForestRegressor grow theirs by default: each tree on a bootstrap sample of the training
 * rows, each split chosen among a fresh random subset of the features (√width for classes, all of
 * them for values), the split minimising the children's weighted Gini impurity (classes) or
 * variance (values), thresholds half-way between neighbouring values (x ≤ t goes left). A leaf
 * holds the class shares of its rows (classes) or their mean (values); the forest answers the
 * mean over its trees, so class probabilities are the trees' averaged vote shares and sum to 1.
 *
 * Pure and seeded: the same rows, settings and seed grow the same trees on every platform (the
 * random source is mulberry32; no Math.random). Rows arrive already through the feature pipeline
 * (imputed, scaled, one-hot), so there are no missing values here.
 */

/**
 * One tree as flat arrays, node 0 the root. Node i is a leaf when feature[i] is -1; otherwise rows
 * with x[feature[i]] ≤ threshold[i] go to left[i], the others to right[i]. value holds `outputs`
 * numbers per node (class shares, or the mean), so value[i·outputs … ] is node i's answer.
 */
export const Tree = z.object({
  feature: z.array(z.number().int().min(-1)),
  threshold: z.array(z.number()),
  left: z.array(z.number().int().min(-1)),
  right: z.array(z.number().int().min(-1)),
  value: z.array(z.number()),
});
export type Tree = z.infer<typeof Tree>;

/** A forest as it is kept: its trees and the shapes they read and answer (the weights blob, as JSON). */
export const Forest = z.object({
  outpostTrees: z.literal(1),
  task: z.enum(['classification', 'regression']),
  width: z.number().int().min(1),
  outputs: z.number().int().min(1).max(100),
  trees: z.array(Tree).min(1).max(500),
});
export type Forest = z.infer<typeof Forest>;

/** How a forest grows. */
export interface ForestSettings {
  trees: number;
  maxDepth: number;
  /** The fewest (bootstrap) rows either side of a split may hold. */
  minLeaf: number;
  /** Features tried per split; defaults as scikit-learn: ⌊√width⌋ for classes, all for values. */
  maxFeatures?: number;
  seed: number;
}

/** Rows to grow on: `x` row-major (n × width); `y` a class index (k classes) or a value (k = 1). */
export interface TreeData {
  x: ArrayLike<number>;
  width: number;
  y: ArrayLike<number>;
  /** Classes, or 1 for a regression. */
  k: number;
  task: 'classification' | 'regression';
}

/** scikit-learn's default `max_features` for the task. */
export function defaultMaxFeatures(task: TreeData['task'], width: number): number {
  return task === 'classification' ? Math.max(1, Math.floor(Math.sqrt(width))) : width;
}

/** A bootstrap sample (n draws with replacement) of the rows 0..n-1. */
export function bootstrap(n: number, rng: () => number): number[] {
  return Array.from({ length: n }, () => Math.floor(rng() * n));
}

/** The random source for tree `t` of a forest with this seed, so each tree can be grown on its own. */
export function treeRandom(seed: number, t: number): () => number {
  return mulberry32((seed ^ Math.imul(t + 1, 0x9e3779b1)) >>> 0);
}

/**
 * Grow one CART tree on the rows `sample` (indices into data, repeats allowed, as a bootstrap
 * gives). Splits stop at `maxDepth`, when a node is pure, or when no split leaves `minLeaf` rows
 * each side. Like scikit-learn, when none of the drawn features can split a node, more features
 * are tried before the node becomes a leaf.
 */
export function growTree(data: TreeData, sample: number[], s: Omit<ForestSettings, 'trees' | 'seed'>, rng: () => number): Tree {
  const { x, width, y, k } = data;
  const classes = data.task === 'classification';
  const maxFeatures = Math.min(width, s.maxFeatures ?? defaultMaxFeatures(data.task, width));
  const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const order = Array.from({ length: width }, (_, i) => i);

  const nodeValue = (idx: number[]): number[] => {
    const v = new Array<number>(k).fill(0);
    if (classes) for (const i of idx) v[y[i]] += 1;
    else v[0] = idx.reduce((a, i) => a + y[i], 0);
    return v.map((c) => c / idx.length);
  };
  const pure = (idx: number[]) => idx.every((i) => y[i] === y[idx[0]]);

  const build = (idx: number[], depth: number): number => {
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(...nodeValue(idx));
    if (depth >= s.maxDepth || idx.length < 2 * s.minLeaf || pure(idx)) return node;
    const best = bestSplit(data, idx, order, maxFeatures, s.minLeaf, classes, rng);
    if (!best) return node;
    const left: number[] = [];
    const right: number[] = [];
    for (const i of idx) (x[i * width + best.feature] <= best.threshold ? left : right).push(i);
    tree.feature[node] = best.feature;
    tree.threshold[node] = best.threshold;
    tree.left[node] = build(left, depth + 1);
    tree.right[node] = build(right, depth + 1);
    return node;
  };
  build(sample, 0);
  return tree;
}

/**
 * The split of `idx` with the lowest weighted child impurity among randomly ordered features
 * (at least `maxFeatures` of them, more while none splits). Gini: minimising Σ n_c·(1 − Σ p²)
 * is maximising Σ_children Σ_classes count²/n; variance: maximising Σ_children sum²/n.
 */
function bestSplit(
  { x, width, y, k }: TreeData,
  idx: number[],
  order: number[],
  maxFeatures: number,
  minLeaf: number,
  classes: boolean,
  rng: () => number,
): { feature: number; threshold: number } | null {
  // A partial Fisher–Yates draw, continued only as far as features are inspected.
  let best: { feature: number; threshold: number; score: number } | null = null;
  const n = idx.length;
  const leftCounts = new Float64Array(k);
  const totalCounts = new Float64Array(k);
  let total = 0;
  for (const i of idx) {
    if (classes) totalCounts[y[i]] += 1;
    else total += y[i];
  }
  for (let tried = 0; tried < width && (tried < maxFeatures || !best); tried++) {
    const j = tried + Math.floor(rng() * (width - tried));
    [order[tried], order[j]] = [order[j], order[tried]];
    const f = order[tried];
    const sorted = idx.slice().sort((a, b) => x[a * width + f] - x[b * width + f]);
    leftCounts.fill(0);
    let leftSum = 0;
    let leftSq = 0;
    for (let p = 0; p < n - 1; p++) {
      const i = sorted[p];
      if (classes) {
        const c = y[i];
        leftSq += 2 * leftCounts[c] + 1;
        leftCounts[c] += 1;
      } else leftSum += y[i];
      const a = x[i * width + f];
      const b = x[sorted[p + 1] * width + f];
      const nl = p + 1;
      if (a === b || nl < minLeaf || n - nl < minLeaf) continue;
      let score: number;
      if (classes) {
        let rightSq = 0;
        for (let c = 0; c < k; c++) rightSq += (totalCounts[c] - leftCounts[c]) ** 2;
        score = leftSq / nl + rightSq / (n - nl);
      } else score = leftSum ** 2 / nl + (total - leftSum) ** 2 / (n - nl);
      if (!best || score > best.score) {
        const mid = (a + b) / 2;
        // The midpoint of two close floats can round to b, which would send b left too.
        best = { feature: f, threshold: mid < b ? mid : a, score };
      }
    }
  }
  return best ? { feature: best.feature, threshold: best.threshold } : null;
}

/** The leaf row `r` of x (row-major, `width` columns) reaches in `tree`. */
function leafOf(tree: Tree, x: ArrayLike<number>, width: number, r: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) node = x[r * width + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  return node;
}

/** Add one tree's answers for n rows into `into` (n × outputs), for averaging over trees. */
export function addTree(tree: Tree, x: ArrayLike<number>, n: number, width: number, outputs: number, into: Float64Array): void {
  for (let r = 0; r < n; r++) {
    const leaf = leafOf(tree, x, width, r);
    for (let c = 0; c < outputs; c++) into[r * outputs + c] += tree.value[leaf * outputs + c];
  }
}

/** The forest's answers for n rows (n × outputs): the mean of its trees' leaf values. */
export function predictForest(forest: Forest, x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n * forest.outputs);
  for (const tree of forest.trees) addTree(tree, x, n, forest.width, forest.outputs, out);
  for (let i = 0; i < out.length; i++) out[i] /= forest.trees.length;
  return out;
}

/** Grow a whole forest at once (the worker grows tree by tree with growTree, to report and yield between trees). */
export function fitForest(data: TreeData, s: ForestSettings): Forest {
  const n = data.y.length;
  const trees = Array.from({ length: s.trees }, (_, t) => {
    const rng = treeRandom(s.seed, t);
    return growTree(data, bootstrap(n, rng), s, rng);
  });
  return { outpostTrees: 1, task: data.task, width: data.width, outputs: data.k, trees };
}

/** A forest as the bytes of its weights blob: UTF-8 JSON. */
export function forestBytes(forest: Forest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(forest));
}

/**
 * Read a forest back from its blob, trusting nothing: valid JSON, the Forest schema, and every
 * node's feature, children and values in range (a child index after its parent, so no loops).
 */
export function parseForest(bytes: Uint8Array | ArrayBuffer): Forest {
  const bad = (why: string) => new OutpostError('bad_request', `These trees could not be read (${why}). Download the model version again.`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)));
  } catch {
    throw bad('not JSON');
  }
  const parsed = Forest.safeParse(raw);
  if (!parsed.success) throw bad(`${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  const f = parsed.data;
  f.trees.forEach((t, ti) => {
    const m = t.feature.length;
    if (m === 0 || t.threshold.length !== m || t.left.length !== m || t.right.length !== m || t.value.length !== m * f.outputs)
      throw bad(`tree ${ti + 1} has arrays of different lengths`);
    for (let i = 0; i < m; i++) {
      if (t.feature[i] >= f.width) throw bad(`tree ${ti + 1} reads a feature past the model's ${f.width}`);
      if (t.feature[i] >= 0 && !(t.left[i] > i && t.left[i] < m && t.right[i] > i && t.right[i] < m)) throw bad(`tree ${ti + 1} has a broken branch`);
    }
  });
  return f;
}
