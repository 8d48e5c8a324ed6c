import type { FairnessSettings, Kpi, QualityMetric } from '../schema/monitoring.js';
import { precisionRecallF1 } from '../metrics/classification.js';
import { LATENCY_EDGES, OTHER_GROUP, referenceBins, type DaySummary, type SummaryModel } from './summary.js';
import { fairnessFromCounts, psiFromCounts, type GroupCounts } from '../stats/index.js';

/**
 * Every monitor figure of a model version, computed from its day counts (one day, a range of
 * days, or a whole fleet's days added together): the device's monitor screen and the server's
 * fleet view call this same function, so they show the same numbers for the same counts.
 */

export interface InputFigures {
  name: string;
  /** Values with a value of the right type. */
  present: number;
  missing: number;
  outOfRange: number;
  unseen: number;
  invalid: number;
  /** PSI of this input's values against the training reference, over the reference's decile bins. */
  psi: number | null;
}

export interface QualityFigures {
  outcomes: number;
  /** Outcomes that are none of the model's labels (typing errors in a file, say): not counted. */
  unknown: number;
  metric: QualityMetric;
  /** The chosen metric's value, or null before the first outcome. */
  value: number | null;
  accuracy?: number;
  precision?: number;
  recall?: number;
  f1?: number;
  /** ROC AUC over the positive-class probability in hundredths (binary only). */
  auc?: number;
  mae?: number;
  rmse?: number;
  r2?: number;
}

export interface FairnessFigures {
  attribute: string;
  privileged: string;
  favourable: string;
  privilegedRows: number;
  unprivilegedRows: number;
  disparateImpact: number;
  statisticalParityDifference: number;
  equalOpportunityDifference: number;
  averageOddsDifference: number;
  /** OpenScale's fairness score: disparate impact x 100. */
  score: number;
}

export interface VersionFigures {
  predictions: number;
  errors: number;
  errorRate: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyMeanMs: number;
  missingShare: number;
  outOfRangeShare: number;
  unseenShare: number;
  invalidShare: number;
  inputs: InputFigures[];
  /** Predicted label shares now and on the reference rows (classification). */
  classShares: Record<string, number>;
  referenceClassShares: Record<string, number>;
  meanConfidence: number | null;
  referenceMeanConfidence: number | null;
  /** PSI of the predictions (labels or value bins) against the model's answers on the reference. */
  predictionPsi: number | null;
  /** PSI of the outcomes against the reference target. */
  outcomePsi: number | null;
  quality: QualityFigures;
  fairness: FairnessFigures | null;
  /** Predictions still waiting for an outcome (failed ones excluded). */
  waiting: number;
}

const share = (a: number, b: number) => (b > 0 ? a / b : 0);

/**
 * The latency below which a share `q` of predictions fell (nearest rank), read off the buckets: the
 * upper edge of the bucket holding that rank, so within 25% of the exact value; past the last
 * edge, the last edge.
 */
export function latencyQuantile(buckets: readonly number[], q: number): number {
  const n = buckets.reduce((a, b) => a + b, 0);
  if (!n) return 0;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i];
    if (seen >= rank) return LATENCY_EDGES[Math.min(i, LATENCY_EDGES.length - 1)];
  }
  return LATENCY_EDGES[LATENCY_EDGES.length - 1];
}

/**
 * ROC AUC from positive-class probability bins per true label (scikit-learn's roc_auc_score over
 * the binned scores): the Mann–Whitney statistic, pairs in one bin counting one half.
 */
export function binnedAuc(negative: readonly number[], positive: readonly number[]): number {
  const nNeg = negative.reduce((a, b) => a + b, 0);
  const nPos = positive.reduce((a, b) => a + b, 0);
  if (!nNeg || !nPos) return Number.NaN;
  let below = 0;
  let u = 0;
  for (let b = 0; b < Math.max(negative.length, positive.length); b++) {
    u += (positive[b] ?? 0) * (below + 0.5 * (negative[b] ?? 0));
    below += negative[b] ?? 0;
  }
  return u / (nNeg * nPos);
}

/** Quality over the outcomes counted in `s`, in the chosen measure (and the others that fit the task). */
export function quality(s: DaySummary, m: SummaryModel, metric: QualityMetric): QualityFigures {
  const base = { outcomes: s.outcomes, unknown: s.unknownOutcomes, metric };
  if (m.pipeline.target.kind === 'categorical') {
    if (!s.outcomes) return { ...base, value: null };
    const k = s.confusion.length;
    const trace = s.confusion.reduce((a, row, i) => a + row[i], 0);
    const prf = precisionRecallF1(s.confusion, k === 2 ? 'binary' : 'macro', 1);
    const auc = s.scores.length === 2 ? binnedAuc(s.scores[0], s.scores[1]) : undefined;
    const figures = { accuracy: trace / s.outcomes, precision: prf.precision, recall: prf.recall, f1: prf.f1, auc };
    const value = metric === 'auc' ? (auc ?? null) : metric === 'f1' ? prf.f1 : figures.accuracy;
    return { ...base, ...figures, value: value !== null && Number.isFinite(value) ? value : null };
  }
  if (!s.outcomes) return { ...base, value: null };
  const e = s.errorMoments;
  const y = s.outcomeMoments;
  const mse = e.m2 / e.n + e.mean * e.mean;
  const mae = s.absErrorMoments.mean;
  const rmse = Math.sqrt(mse);
  // R² = 1 - SS_res / SS_tot (scikit-learn's r2_score; a constant outcome gives 1 when exact, else 0).
  const ssTot = y.m2;
  const ssRes = mse * e.n;
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  const value = metric === 'mae' ? mae : metric === 'rmse' ? rmse : r2;
  return { ...base, mae, rmse, r2, value };
}

/** Per-group confusion counts for the favourable label, for fairnessFromCounts. */
function groupCounts(matrices: number[][][], fav: number): GroupCounts {
  const c = { n: 0, predFav: 0, trueFav: 0, tp: 0, fp: 0 };
  for (const m of matrices) {
    for (let t = 0; t < m.length; t++) {
      for (let y = 0; y < m.length; y++) {
        const v = m[t][y];
        c.n += v;
        if (y === fav) c.predFav += v;
        if (t === fav) c.trueFav += v;
        if (t === fav && y === fav) c.tp += v;
        if (t !== fav && y === fav) c.fp += v;
      }
    }
  }
  return c;
}

/**
 * The fairness settings as the figures read them: with `privilegedCode`, the privileged value's
 * salted hash (privilegedCode.ts), for a protected attribute marked personal "hash", whose groups
 * are logged as codes; a group is privileged when it is the value or its code.
 */
export type FairnessFor = FairnessSettings & { privilegedCode?: string };

function fairness(s: DaySummary, m: SummaryModel, settings: FairnessFor | undefined): FairnessFigures | null {
  if (!settings || m.pipeline.target.kind !== 'categorical' || s.groupAttribute !== settings.attribute) return null;
  const fav = m.pipeline.target.labels.indexOf(settings.favourable);
  if (fav < 0) return null;
  const isPrivileged = (g: string) => g === settings.privileged || (settings.privilegedCode !== undefined && g === settings.privilegedCode);
  const priv = Object.entries(s.groups)
    .filter(([g]) => isPrivileged(g))
    .map(([, v]) => v);
  const unpriv = Object.entries(s.groups)
    .filter(([g]) => !isPrivileged(g) && g !== OTHER_GROUP)
    .map(([, v]) => v);
  const p = groupCounts(priv, fav);
  const u = groupCounts(unpriv, fav);
  const f = fairnessFromCounts({ privileged: p, unprivileged: u });
  return {
    attribute: settings.attribute,
    privileged: settings.privileged,
    favourable: settings.favourable,
    privilegedRows: p.n,
    unprivilegedRows: u.n,
    ...f,
    score: f.disparateImpact * 100,
  };
}

/** Options of the figures: the project's settings. */
export interface FigureSettings {
  qualityMetric?: QualityMetric;
  fairness?: FairnessFor;
}

/** The quality metric a model's monitor uses unless the project says otherwise (OpenScale's defaults). */
export function defaultQualityMetric(m: SummaryModel): QualityMetric {
  if (m.pipeline.target.kind === 'categorical') return m.pipeline.target.labels.length === 2 ? 'auc' : 'accuracy';
  return 'r2';
}

/**
 * Values a bin-count PSI needs before it is reported: ten bins of a handful of values would make
 * any sample look drifted, so with fewer the figure is absent ("not enough yet"), never a guess.
 */
export const MIN_PSI_VALUES = 30;

const psiOrNull = (ref: readonly number[], cur: readonly number[]) =>
  ref.length && ref.length === cur.length && cur.reduce((a, b) => a + b, 0) >= MIN_PSI_VALUES && ref.reduce((a, b) => a + b, 0) > 0
    ? psiFromCounts([...ref], [...cur])
    : null;

/** Every figure of a version from its (summed) day counts. */
export function versionFigures(s: DaySummary, m: SummaryModel, settings: FigureSettings = {}): VersionFigures {
  const inputs: InputFigures[] = m.pipeline.features.map((f) => {
    const c = s.inputs[f.name] ?? { missing: 0, outOfRange: 0, unseen: 0, invalid: 0, bins: [] };
    const profile = m.reference?.features.find((x) => x.name === f.name);
    return {
      name: f.name,
      present: s.predictions - c.missing - c.invalid,
      missing: c.missing,
      outOfRange: c.outOfRange,
      unseen: c.unseen,
      invalid: c.invalid,
      psi: psiOrNull(referenceBins(profile), c.bins),
    };
  });
  const numeric = inputs.filter((_, i) => m.pipeline.features[i].kind === 'numeric');
  const categorical = inputs.filter((_, i) => m.pipeline.features[i].kind === 'categorical');
  const sum = (xs: InputFigures[], f: (x: InputFigures) => number) => xs.reduce((a, x) => a + f(x), 0);
  const answered = s.predictions - s.errors;
  const out = m.reference?.output;
  const labels = m.pipeline.target.kind === 'categorical' ? m.pipeline.target.labels : [];
  const refCounts = out?.kind === 'classes' ? out.counts : {};
  const refTotal = Object.values(refCounts).reduce((a, b) => a + b, 0);
  return {
    predictions: s.predictions,
    errors: s.errors,
    errorRate: share(s.errors, s.predictions),
    latencyP50Ms: latencyQuantile(s.latency, 0.5),
    latencyP95Ms: latencyQuantile(s.latency, 0.95),
    latencyMeanMs: share(s.latencySumMs, s.predictions),
    missingShare: share(
      sum(inputs, (x) => x.missing),
      s.predictions * inputs.length,
    ),
    outOfRangeShare: share(
      sum(numeric, (x) => x.outOfRange),
      sum(numeric, (x) => x.present),
    ),
    unseenShare: share(
      sum(categorical, (x) => x.unseen),
      sum(categorical, (x) => x.present),
    ),
    invalidShare: share(
      sum(inputs, (x) => x.invalid),
      s.predictions * inputs.length,
    ),
    inputs,
    classShares: Object.fromEntries(labels.map((l) => [l, share(s.classes[l] ?? 0, answered)])),
    referenceClassShares: Object.fromEntries(labels.map((l) => [l, share(refCounts[l] ?? 0, refTotal)])),
    meanConfidence: labels.length && answered ? s.confidenceSum / answered : null,
    referenceMeanConfidence: out?.kind === 'classes' ? out.meanConfidence : null,
    predictionPsi:
      out?.kind === 'classes'
        ? psiOrNull(
            labels.map((l) => refCounts[l] ?? 0),
            labels.map((l) => s.classes[l] ?? 0),
          )
        : out?.kind === 'value'
          ? psiOrNull(out.counts, s.valueBins)
          : null,
    outcomePsi: psiOrNull(referenceBins(m.reference?.target), s.outcomeBins),
    quality: quality(s, m, settings.qualityMetric ?? defaultQualityMetric(m)),
    fairness: fairness(s, m, settings.fairness),
    waiting: Math.max(0, answered - s.outcomes - s.unknownOutcomes),
  };
}

export interface KpiFigure {
  kpi: Kpi;
  cases: number;
  value: number;
}

/**
 * A business figure from the counts: the predictions matching its predicted label and/or
 * outcome, times what one case is worth. Regression models count predictions only.
 */
export function kpiFigure(kpi: Kpi, s: DaySummary, m: SummaryModel): KpiFigure {
  const labels = m.pipeline.target.kind === 'categorical' ? m.pipeline.target.labels : [];
  let cases: number;
  if (kpi.outcome === undefined) {
    cases = kpi.predicted === undefined ? s.predictions - s.errors : (s.classes[kpi.predicted] ?? 0);
  } else {
    const t = labels.indexOf(kpi.outcome);
    const y = kpi.predicted === undefined ? -1 : labels.indexOf(kpi.predicted);
    const row = t >= 0 ? s.confusion[t] : undefined;
    cases = !row ? 0 : kpi.predicted === undefined ? row.reduce((a, b) => a + b, 0) : y >= 0 ? row[y] : 0;
  }
  return { kpi, cases, value: cases * kpi.perCase };
}
