import type { FeaturePipeline } from '../schema/pipeline.js';
import { featureValue } from '../features/pipeline.js';
import type { PredictionOutput } from '../schema/records.js';
import { REFERENCE_MAX_ROWS, type FeatureProfile, type OutputProfile, type ReferenceProfile, type ReferenceRows } from '../schema/monitoring.js';
import { isMissing, toNumber, type Cell, type Row } from '../data/columns.js';
import { mulberry32, shuffleInPlace } from '../data/random.js';
import { CONFIDENCE_BINS, numericBin } from './summary.js';
import { innerPsiEdges } from './bins.js';

/**
 * The reference a model version keeps of its training rows (see ReferenceProfile): at most
 * REFERENCE_MAX_ROWS of them (a seeded sample of larger sets, so the same run keeps the same
 * rows), profiled per feature, with the target and the model's own answers on those rows.
 */

/** The rows a reference keeps: all training rows, or a seeded sample of REFERENCE_MAX_ROWS of them. */
export function referenceSample(trainRows: Row[], seed: number, max = REFERENCE_MAX_ROWS): Row[] {
  if (trainRows.length <= max) return trainRows;
  const idx = shuffleInPlace(
    Array.from({ length: trainRows.length }, (_, i) => i),
    mulberry32(seed ^ 0x7ef),
  )
    .slice(0, max)
    .sort((a, b) => a - b);
  return idx.map((i) => trainRows[i]);
}

/** A numeric column's profile: range, mean, missing values and counts per decile bin. */
export function numericProfile(name: string, values: Cell[]): FeatureProfile {
  const xs: number[] = [];
  let missing = 0;
  for (const v of values) {
    const x = toNumber(v);
    if (x === null) missing += isMissing(v) ? 1 : 0;
    else xs.push(x);
  }
  if (!xs.length) return { name, kind: 'numeric', missing, min: 0, max: 0, mean: 0, edges: [], counts: [0] };
  const edges = innerPsiEdges(xs);
  const counts = new Array<number>(edges.length + 1).fill(0);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    counts[numericBin(edges, x)]++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { name, kind: 'numeric', missing, min, max, mean: sum / xs.length, edges, counts };
}

/** A categorical column's profile: counts per value, most frequent first (ties in sorted order), at most 200. */
export function categoricalProfile(name: string, values: Cell[]): FeatureProfile {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (isMissing(v)) missing++;
    else counts.set(String(v).trim(), (counts.get(String(v).trim()) ?? 0) + 1);
  }
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, 200);
  return { name, kind: 'categorical', missing, counts: sorted };
}

function outputProfile(pipeline: FeaturePipeline, outputs: PredictionOutput[]): OutputProfile {
  if (pipeline.target.kind === 'categorical') {
    const counts: Record<string, number> = Object.fromEntries(pipeline.target.labels.map((l) => [l, 0]));
    const confidence = new Array<number>(CONFIDENCE_BINS).fill(0);
    let sum = 0;
    for (const o of outputs) {
      if (o.label !== undefined) counts[o.label] = (counts[o.label] ?? 0) + 1;
      const top = Math.max(0, ...Object.values(o.probabilities ?? {}));
      confidence[Math.min(CONFIDENCE_BINS - 1, Math.floor(top * CONFIDENCE_BINS))]++;
      sum += top;
    }
    return { kind: 'classes', counts, confidence, meanConfidence: outputs.length ? sum / outputs.length : 0 };
  }
  const p = numericProfile(
    'prediction',
    outputs.map((o) => o.value ?? null),
  );
  if (p.kind !== 'numeric') throw new Error('unreachable');
  return { kind: 'value', min: p.min, max: p.max, mean: p.mean, edges: p.edges, counts: p.counts };
}

/**
 * Profile the reference rows (already sampled with `referenceSample`) and gather them column by
 * column for the blob. `outputs` are the model's answers on those rows, in order; `ofRows` is how
 * many training rows there were in all.
 */
export function buildReference(
  rows: Row[],
  pipeline: FeaturePipeline,
  outputs: PredictionOutput[],
  ofRows: number,
): { profile: Omit<ReferenceProfile, 'blob'>; rows: ReferenceRows } {
  const columns: ReferenceRows['columns'] = {};
  const features = pipeline.features.map((f) => {
    const values = rows.map((r) => normalise(featureValue(f, r)));
    columns[f.name] = values;
    return f.kind === 'numeric' ? numericProfile(f.name, values) : categoricalProfile(f.name, values);
  });
  const targetValues = rows.map((r) => normalise(r[pipeline.target.name]));
  const target =
    pipeline.target.kind === 'categorical' ? categoricalProfile(pipeline.target.name, targetValues) : numericProfile(pipeline.target.name, targetValues);
  const classification = pipeline.target.kind === 'categorical';
  return {
    profile: { rows: rows.length, ofRows, features, output: outputProfile(pipeline, outputs), target },
    rows: {
      version: 1,
      rows: rows.length,
      columns,
      target: targetValues,
      predicted: outputs.map((o) => (classification ? (o.label ?? '') : (o.value ?? 0))),
      confidence: classification ? outputs.map((o) => Math.max(0, ...Object.values(o.probabilities ?? {}))) : undefined,
    },
  };
}

/** A cell as the reference keeps it: numbers as numbers, text trimmed, missing as null. */
function normalise(v: Cell): string | number | null {
  if (isMissing(v)) return null;
  return typeof v === 'number' ? v : String(v).trim();
}
