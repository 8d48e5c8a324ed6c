import { z } from 'zod';
import { Count, Id } from '../schema/primitives.js';
import type { FeatureProfile, OutcomeValue } from '../schema/monitoring.js';
import type { ModelVersion, Prediction } from '../schema/records.js';
import { isMissing, toNumber, type Cell } from '../data/columns.js';
import { searchSorted } from '../stats/numeric.js';

/**
 * A day of one model version's predictions on one device, as counts that add up: summaries of
 * many days, or of many devices, merge by adding (`mergeSummaries`), so the device's monitors and
 * the fleet view compute every figure from the same numbers. Kept up to date as predictions are
 * logged and outcomes recorded (an outcome recorded again takes its predecessor's counts away).
 */

/** Upper edges (ms) of the latency buckets: 0.01 ms x 1.25^i, i = 0..60; one more bucket for slower. */
export const LATENCY_EDGES: readonly number[] = Array.from({ length: 61 }, (_, i) => 0.01 * 1.25 ** i);
/** Bins of a binary model's positive-class probability: [0, 0.01), ..., [0.99, 1]. */
export const SCORE_BINS = 100;
/** Bins of the top-class probability: [0, 0.1), ..., [0.9, 1]. */
export const CONFIDENCE_BINS = 10;
/** Distinct values of the protected attribute counted per day; rarer ones count as "other". */
export const MAX_GROUPS = 50;
export const OTHER_GROUP = '(other)';

const Num = z.number().finite();
const Counts = z.array(Count).max(1000);
/** A record with at most `max` keys of at most 200 characters (a day's counts must stay small). */
const Keyed = <T extends z.ZodType>(value: T, max: number) =>
  z.record(z.string().max(200), value).refine((r) => Object.keys(r).length <= max, `at most ${max} entries`);

export const InputCounts = z.object({
  missing: Count,
  /** Numeric values outside the training range. */
  outOfRange: Count,
  /** Categorical values the model never saw in training. */
  unseen: Count,
  /** Values of the wrong type (text where a number belongs). */
  invalid: Count,
  /** Values per reference bin (numeric: decile bins; categorical: the profile's categories, then "other"). */
  bins: Counts,
});

/** Running sums of one numeric series (Chan et al.'s parallel update, so merged sums stay accurate). */
export const Moments = z.object({ n: Count, mean: Num, m2: Num });

export const DaySummary = z.object({
  projectId: Id,
  modelVersionId: Id,
  /** UTC day of the predictions, YYYY-MM-DD. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  predictions: Count,
  errors: Count,
  latency: z.array(Count).length(LATENCY_EDGES.length + 1),
  latencySumMs: Num,
  inputs: Keyed(InputCounts, 500),
  /** Predicted label counts (classification). */
  classes: Keyed(Count, 1000),
  confidence: z.array(Count).length(CONFIDENCE_BINS),
  confidenceSum: Num,
  /** Predicted values per reference bin, and their moments (regression). */
  valueBins: Counts,
  values: Moments,
  /** Predictions with an outcome; outcomes that are no label of the model are counted apart. */
  outcomes: Count,
  unknownOutcomes: Count,
  /** Outcome labels per reference target bin (label drift). */
  outcomeBins: Counts,
  /** confusion[true][predicted] over the model's labels (classification). */
  confusion: z.array(Counts).max(1000),
  /** Positive-class probability bins per true label (binary classification): scores[true][bin]. */
  scores: z.array(Counts).max(2),
  /** Regression over outcomes: moments of the outcome, of the error (ŷ - y) and of the absolute error. */
  outcomeMoments: Moments,
  errorMoments: Moments,
  absErrorMoments: Moments,
  /** The protected attribute these groups are of (the project's setting when the summary was made). */
  groupAttribute: z.string().max(200).optional(),
  /** Per value of the protected attribute: the confusion matrix over predictions with outcomes. */
  groups: Keyed(z.array(Counts).max(1000), MAX_GROUPS + 1),
  /** Per value of the protected attribute: predicted label counts over all predictions. */
  groupPredictions: Keyed(Keyed(Count, 1000), MAX_GROUPS + 1),
});
export type DaySummary = z.infer<typeof DaySummary>;
export type Moments = z.infer<typeof Moments>;

/** What the counting needs to know of a model version. */
export type SummaryModel = Pick<ModelVersion, 'id' | 'projectId' | 'pipeline' | 'reference'>;

/** The UTC day of an epoch-millisecond time, YYYY-MM-DD. */
export function dayOf(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10);
}

const zeros = (n: number) => new Array<number>(n).fill(0);
const matrix = (k: number) => Array.from({ length: k }, () => zeros(k));
const noMoments = (): Moments => ({ n: 0, mean: 0, m2: 0 });
const labelsOf = (m: SummaryModel) => (m.pipeline.target.kind === 'categorical' ? m.pipeline.target.labels : []);

/** Bins a profile has: numeric, one more than its edges; categorical, its categories and "other". */
export function binCount(p: FeatureProfile | undefined): number {
  if (!p) return 0;
  return p.kind === 'numeric' ? p.edges.length + 1 : p.counts.length + 1;
}

/** A profile's reference counts per bin, in binOf's order (categorical: its categories, then an empty "other"). */
export function referenceBins(p: FeatureProfile | undefined): number[] {
  if (!p) return [];
  return p.kind === 'numeric' ? p.counts : [...p.counts.map(([, n]) => n), 0];
}

/** The bin of a numeric value: bins are [edge(i-1), edge(i)), the first and the last open-ended. */
export function numericBin(edges: readonly number[], x: number): number {
  return searchSorted(edges, x, 'right');
}

function categoryBin(p: Extract<FeatureProfile, { kind: 'categorical' }>, v: string): number {
  const i = p.counts.findIndex(([c]) => c === v);
  return i >= 0 ? i : p.counts.length;
}

/** A value's bin in a profile, or -1 when it has none (missing, or not a number for a numeric profile). */
export function binOf(p: FeatureProfile, v: Cell): number {
  if (isMissing(v)) return -1;
  if (p.kind === 'numeric') {
    const x = toNumber(v);
    return x === null ? -1 : numericBin(p.edges, x);
  }
  return categoryBin(p, String(v).trim());
}

/** An empty day for a model version. */
export function emptySummary(m: SummaryModel, day: string, groupAttribute?: string): DaySummary {
  const k = labelsOf(m).length;
  const ref = m.reference;
  const inputs: DaySummary['inputs'] = {};
  for (const f of m.pipeline.features) {
    const p = ref?.features.find((x) => x.name === f.name);
    inputs[f.name] = { missing: 0, outOfRange: 0, unseen: 0, invalid: 0, bins: zeros(binCount(p)) };
  }
  const outputBins = ref?.output.kind === 'value' ? ref.output.edges.length + 1 : 0;
  return {
    projectId: m.projectId,
    modelVersionId: m.id,
    day,
    predictions: 0,
    errors: 0,
    latency: zeros(LATENCY_EDGES.length + 1),
    latencySumMs: 0,
    inputs,
    classes: {},
    confidence: zeros(CONFIDENCE_BINS),
    confidenceSum: 0,
    valueBins: zeros(outputBins),
    values: noMoments(),
    outcomes: 0,
    unknownOutcomes: 0,
    outcomeBins: zeros(binCount(ref?.target)),
    confusion: matrix(k),
    scores: k === 2 ? [zeros(SCORE_BINS), zeros(SCORE_BINS)] : [],
    outcomeMoments: noMoments(),
    errorMoments: noMoments(),
    absErrorMoments: noMoments(),
    groupAttribute,
    groups: {},
    groupPredictions: {},
  };
}

/** Add (sign 1) or take away (sign -1) one value from running moments (Welford's update and its inverse). */
export function addMoment(m: Moments, x: number, sign: 1 | -1 = 1): Moments {
  const n = m.n + sign;
  if (n <= 0) return noMoments();
  const mean = m.mean + (sign * (x - m.mean)) / n;
  const m2 = m.m2 + sign * (x - m.mean) * (x - mean);
  return { n, mean, m2: Math.max(0, m2) };
}

/** Merge two running moments (Chan, Golub and LeVeque's pairwise formula). */
export function mergeMoments(a: Moments, b: Moments): Moments {
  if (!a.n) return { ...b };
  if (!b.n) return { ...a };
  const n = a.n + b.n;
  const d = b.mean - a.mean;
  return { n, mean: a.mean + (d * b.n) / n, m2: a.m2 + b.m2 + (d * d * a.n * b.n) / n };
}

const latencyBucket = (ms: number) => {
  const i = LATENCY_EDGES.findIndex((e) => ms <= e);
  return i < 0 ? LATENCY_EDGES.length : i;
};
const tenth = (p: number, bins: number) => Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));

/** The group a prediction belongs to for the fairness monitor: its protected attribute's value. */
export function groupOf(p: Pick<Prediction, 'inputs' | 'attributes'>, attribute: string | undefined): string | undefined {
  if (!attribute) return undefined;
  const v = p.attributes?.[attribute] ?? p.inputs[attribute];
  return isMissing(v) ? undefined : String(v).trim();
}

/** The group's key in a day: its value, or "(other)" once MAX_GROUPS values are counted. */
function groupKey(keys: string[], g: string): string {
  return keys.includes(g) || keys.length < MAX_GROUPS ? g : OTHER_GROUP;
}

function countInputs(s: DaySummary, m: SummaryModel, p: Prediction): void {
  for (const f of m.pipeline.features) {
    const c = s.inputs[f.name];
    if (!c) continue;
    const v = p.inputs[f.name];
    if (isMissing(v)) {
      c.missing++;
      continue;
    }
    const profile = m.reference?.features.find((x) => x.name === f.name);
    if (f.kind === 'numeric') {
      const x = toNumber(v);
      if (x === null) {
        c.invalid++;
        continue;
      }
      if (profile?.kind === 'numeric' && (x < profile.min || x > profile.max)) c.outOfRange++;
    } else if (!f.categories.includes(String(v).trim())) c.unseen++;
    if (profile && c.bins.length) {
      const b = binOf(profile, v);
      if (b >= 0) c.bins[b]++;
    }
  }
}

/** Count one logged prediction into its day (the summary is changed in place and returned). */
export function addPrediction(s: DaySummary, m: SummaryModel, p: Prediction): DaySummary {
  s.predictions++;
  s.latency[latencyBucket(p.latencyMs)]++;
  s.latencySumMs += p.latencyMs;
  countInputs(s, m, p);
  if (p.error) {
    s.errors++;
    return s;
  }
  const label = p.output.label;
  if (label !== undefined) {
    s.classes[label] = (s.classes[label] ?? 0) + 1;
    const top = Math.max(0, ...Object.values(p.output.probabilities ?? {}));
    s.confidence[tenth(top, CONFIDENCE_BINS)]++;
    s.confidenceSum += top;
    const g = groupOf(p, s.groupAttribute);
    if (g !== undefined) {
      const key = groupKey(Object.keys(s.groupPredictions), g);
      const counts = (s.groupPredictions[key] ??= {});
      counts[label] = (counts[label] ?? 0) + 1;
    }
  } else if (p.output.value !== undefined) {
    const ref = m.reference?.output;
    if (ref?.kind === 'value' && s.valueBins.length) s.valueBins[numericBin(ref.edges, p.output.value)]++;
    s.values = addMoment(s.values, p.output.value);
  }
  return s;
}

/**
 * Count (sign 1) or take back (sign -1) the outcome of a prediction counted in this day. A failed
 * prediction has no answer to compare, so its outcome is not counted.
 */
export function addOutcome(s: DaySummary, m: SummaryModel, p: Prediction, value: OutcomeValue, sign: 1 | -1 = 1): DaySummary {
  if (p.error) return s;
  const target = m.reference?.target;
  if (target && s.outcomeBins.length) {
    const b = binOf(target, value);
    if (b >= 0) s.outcomeBins[b] += sign;
  }
  const labels = labelsOf(m);
  if (labels.length) {
    const t = labels.indexOf(String(value).trim());
    const y = p.output.label === undefined ? -1 : labels.indexOf(p.output.label);
    if (t < 0 || y < 0) {
      s.unknownOutcomes += sign;
      return s;
    }
    s.outcomes += sign;
    s.confusion[t][y] += sign;
    if (s.scores.length) s.scores[t][tenth(p.output.probabilities?.[labels[1]] ?? 0, SCORE_BINS)] += sign;
    const g = groupOf(p, s.groupAttribute);
    if (g !== undefined) {
      const key = groupKey(Object.keys(s.groups), g);
      s.groups[key] ??= matrix(labels.length);
      s.groups[key][t][y] += sign;
    }
    return s;
  }
  const y = toNumber(value);
  const yHat = p.output.value;
  if (y === null || yHat === undefined) {
    s.unknownOutcomes += sign;
    return s;
  }
  s.outcomes += sign;
  s.outcomeMoments = addMoment(s.outcomeMoments, y, sign);
  s.errorMoments = addMoment(s.errorMoments, yHat - y, sign);
  s.absErrorMoments = addMoment(s.absErrorMoments, Math.abs(yHat - y), sign);
  return s;
}

const addArrays = (a: number[], b: number[]) => (a.length >= b.length ? a.map((x, i) => x + (b[i] ?? 0)) : b.map((x, i) => x + (a[i] ?? 0)));
const addMatrices = (a: number[][], b: number[][]): number[][] => (a.length >= b.length ? a.map((r, i) => addArrays(r, b[i] ?? [])) : addMatrices(b, a));
function addRecords<T>(a: Record<string, T>, b: Record<string, T>, add: (x: T, y: T) => T): Record<string, T> {
  const out: Record<string, T> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? add(out[k], v) : v;
  return out;
}
const addCounts = (a: Record<string, number>, b: Record<string, number>) => addRecords(a, b, (x, y) => x + y);

/**
 * Add two summaries of the same model version (days, or devices). The result's `day` is the first
 * one's; group counts merge only when both count the same protected attribute (otherwise the
 * first one's are kept and the second's dropped, as they answer another question).
 */
export function mergeSummaries(a: DaySummary, b: DaySummary): DaySummary {
  const sameGroups = a.groupAttribute === b.groupAttribute;
  return {
    ...a,
    predictions: a.predictions + b.predictions,
    errors: a.errors + b.errors,
    latency: addArrays(a.latency, b.latency),
    latencySumMs: a.latencySumMs + b.latencySumMs,
    inputs: addRecords(a.inputs, b.inputs, (x, y) => ({
      missing: x.missing + y.missing,
      outOfRange: x.outOfRange + y.outOfRange,
      unseen: x.unseen + y.unseen,
      invalid: x.invalid + y.invalid,
      bins: addArrays(x.bins, y.bins),
    })),
    classes: addCounts(a.classes, b.classes),
    confidence: addArrays(a.confidence, b.confidence),
    confidenceSum: a.confidenceSum + b.confidenceSum,
    valueBins: addArrays(a.valueBins, b.valueBins),
    values: mergeMoments(a.values, b.values),
    outcomes: a.outcomes + b.outcomes,
    unknownOutcomes: a.unknownOutcomes + b.unknownOutcomes,
    outcomeBins: addArrays(a.outcomeBins, b.outcomeBins),
    confusion: addMatrices(a.confusion, b.confusion),
    scores: addMatrices(a.scores, b.scores),
    outcomeMoments: mergeMoments(a.outcomeMoments, b.outcomeMoments),
    errorMoments: mergeMoments(a.errorMoments, b.errorMoments),
    absErrorMoments: mergeMoments(a.absErrorMoments, b.absErrorMoments),
    groups: sameGroups ? addRecords(a.groups, b.groups, addMatrices) : a.groups,
    groupPredictions: sameGroups ? addRecords(a.groupPredictions, b.groupPredictions, addCounts) : a.groupPredictions,
  };
}

/** All of a version's days (or devices) added into one; undefined when there are none. */
export function totalOf(days: readonly DaySummary[]): DaySummary | undefined {
  return days.length ? days.slice(1).reduce(mergeSummaries, cloneSummary(days[0])) : undefined;
}

/** A deep copy (summaries are plain JSON). */
export function cloneSummary(s: DaySummary): DaySummary {
  return JSON.parse(JSON.stringify(s)) as DaySummary;
}
