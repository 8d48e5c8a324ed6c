// How a model does on parts of the test split: rows grouped by one column, each group's metric
// with a bootstrap interval.
import { isMissing, toNumber, type Cell } from '../data/columns.js';
import { linspace, quantileSorted } from '../stats/index.js';
import { bootstrapMetric } from './bootstrap.js';
import { accuracy, confusionMatrix, precisionRecallF1 } from './classification.js';
import { MAX_SLICES, type SliceEvaluation, type SliceMetricName } from './evaluation-schema.js';
import { mae, r2, rmse } from './regression.js';
import { searchSorted } from '../stats/numeric.js';

/** A named group of test rows. */
export interface Slice {
  name: string;
  /** Row indices into the rows sliced, ascending. */
  indices: number[];
}
/** How a column is sliced: by value, or by quantile bins. */
export type SliceKind = 'categorical' | 'numeric';
/** How many slices a column makes. */
export interface SliceOptions {
  /** Quantile bins of a numeric column (4 unless told). */
  bins?: number;
  /** Most frequent values of a categorical column that get a slice each (20 unless told, at most 100); the rest form "(other)". */
  maxCategories?: number;
}

/** The slice of rows without a value (or, in a numeric column, without a number). */
export const MISSING_SLICE = '(missing)';
/** The slice of a categorical column's less frequent values. */
export const OTHER_SLICE = '(other)';
const MAX_NAME = 100;

/**
 * The rows of a test split grouped by one column. Categorical: one slice per value (trimmed text,
 * as data/columns.ts counts values), the maxCategories most frequent first (ties by name), the
 * remaining values together as "(other)". Numeric: quantile bins as pandas.qcut(x, bins,
 * duplicates='drop') makes them: edges at numpy.quantile(values, linspace(0, 1, bins + 1)) (linear),
 * repeated edges merged, bins closed on the right with the lowest value in the first,
 * (e0, e1] ∪ {e0}, (e1, e2], ...; a bin that holds no row is left out, and a column with a single
 * value makes one slice (pandas would leave every row out). Numeric names are "lo–hi" (an en dash)
 * with the edges at 3 significant digits, more if two edges would read the same. Missing cells
 * (data/columns.ts `isMissing`) and, in a numeric column, cells that are not numbers form
 * "(missing)", always last. Names longer than 100 characters are cut with "…".
 */
export function slices(rows: readonly Record<string, Cell>[], column: string, kind: SliceKind, { bins = 4, maxCategories = 20 }: SliceOptions = {}): Slice[] {
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_SLICES - 1)
    throw new RangeError(`A numeric column is cut into 1 to ${MAX_SLICES - 1} bins, not ${bins}.`);
  if (!Number.isInteger(maxCategories) || maxCategories < 1 || maxCategories > MAX_SLICES - 2)
    throw new RangeError(`A categorical column keeps 1 to ${MAX_SLICES - 2} values, not ${maxCategories}.`);
  const missing: number[] = [];
  const out = kind === 'categorical' ? categorical(rows, column, maxCategories, missing) : numeric(rows, column, bins, missing);
  if (missing.length) out.push({ name: MISSING_SLICE, indices: missing });
  return out.map((s) => ({ name: s.name.length > MAX_NAME ? `${s.name.slice(0, MAX_NAME - 1)}…` : s.name, indices: s.indices }));
}

function categorical(rows: readonly Record<string, Cell>[], column: string, maxCategories: number, missing: number[]): Slice[] {
  const groups = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const v = row[column];
    if (isMissing(v)) return missing.push(i);
    const key = String(v).trim();
    const g = groups.get(key);
    if (g) g.push(i);
    else groups.set(key, [i]);
  });
  const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out = sorted.slice(0, maxCategories).map(([name, indices]) => ({ name, indices }));
  if (sorted.length > maxCategories) {
    const rest = sorted.slice(maxCategories).flatMap(([, indices]) => indices);
    out.push({ name: OTHER_SLICE, indices: rest.sort((a, b) => a - b) });
  }
  return out;
}

function numeric(rows: readonly Record<string, Cell>[], column: string, bins: number, missing: number[]): Slice[] {
  const values: number[] = [];
  const at: number[] = [];
  rows.forEach((row, i) => {
    const v = toNumber(row[column]);
    if (v === null) return missing.push(i);
    values.push(v);
    at.push(i);
  });
  if (values.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const edges: number[] = [];
  for (const q of linspace(0, 1, bins + 1)) {
    const e = quantileSorted(sorted, q);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  const groups = Array.from({ length: Math.max(1, edges.length - 1) }, () => [] as number[]);
  values.forEach((v, j) => groups[Math.max(0, searchSorted(edges, v) - 1)].push(at[j]));
  const names = edgeNames(edges);
  const out: Slice[] = [];
  groups.forEach((indices, b) => {
    if (indices.length === 0) return;
    out.push({ name: edges.length === 1 ? names[0] : `${names[b]}–${names[b + 1]}`, indices });
  });
  return out;
}

/** Edges written with 3 significant digits (whole numbers in full), more until no two distinct edges read alike. */
function edgeNames(edges: readonly number[]): string[] {
  for (let digits = 3; digits < 17; digits++) {
    const names = edges.map((e) => formatNumber(e, digits));
    if (new Set(names).size === edges.length) return names;
  }
  return edges.map((e) => String(e));
}

function formatNumber(x: number, digits: number): string {
  if (x === 0) return '0';
  const decimals = Math.min(100, Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(x)))));
  const s = x.toFixed(decimals);
  const trimmed = s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  return Number(trimmed) === 0 ? '0' : trimmed;
}

/** A metric of a subset of the test rows, given their indices (a row may appear more than once). */
export interface SliceMetric {
  name: SliceMetricName;
  of: (indices: readonly number[]) => number;
}

/**
 * Accuracy (scikit-learn `accuracy_score`, the default) or F1 of a subset of rows of class
 * indices: F1 of the positive class 1 when there are k = 2 labels, otherwise the macro F1 over the
 * labels present among the subset's truths and predictions (`f1_score` with its default labels,
 * zero_division=0). NaN for an empty subset.
 */
export function classificationSliceMetric(yTrue: readonly number[], yPred: readonly number[], k: number, name: 'accuracy' | 'f1' = 'accuracy'): SliceMetric {
  return {
    name,
    of: (indices) => {
      if (indices.length === 0) return NaN;
      const t = indices.map((i) => yTrue[i]);
      const p = indices.map((i) => yPred[i]);
      if (name === 'accuracy') return accuracy(t, p);
      const cm = confusionMatrix(t, p, k);
      if (k === 2) return precisionRecallF1(cm, 'binary', 1).f1;
      const present = cm.map((row, c) => row.some((v) => v > 0) || cm.some((r) => r[c] > 0));
      const sub = cm.filter((_, r) => present[r]).map((row) => row.filter((_, c) => present[c]));
      return precisionRecallF1(sub, 'macro').f1;
    },
  };
}

/** MAE (the default), RMSE or R² (scikit-learn's) of a subset of regression rows; NaN for an empty subset. */
export function regressionSliceMetric(y: readonly number[], yHat: readonly number[], name: 'mae' | 'rmse' | 'r2' = 'mae'): SliceMetric {
  const f = name === 'mae' ? mae : name === 'rmse' ? rmse : r2;
  return {
    name,
    of: (indices) =>
      indices.length === 0
        ? NaN
        : f(
            indices.map((i) => y[i]),
            indices.map((i) => yHat[i]),
          ),
  };
}

/** The slicing and the bootstrap of evaluateSlices. */
export interface SliceEvaluationOptions extends SliceOptions {
  /** Seed of the bootstrap (the same for every slice, so a slice's interval does not depend on the others). */
  seed: number;
  resamples?: number;
  level?: number;
}

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The test rows sliced by one column (see `slices`), and per slice its size n, the metric on its
 * rows and a percentile bootstrap interval of it (`bootstrapMetric`: resamples of the slice's
 * rows with replacement, 1000 unless told, at `level` 0.95 unless told, every slice drawn from the
 * same seed). Undefined figures (an empty resample set, a NaN resample) are null. The record states
 * the metric, level, resample count and seed, so it can be rebuilt exactly.
 */
export function evaluateSlices(
  rows: readonly Record<string, Cell>[],
  column: string,
  kind: SliceKind,
  metric: SliceMetric,
  { seed, resamples = 1000, level = 0.95, ...sliceOptions }: SliceEvaluationOptions,
): SliceEvaluation {
  const results = slices(rows, column, kind, sliceOptions).map((s) => {
    const ci = bootstrapMetric(s.indices.length, (idx) => metric.of(idx.map((j) => s.indices[j])), { seed, resamples, level });
    return { name: s.name, n: s.indices.length, value: orNull(ci.estimate), low: orNull(ci.low), high: orNull(ci.high) };
  });
  return { column: column.slice(0, 200), kind, metric: metric.name, level, resamples, seed, slices: results };
}
