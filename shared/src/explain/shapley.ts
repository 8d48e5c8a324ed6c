import { OutpostError } from '../errors.js';
import { mulberry32, shuffleInPlace } from '../data/random.js';
import type { Row } from '../data/columns.js';

/** A model seen as one scalar per row (a class probability, a predicted value), for a batch of rows. */
export type BatchPredict = (rows: Row[]) => Promise<number[]>;

export interface ShapleyOptions {
  /** Permutations drawn per explained row (each costs `features.length` predicted rows). */
  samples: number;
  seed: number;
  /** Rows per `predict` call; defaults to PREDICT_BATCH_ROWS. */
  batchRows?: number;
}

export interface FeatureContribution {
  name: string;
  /** The instance's value (null when missing or absent from the row). */
  value: string | number | null;
  /** Estimated Shapley value, in the units of the explained output. */
  contribution: number;
  /** Standard error of `contribution` over the samples; NaN with a single sample (it cannot be estimated). */
  stderr: number;
}

export interface Explanation {
  /** In the order of the `features` asked for. */
  features: FeatureContribution[];
  /** Mean model output over the background rows drawn (one per sample, repeats counted). */
  baseline: number;
  /** Model output for the instance; sum of contributions = output - baseline. */
  output: number;
  /** Permutations used. */
  samples: number;
  /** Size of the background set the draws came from. */
  backgroundRows: number;
}

export interface Importance {
  /** Mean over the explained rows of |Shapley value|, in the order of the `features` asked for. */
  features: { name: string; meanAbs: number }[];
  rows: number;
  samples: number;
  backgroundRows: number;
}

/** More permutations than this per row buy precision nobody reads off a bar chart. */
export const MAX_SAMPLES = 10_000;
/** Predicted rows one request may cost in total (a phone does roughly 10⁵–10⁶ a second). */
export const MAX_PREDICTED_ROWS = 5_000_000;
/** Rows per `predict` call: large enough to amortise a worker round trip, small enough for memory. */
export const PREDICT_BATCH_ROWS = 4096;

/** Predicted rows an explanation costs: f(x) once, then per permutation f(z) and d - 1 mixed rows. */
export const explainCost = (features: number, samples: number) => 1 + samples * features;

interface Accumulator {
  output: number;
  /** Each feature's Σ of marginal contributions and, at index d, Σ f(z_s); compensated (see `add`). */
  sums: Float64Array;
  comps: Float64Array;
  /** Welford running mean and squared deviations of each feature's contributions, for stderr. */
  mean: Float64Array;
  m2: Float64Array;
}

/**
 * Sampling Shapley values (Štrumbelj & Kononenko 2014, "Explaining prediction models and
 * individual predictions with feature contributions", the IME estimator, without antithetic
 * permutations; shap's PermutationExplainer walks permutations the same way, forwards and
 * reversed, but averages every step over the whole background, N times the rows per sample,
 * where this draws one background row per sample). The value explained is the interventional
 * game v(S) = E_z[f(x_S, z_rest)] over the background rows z, whose Shapley values are
 * φ_i = E_{π,z}[f(x_{pre_π(i) ∪ i}, z_rest) − f(x_{pre_π(i)}, z_rest)].
 * Each sample draws a permutation π and a background row z, both uniformly and independently
 * (z with replacement), then walks π switching features from z's value to the instance's one at
 * a time; each step's change in output is that feature's marginal contribution, and φ_i is their
 * mean over the samples, with standard error sd/√S (the samples are i.i.d., so it is the honest
 * one). The walk telescopes, so Σφ_i = f(x) − mean_s f(z_s) exactly (efficiency): `baseline` is
 * that mean. For an additive model every walk gives the same contribution for a given z, so a
 * linear f gets w_i (x_i − mean of the drawn z_i) exactly. Features not in `features` keep the
 * instance's value; a feature absent from a row counts as missing (null). Cost: 1 + S·d predicted
 * rows (f(x) once; per sample f(z) and d − 1 mixed rows, as the last step ends at f(x)), sent to
 * `predict` in batches of `batchRows`.
 */
export async function explainRow(predict: BatchPredict, instance: Row, background: Row[], features: string[], opts: ShapleyOptions): Promise<Explanation> {
  check(1, background, features, opts);
  const [acc] = await estimate(predict, [instance], background, features, opts, mulberry32(opts.seed));
  const s = opts.samples;
  return {
    features: features.map((name, i) => ({
      name,
      value: instance[name] ?? null,
      contribution: (acc.sums[i] + acc.comps[i]) / s,
      stderr: s > 1 ? Math.sqrt(acc.m2[i] / (s - 1) / s) : NaN,
    })),
    baseline: (acc.sums[features.length] + acc.comps[features.length]) / s,
    output: acc.output,
    samples: s,
    backgroundRows: background.length,
  };
}

/**
 * Global feature importance as the mean absolute Shapley value over `rows` (Lundberg et al. 2020,
 * "From local explanations to global understanding", the bar summary of shap): each row is
 * explained as in `explainRow` with `samples` permutations, all rows' predictions batched
 * together, one seeded random stream across the rows. Cost: rows·(1 + S·d) predicted rows.
 */
export async function globalImportance(predict: BatchPredict, rows: Row[], background: Row[], features: string[], opts: ShapleyOptions): Promise<Importance> {
  if (rows.length === 0) throw new OutpostError('bad_request', 'Choose at least one row to measure which inputs matter.');
  check(rows.length, background, features, opts);
  const accs = await estimate(predict, rows, background, features, opts, mulberry32(opts.seed));
  return {
    features: features.map((name, i) => ({ name, meanAbs: accs.reduce((s, a) => s + Math.abs(a.sums[i] + a.comps[i]), 0) / opts.samples / accs.length })),
    rows: rows.length,
    samples: opts.samples,
    backgroundRows: background.length,
  };
}

function check(instances: number, background: Row[], features: string[], opts: ShapleyOptions): void {
  if (background.length === 0) throw new OutpostError('bad_request', 'Explaining needs background rows (from the training data); none were given.');
  if (features.length === 0) throw new OutpostError('bad_request', 'Choose at least one input to explain.');
  if (new Set(features).size !== features.length) throw new OutpostError('bad_request', 'Each input can be explained only once; remove the repeated names.');
  if (!Number.isInteger(opts.samples) || opts.samples < 1 || opts.samples > MAX_SAMPLES) {
    throw new OutpostError('bad_request', `Use between 1 and ${MAX_SAMPLES} samples for an explanation.`);
  }
  if (!Number.isFinite(opts.seed)) throw new OutpostError('bad_request', 'The seed of an explanation must be a number.');
  if (opts.batchRows !== undefined && (!Number.isInteger(opts.batchRows) || opts.batchRows < 1)) {
    throw new OutpostError('bad_request', 'The batch size of an explanation must be a positive whole number.');
  }
  if (instances * explainCost(features.length, opts.samples) > MAX_PREDICTED_ROWS) {
    throw new OutpostError('bad_request', 'That explanation would take too long on this device; use fewer rows or fewer samples.');
  }
}

/**
 * Neumaier-compensated add of v to sums[i], the lost low bits kept in comps[i]: contributions and
 * baseline are sums of S terms, and efficiency should hold to rounding of the result, not of S adds.
 */
function add(sums: Float64Array, comps: Float64Array, i: number, v: number): void {
  const sum = sums[i];
  const t = sum + v;
  comps[i] += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
  sums[i] = t;
}

interface Draw {
  z: number;
  perm: number[];
}

async function estimate(
  predict: BatchPredict,
  instances: Row[],
  background: Row[],
  features: string[],
  opts: ShapleyOptions,
  rng: () => number,
): Promise<Accumulator[]> {
  const d = features.length;
  const S = opts.samples;
  const batchRows = opts.batchRows ?? PREDICT_BATCH_ROWS;
  const accs: Accumulator[] = instances.map(() => ({
    output: 0,
    sums: new Float64Array(d + 1),
    comps: new Float64Array(d + 1),
    mean: new Float64Array(d),
    m2: new Float64Array(d),
  }));

  // Each instance's plan (a background row and a permutation per sample) is drawn when its rows
  // are first made and dropped once its outputs are in; rows are made one batch at a time,
  // because S·d of them per instance can be many.
  const plans: (Draw[] | undefined)[] = [];

  function* rows(): Generator<Row> {
    for (let j = 0; j < instances.length; j++) {
      const x = instances[j];
      const plan = Array.from({ length: S }, () => ({ z: Math.floor(rng() * background.length), perm: shuffleInPlace(range(d), rng) }));
      plans[j] = plan;
      yield withFeatures(x, x, features);
      for (const { z, perm } of plan) {
        const row = withFeatures(x, background[z], features);
        for (let k = 0; k < d - 1; k++) {
          yield { ...row };
          row[features[perm[k]]] = x[features[perm[k]]] ?? null;
        }
        yield row;
      }
    }
  }

  // Outputs arrive in the order the rows were made; this cursor walks the same plan:
  // instance j, sample s (-1: the next output is f(x)), step k (0: f(z), k: k features switched).
  let j = 0;
  let s = -1;
  let k = 0;
  let prev = 0;
  const contribute = (acc: Accumulator, f: number, delta: number) => {
    add(acc.sums, acc.comps, f, delta);
    const dm = delta - acc.mean[f];
    acc.mean[f] += dm / (s + 1);
    acc.m2[f] += dm * (delta - acc.mean[f]);
  };
  const take = (y: number) => {
    const acc = accs[j];
    if (s === -1) {
      acc.output = y;
      s = 0;
      return;
    }
    const perm = plans[j]![s].perm;
    if (k === 0) add(acc.sums, acc.comps, d, y);
    else contribute(acc, perm[k - 1], y - prev);
    prev = y;
    if (++k < d) return;
    contribute(acc, perm[d - 1], acc.output - prev);
    k = 0;
    if (++s < S) return;
    plans[j] = undefined;
    s = -1;
    j++;
  };

  let batch: Row[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const ys = await predict(batch);
    if (ys.length !== batch.length) throw new OutpostError('internal', `The model answered ${ys.length} of ${batch.length} rows; load it again and retry.`);
    for (const y of ys) {
      if (!Number.isFinite(y)) throw new OutpostError('internal', 'The model gave an answer that is not a number, so it cannot be explained.');
      take(y);
    }
    batch = [];
  };
  for (const row of rows()) {
    batch.push(row);
    if (batch.length >= batchRows) await flush();
  }
  await flush();
  return accs;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The instance with each explained feature set to `source`'s value (missing when absent). */
function withFeatures(instance: Row, source: Row, features: string[]): Row {
  const row: Row = { ...instance };
  for (const f of features) row[f] = source[f] ?? null;
  return row;
}
