import type { ColumnInfo, EpochMetrics, TrainParams, TreesArtifacts } from '@shared/schema/records.js';
import type { Row } from '@shared/data/columns.js';
import { addTree, bootstrap, forestBytes, growTree, treeRandom, type Forest, type Tree } from '@shared/models/forest.js';
import type { TrainResult } from './protocol.js';
import { prepareData, reportOutputs, scoreOutputs, type Prepared } from './tabular-data.js';
import { yieldToEventLoop, type TrainOptions } from './train.js';
import { FOREST_DEFAULTS } from './defaults.js';

/** Running sums of the trees' answers on one set, so each step scores the forest grown so far. */
class Tally {
  readonly sum: Float64Array;
  constructor(
    readonly set: Prepared,
    readonly width: number,
    readonly k: number,
  ) {
    this.sum = new Float64Array(set.y.length * k);
  }
  add(tree: Tree): void {
    addTree(tree, this.set.x, this.set.y.length, this.width, this.k, this.sum);
  }
  mean(trees: number): Float64Array {
    return this.sum.map((v) => v / trees);
  }
}

/**
 * Grow the forest family (shared/src/models/forest.ts) on the same split and feature pipeline as
 * the network, one tree per recorded step: after each tree, the forest so far is scored on the
 * training and validation rows (loss and metric as a network's epoch reports them), progress is
 * posted and a cancel can get through. Trees are grown in plain JavaScript ('cpu'); tree t uses
 * its own seeded random source, so a run with the same seed grows the same trees.
 */
export async function trainForest(rows: Row[], params: TrainParams, columns: ColumnInfo[], opts: TrainOptions = {}): Promise<TrainResult> {
  const now = opts.now ?? (() => performance.now());
  const started = now();
  const data = prepareData(rows, params, columns);
  const { pipeline, trainSet, valSet, width, k } = data;
  const task = pipeline.target.kind === 'categorical' ? 'classification' : 'regression';
  const settings = {
    trees: params.trees ?? FOREST_DEFAULTS.trees,
    maxDepth: params.maxDepth ?? FOREST_DEFAULTS.maxDepth,
    minLeaf: params.minLeaf ?? FOREST_DEFAULTS.minLeaf,
  };
  const treeData = { x: trainSet.x, width, y: trainSet.y, k, task } as const;
  const tallies = { train: new Tally(trainSet, width, k), val: new Tally(valSet, width, k) };
  const trees: Tree[] = [];
  const epochs: EpochMetrics[] = [];
  let status: TrainResult['status'] = 'completed';
  for (let t = 0; t < settings.trees; t++) {
    if (opts.shouldStop?.() && trees.length) {
      status = 'cancelled';
      break;
    }
    const rng = treeRandom(params.seed, t);
    const tree = growTree(treeData, bootstrap(trainSet.y.length, rng), settings, rng);
    trees.push(tree);
    tallies.train.add(tree);
    tallies.val.add(tree);
    const tr = scoreOutputs(pipeline, trainSet, tallies.train.mean(trees.length));
    const e: EpochMetrics = { epoch: t, loss: tr.loss, metric: tr.metric };
    if (valSet.y.length) {
      const va = scoreOutputs(pipeline, valSet, tallies.val.mean(trees.length));
      e.valLoss = va.loss;
      e.valMetric = va.metric;
    }
    epochs.push(e);
    opts.onEpoch?.(e);
    opts.onBatchProgress?.(trees.length / settings.trees);
    await yieldToEventLoop();
  }
  const forest: Forest = { outpostTrees: 1, task, width, outputs: k, trees };
  const bytes = forestBytes(forest);
  const weights = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const artifacts: TreesArtifacts = { format: 'outpost-trees', kind: 'random-forest', trees: trees.length, inputWidth: width, outputWidth: k };
  const scored = valSet.y.length ? tallies.val : tallies.train;
  return {
    status,
    pipeline,
    artifacts,
    weights,
    epochs,
    metrics: reportOutputs(pipeline, scored.set, scored.mean(trees.length)),
    trainRows: data.trainRows,
    validationRows: data.validationRows,
    durationMs: now() - started,
    backend: 'cpu',
  };
}
