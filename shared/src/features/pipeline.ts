import type { ColumnInfo, Task } from '../schema/records.js';
import type { FeaturePipeline, FeatureSpec, TargetSpec } from '../schema/pipeline.js';
import { OutpostError } from '../errors.js';
import { countValues, isMissing, toNumber, type Row } from '../data/columns.js';

/**
 * Fit the feature pipeline on the rows given (callers pass the training rows only, so nothing of
 * the validation rows leaks into it). Numeric features: mean and population standard deviation
 * (ddof = 0, as scikit-learn's StandardScaler; a zero deviation is stored as 1), missing values
 * imputed with the mean. Categorical features: sorted categories for one-hot encoding (as
 * OneHotEncoder with handle_unknown='ignore'), missing values imputed with the mode (ties: the
 * first in sorted order). Target: sorted labels (classification) or mean and deviation
 * (regression, trained on the standardised value).
 */
export function fitPipeline(rows: Row[], featureNames: string[], columns: ColumnInfo[], target: string, task: Task): FeaturePipeline {
  const typeOf = (name: string) => {
    const c = columns.find((col) => col.name === name);
    if (!c) throw new OutpostError('dataset_invalid', `There is no column “${name}” in this dataset.`);
    return c.type;
  };
  const features: FeatureSpec[] = featureNames.map((name) => {
    if (typeOf(name) === 'numeric') {
      const { mean, std } = meanStd(rows.map((r) => toNumber(r[name])).filter((v): v is number => v !== null));
      return { name, kind: 'numeric', mean, std: std > 0 ? std : 1, impute: mean };
    }
    const counts = countValues(rows, name);
    const categories = [...counts.keys()].sort();
    if (categories.length === 0) categories.push('');
    const impute = categories.reduce((best, c) => ((counts.get(c) ?? 0) > (counts.get(best) ?? 0) ? c : best), categories[0]);
    return { name, kind: 'categorical', categories, impute };
  });
  let targetSpec: TargetSpec;
  if (task === 'classification') {
    const labels = [...countValues(rows, target).keys()].sort();
    if (labels.length < 2) throw new OutpostError('dataset_invalid', `The target “${target}” needs at least two different values in the training rows.`);
    targetSpec = { name: target, kind: 'categorical', labels };
  } else {
    const values = rows.map((r) => toNumber(r[target])).filter((v): v is number => v !== null);
    if (values.length === 0) throw new OutpostError('dataset_invalid', `The target “${target}” has no numbers; pick a numeric column for regression.`);
    const { mean, std } = meanStd(values);
    targetSpec = { name: target, kind: 'numeric', mean, std: std > 0 ? std : 1 };
  }
  return { version: 1, features, target: targetSpec };
}

function meanStd(values: number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: 0, std: 1 };
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, std: Math.sqrt(ss / values.length) };
}

/** Width of a transformed row: one column per numeric feature, one per category. */
export function featureWidth(p: FeaturePipeline): number {
  return p.features.reduce((w, f) => w + (f.kind === 'numeric' ? 1 : f.categories.length), 0);
}

function writeRow(p: FeaturePipeline, row: Row, out: Float32Array, offset: number): void {
  let o = offset;
  for (const f of p.features) {
    if (f.kind === 'numeric') {
      const v = toNumber(row[f.name]) ?? f.impute;
      out[o++] = (v - f.mean) / f.std;
    } else {
      const raw = row[f.name];
      const v = isMissing(raw) ? f.impute : String(raw).trim();
      const k = f.categories.indexOf(v);
      if (k >= 0) out[o + k] = 1;
      o += f.categories.length;
    }
  }
}

/** Transform one row: standardise numbers, one-hot encode categories (unseen -> all zeros). */
export function transformRow(p: FeaturePipeline, row: Row): Float32Array {
  const out = new Float32Array(featureWidth(p));
  writeRow(p, row, out, 0);
  return out;
}

/** Transform many rows into one row-major n x width matrix. */
export function transformRows(p: FeaturePipeline, rows: Row[]): Float32Array {
  const w = featureWidth(p);
  const out = new Float32Array(rows.length * w);
  rows.forEach((r, i) => writeRow(p, r, out, i * w));
  return out;
}

/**
 * The training target of a row: the class index (classification) or the standardised value
 * (regression); null when the target is missing or unknown (such rows are left out).
 */
export function encodeTarget(p: FeaturePipeline, row: Row): number | null {
  const raw = row[p.target.name];
  if (p.target.kind === 'categorical') {
    if (isMissing(raw)) return null;
    const k = p.target.labels.indexOf(String(raw).trim());
    return k >= 0 ? k : null;
  }
  const v = toNumber(raw);
  return v === null ? null : (v - p.target.mean) / p.target.std;
}

/** Map a standardised regression output back to the target's original units. */
export function decodeRegression(p: FeaturePipeline, y: number): number {
  if (p.target.kind !== 'numeric') throw new OutpostError('bad_request', 'Not a regression pipeline.');
  return y * p.target.std + p.target.mean;
}
