import type { ColumnInfo, Task } from '../schema/records.js';
import type { FeaturePipeline, FeatureSource, FeatureSpec, NumericFeature, TargetSpec } from '../schema/pipeline.js';
import { OutpostError } from '../errors.js';
import { countValues, isMissing, toNumber, type Cell, type Row } from '../data/columns.js';
import { DATE_PARTS, datePart, parseDate } from '../data/dates.js';

/**
 * Fit the feature pipeline on the rows given (callers pass the training rows only, so nothing of
 * the validation rows leaks into it). Numeric features: mean and population standard deviation
 * (ddof = 0, as scikit-learn's StandardScaler; a zero deviation is stored as 1), missing values
 * imputed with the mean. Categorical features: sorted categories for one-hot encoding (as
 * OneHotEncoder with handle_unknown='ignore'), missing values imputed with the mode (ties: the
 * first in sorted order). Date features: five numeric features (year, month, day, weekday,
 * day of year; `derive`), each standardised as above. Text features: a category when the
 * training rows hold at most 20 distinct values, otherwise two numeric features, length in
 * characters and in words (until text models exist). Target: sorted labels (classification) or
 * mean and deviation (regression, trained on the standardised value).
 */
export function fitPipeline(rows: Row[], featureNames: string[], columns: ColumnInfo[], target: string, task: Task): FeaturePipeline {
  const columnOf = (name: string) => {
    const c = columns.find((col) => col.name === name);
    if (!c) throw new OutpostError('dataset_invalid', `There is no column “${name}” in this dataset.`);
    return c;
  };
  const numericSpec = (name: string, values: (number | null)[], source?: FeatureSource): NumericFeature => {
    const { mean, std } = meanStd(values.filter((v): v is number => v !== null));
    return { name, kind: 'numeric', mean, std: std > 0 ? std : 1, impute: mean, ...(source ? { source } : {}) };
  };
  const features: FeatureSpec[] = featureNames.flatMap((name): FeatureSpec[] => {
    const col = columnOf(name);
    if (col.type === 'numeric')
      return [
        numericSpec(
          name,
          rows.map((r) => toNumber(r[name])),
        ),
      ];
    const counts = countValues(rows, name);
    if (col.type === 'date') {
      const order = col.dateOrder ?? 'dmy';
      return DATE_PARTS.map((part) => {
        const source: FeatureSource = { column: name, part, order };
        return numericSpec(
          `${name} (${part})`,
          rows.map((r) => derive(source, r[name])),
          source,
        );
      });
    }
    if (col.type === 'text' && counts.size > TEXT_AS_CATEGORY_MAX) {
      return (['length', 'words'] as const).map((part) => {
        const source: FeatureSource = { column: name, part };
        return numericSpec(
          `${name} (${part})`,
          rows.map((r) => derive(source, r[name])),
          source,
        );
      });
    }
    const categories = [...counts.keys()].sort();
    if (categories.length === 0) categories.push('');
    const impute = categories.reduce((best, c) => ((counts.get(c) ?? 0) > (counts.get(best) ?? 0) ? c : best), categories[0]);
    return [{ name, kind: 'categorical', categories, impute }];
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
  // Version 1 stays exactly as before for pipelines without derived features.
  const version = features.some((f) => f.kind === 'numeric' && f.source) ? 2 : 1;
  return { version, features, target: targetSpec };
}

/** A text column with at most this many distinct training values is one-hot encoded as a category. */
export const TEXT_AS_CATEGORY_MAX = 20;

/**
 * The value of a derived feature from its source cell: a date part (the cell read as ISO 8601 or
 * in the source's day/month order; see `datePart`), or a text's length in characters (trimmed) or
 * words (runs of non-space characters). Null when the cell is missing or not a date.
 */
export function derive(source: FeatureSource, cell: Cell): number | null {
  if (isMissing(cell)) return null;
  if (source.part === 'length' || source.part === 'words') {
    const s = String(cell).trim();
    return source.part === 'length' ? [...s].length : s.split(/\s+/u).filter(Boolean).length;
  }
  const d = parseDate(cell, source.order ?? 'dmy');
  return d ? datePart(d, source.part) : null;
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

/**
 * A feature's value in a row before scaling: the column of its name, or for a derived feature
 * (a date part, a text length) the value derived from its source column, or else a value given
 * under the feature's own name. Monitors, logs and explanations read inputs through this, so
 * they see what the model sees.
 */
export function featureValue(f: FeatureSpec, row: Row): Cell {
  if (f.kind !== 'numeric' || !f.source) return row[f.name];
  return derive(f.source, row[f.source.column]) ?? toNumber(row[f.name]);
}

/** A row as the model's features see it before scaling (one entry per feature, by its name); `transformRow` reads it alike. */
export function featureRow(p: FeaturePipeline, row: Row): Record<string, string | number | null> {
  const out: Record<string, string | number | null> = {};
  for (const f of p.features) out[f.name] = featureValue(f, row) ?? null;
  return out;
}

/** The columns a row must have for the model, in pipeline order: a derived feature needs its source column. */
export function inputColumns(p: FeaturePipeline): string[] {
  return [...new Set(p.features.map((f) => (f.kind === 'numeric' && f.source ? f.source.column : f.name)))];
}

/** Width of a transformed row: one column per numeric feature, one per category. */
export function featureWidth(p: FeaturePipeline): number {
  return p.features.reduce((w, f) => w + (f.kind === 'numeric' ? 1 : f.categories.length), 0);
}

function writeRow(p: FeaturePipeline, row: Row, out: Float32Array, offset: number): void {
  let o = offset;
  for (const f of p.features) {
    if (f.kind === 'numeric') {
      // A derived part given directly (a form or file with a "visit (year)" column) is used as given.
      const v = (f.source ? (derive(f.source, row[f.source.column]) ?? toNumber(row[f.name])) : toNumber(row[f.name])) ?? f.impute;
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
