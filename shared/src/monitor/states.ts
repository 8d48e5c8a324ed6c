import { shareValue, type Said } from '../said.js';
import type { Level, MonitorThresholds, QualityMetric } from '../schema/monitoring.js';
import type { VersionFigures } from './figures.js';
import type { DatasetDriftKey } from './drift.js';

/**
 * Monitors with a threshold a person can change and a clear state: ok, warning or alert (or
 * "not yet" when there is nothing to judge). The words are for the people who use the model; the
 * measure behind each is one tap away in the screens.
 */

/**
 * Defaults. Quality follows Watson OpenScale (area under ROC 0.8 for binary classification,
 * accuracy for multi-class: alert below 0.8, warning within 0.05 of it); fairness follows its
 * fairness score (disparate impact x 100, flagged below 80, the four-fifths rule). The others are
 * Outpost's own, chosen for small clinics: a prediction normally takes well under 50 ms on a phone.
 */
export const MONITOR_DEFAULTS: MonitorThresholds = {
  latencyP95Ms: { warning: 100, alert: 500 },
  errorRate: { warning: 0.01, alert: 0.05 },
  missingShare: { warning: 0.05, alert: 0.2 },
  outOfRangeShare: { warning: 0.05, alert: 0.2 },
  unseenShare: { warning: 0.05, alert: 0.2 },
  invalidShare: { warning: 0.01, alert: 0.05 },
  confidenceDrop: { warning: 0.05, alert: 0.15 },
  quality: { warning: 0.85, alert: 0.8 },
  fairnessScore: { warning: 90, alert: 80 },
  minPerDay: { warning: 0, alert: 0 },
};

/** Quality defaults for metrics where higher is worse or the scale differs. */
const QUALITY_DEFAULTS: Partial<Record<QualityMetric, Level>> = {
  r2: { warning: 0.4, alert: 0.2 },
};

export type MonitorKey = keyof MonitorThresholds | 'drift';

/**
 * Real results needed before quality is judged, and predictions with real results needed in each
 * group before fairness is: with fewer, one unlucky case would swing the verdict, so the monitor
 * says how many it still needs instead.
 */
export const MIN_OUTCOMES = 20;
export const MIN_GROUP_ROWS = 10;
export type MonitorStateName = 'ok' | 'warning' | 'alert' | 'unknown';

/** Every sentence a monitor state can say, as its message key. */
export type MonitorDetailKey =
  | 'monitor.detail.none'
  | 'monitor.detail.latency'
  | 'monitor.detail.errors'
  | 'monitor.detail.perDay'
  | 'monitor.detail.missing'
  | 'monitor.detail.outOfRange'
  | 'monitor.detail.unseen'
  | 'monitor.detail.invalid'
  | 'monitor.detail.confidence'
  | 'monitor.detail.noOutcomes'
  | 'monitor.detail.fewOutcomes'
  | 'monitor.detail.accuracy'
  | 'monitor.detail.mae'
  | 'monitor.detail.fair'
  | 'monitor.detail.fairTooFew'
  | 'monitor.detail.drifted'
  | 'monitor.detail.notDrifted'
  | 'monitor.detail.driftOther'
  | DatasetDriftKey;

/** Every measure line (the ML detail) a monitor state can say, as its message key. */
export type MonitorMeasureKey =
  | 'monitor.measure.latency'
  | 'monitor.measure.errors'
  | 'monitor.measure.perDay'
  | 'monitor.measure.missing'
  | 'monitor.measure.outOfRange'
  | 'monitor.measure.unseen'
  | 'monitor.measure.invalid'
  | 'monitor.measure.confidence'
  | 'monitor.measure.quality'
  | 'monitor.measure.qualityNone'
  | 'monitor.measure.fairness'
  | 'monitor.measure.fairnessNone'
  | 'monitor.measure.drift';

export interface MonitorState {
  key: MonitorKey;
  /** What it watches, in plain words. */
  title: string;
  state: MonitorStateName;
  value: number | null;
  /** A sentence saying what the value means (in English, for the console). */
  detail: string;
  /** The same sentence as a message key and values, for a screen in any language. */
  said: Said<MonitorDetailKey>;
  /** The measure behind it, for the ML detail (in English, for the console). */
  measure: string;
  /** The same measure as a message key and values, for a screen in any language. */
  measureSaid: Said<MonitorMeasureKey>;
}

/** The thresholds in force: the project's settings over the defaults (quality's default depends on the metric). */
export function thresholdsFor(settings: Partial<MonitorThresholds> | undefined, metric: QualityMetric): MonitorThresholds {
  return { ...MONITOR_DEFAULTS, quality: QUALITY_DEFAULTS[metric] ?? MONITOR_DEFAULTS.quality, ...(settings ?? {}) };
}

/** Whether a metric gets worse as it grows (errors) rather than as it shrinks (accuracy). */
export const higherIsWorse = (key: MonitorKey, metric?: QualityMetric): boolean =>
  key === 'quality' ? metric === 'mae' || metric === 'rmse' : !(key === 'fairnessScore' || key === 'minPerDay');

/** The state of a value against a monitor's levels. */
export function stateOf(value: number | null, level: Level, worseWhenHigher: boolean): MonitorStateName {
  if (value === null || !Number.isFinite(value)) return 'unknown';
  if (worseWhenHigher) return value > level.alert ? 'alert' : value > level.warning ? 'warning' : 'ok';
  return value < level.alert ? 'alert' : value < level.warning ? 'warning' : 'ok';
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
const QUALITY_WORDS: Record<QualityMetric, string> = {
  auc: 'area under the ROC curve',
  accuracy: 'accuracy',
  f1: 'F1 score',
  r2: 'R²',
  mae: 'mean absolute error',
  rmse: 'root mean squared error',
};

export interface StateInputs {
  figures: VersionFigures;
  thresholds: MonitorThresholds;
  /** Predictions a day over the days the figures cover. */
  perDay: number;
  /** The dataset drift verdict of the latest window, when one was computed. */
  drift?: { drifted: boolean; driftedColumns: number; testedColumns: number; message?: string; said?: Said<DatasetDriftKey> };
}

/** Every monitor's state for a version's figures. */
export function monitorStates({ figures: f, thresholds: t, perDay, drift }: StateInputs): MonitorState[] {
  const metric = f.quality.metric;
  const s = (key: keyof MonitorThresholds, value: number | null) => stateOf(value, t[key], higherIsWorse(key, metric));
  const none = f.predictions === 0;
  const out: MonitorState[] = [
    {
      key: 'latencyP95Ms',
      title: 'Speed',
      value: none ? null : f.latencyP95Ms,
      state: none ? 'unknown' : s('latencyP95Ms', f.latencyP95Ms),
      detail: none ? 'No predictions yet.' : `95 of 100 answers came within ${f.latencyP95Ms.toPrecision(2)} ms.`,
      said: none ? { key: 'monitor.detail.none' } : { key: 'monitor.detail.latency', values: { ms: +f.latencyP95Ms.toPrecision(2) } },
      measure: `p95 latency ≤ ${f.latencyP95Ms.toPrecision(3)} ms, p50 ≤ ${f.latencyP50Ms.toPrecision(3)} ms (buckets 25% wide); warning above ${t.latencyP95Ms.warning} ms, alert above ${t.latencyP95Ms.alert} ms`,
      measureSaid: {
        key: 'monitor.measure.latency',
        values: { p95: +f.latencyP95Ms.toPrecision(3), p50: +f.latencyP50Ms.toPrecision(3), warning: t.latencyP95Ms.warning, alert: t.latencyP95Ms.alert },
      },
    },
    {
      key: 'errorRate',
      title: 'Failures',
      value: none ? null : f.errorRate,
      state: none ? 'unknown' : s('errorRate', f.errorRate),
      detail: none ? 'No predictions yet.' : `${f.errors} of ${f.predictions} predictions failed.`,
      said: none ? { key: 'monitor.detail.none' } : { key: 'monitor.detail.errors', values: { errors: f.errors, count: f.predictions } },
      measure: `error rate ${pct(f.errorRate)}; warning above ${pct(t.errorRate.warning)}, alert above ${pct(t.errorRate.alert)}`,
      measureSaid: {
        key: 'monitor.measure.errors',
        values: { share: shareValue(f.errorRate), warning: shareValue(t.errorRate.warning), alert: shareValue(t.errorRate.alert) },
      },
    },
    {
      key: 'minPerDay',
      title: 'Use',
      value: none ? 0 : perDay,
      state: t.minPerDay.warning <= 0 && t.minPerDay.alert <= 0 ? 'ok' : s('minPerDay', perDay),
      detail: `About ${perDay.toFixed(perDay < 10 ? 1 : 0)} predictions a day.`,
      said: { key: 'monitor.detail.perDay', values: { count: +perDay.toFixed(perDay < 10 ? 1 : 0) } },
      measure: `throughput ${perDay.toFixed(2)} a day; warning below ${t.minPerDay.warning}, alert below ${t.minPerDay.alert} (0: off)`,
      measureSaid: { key: 'monitor.measure.perDay', values: { count: +perDay.toFixed(2), warning: t.minPerDay.warning, alert: t.minPerDay.alert } },
    },
    {
      key: 'missingShare',
      title: 'Missing answers',
      value: none ? null : f.missingShare,
      state: none ? 'unknown' : s('missingShare', f.missingShare),
      detail: `${pct(f.missingShare)} of the inputs were left empty (the model then uses a typical value).`,
      said: { key: 'monitor.detail.missing', values: { share: shareValue(f.missingShare) } },
      measure: `missing input values ${pct(f.missingShare)}; warning above ${pct(t.missingShare.warning)}, alert above ${pct(t.missingShare.alert)}`,
      measureSaid: {
        key: 'monitor.measure.missing',
        values: { share: shareValue(f.missingShare), warning: shareValue(t.missingShare.warning), alert: shareValue(t.missingShare.alert) },
      },
    },
    {
      key: 'outOfRangeShare',
      title: 'Unusual values',
      value: none ? null : f.outOfRangeShare,
      state: none ? 'unknown' : s('outOfRangeShare', f.outOfRangeShare),
      detail: `${pct(f.outOfRangeShare)} of the numbers were outside what the model learned from.`,
      said: { key: 'monitor.detail.outOfRange', values: { share: shareValue(f.outOfRangeShare) } },
      measure: `numeric values outside the training range ${pct(f.outOfRangeShare)}`,
      measureSaid: { key: 'monitor.measure.outOfRange', values: { share: shareValue(f.outOfRangeShare) } },
    },
    {
      key: 'unseenShare',
      title: 'New kinds of answer',
      value: none ? null : f.unseenShare,
      state: none ? 'unknown' : s('unseenShare', f.unseenShare),
      detail: `${pct(f.unseenShare)} of the choices were never seen in training.`,
      said: { key: 'monitor.detail.unseen', values: { share: shareValue(f.unseenShare) } },
      measure: `categorical values unseen in training ${pct(f.unseenShare)}`,
      measureSaid: { key: 'monitor.measure.unseen', values: { share: shareValue(f.unseenShare) } },
    },
    {
      key: 'invalidShare',
      title: 'Wrong kind of value',
      value: none ? null : f.invalidShare,
      state: none ? 'unknown' : s('invalidShare', f.invalidShare),
      detail: `${pct(f.invalidShare)} of the inputs were not of the right kind (text in a number field).`,
      said: { key: 'monitor.detail.invalid', values: { share: shareValue(f.invalidShare) } },
      measure: `type problems ${pct(f.invalidShare)}`,
      measureSaid: { key: 'monitor.measure.invalid', values: { share: shareValue(f.invalidShare) } },
    },
  ];
  if (f.meanConfidence !== null && f.referenceMeanConfidence !== null) {
    const drop = f.referenceMeanConfidence - f.meanConfidence;
    out.push({
      key: 'confidenceDrop',
      title: 'How sure the model is',
      value: drop,
      state: s('confidenceDrop', drop),
      detail: `The model is on average ${pct(f.meanConfidence)} sure of its answers (${pct(f.referenceMeanConfidence)} in training).`,
      said: { key: 'monitor.detail.confidence', values: { now: shareValue(f.meanConfidence), then: shareValue(f.referenceMeanConfidence) } },
      measure: `mean top-class probability ${f.meanConfidence.toFixed(3)} vs ${f.referenceMeanConfidence.toFixed(3)} on the reference; drop ${drop.toFixed(3)}`,
      measureSaid: {
        key: 'monitor.measure.confidence',
        values: { now: +f.meanConfidence.toFixed(3), then: +f.referenceMeanConfidence.toFixed(3), drop: +drop.toFixed(3) },
      },
    });
  }
  const q = f.quality;
  const judged = q.value !== null && q.outcomes >= MIN_OUTCOMES;
  out.push({
    key: 'quality',
    title: 'Right answers',
    value: q.value,
    state: judged ? s('quality', q.value) : 'unknown',
    detail:
      q.value === null
        ? 'No outcomes recorded yet: record the real results to see how often the model is right.'
        : !judged
          ? `${q.outcomes} real result${q.outcomes === 1 ? '' : 's'} so far; ${MIN_OUTCOMES} are needed before Outpost judges how often the model is right.`
          : q.accuracy !== undefined
            ? `Right ${pct(q.accuracy)} of the time, over ${q.outcomes} recorded outcomes.`
            : `Off by ${q.mae?.toPrecision(3)} on average, over ${q.outcomes} recorded outcomes.`,
    said:
      q.value === null
        ? { key: 'monitor.detail.noOutcomes' }
        : !judged
          ? { key: 'monitor.detail.fewOutcomes', values: { count: q.outcomes, needed: MIN_OUTCOMES } }
          : q.accuracy !== undefined
            ? { key: 'monitor.detail.accuracy', values: { share: shareValue(q.accuracy), count: q.outcomes } }
            : { key: 'monitor.detail.mae', values: { mae: +(q.mae ?? 0).toPrecision(3), count: q.outcomes } },
    measure: `${QUALITY_WORDS[metric]} ${q.value === null ? '—' : q.value.toFixed(3)} over ${q.outcomes} outcomes (judged from ${MIN_OUTCOMES}); warning ${higherIsWorse('quality', metric) ? 'above' : 'below'} ${t.quality.warning}, alert ${higherIsWorse('quality', metric) ? 'above' : 'below'} ${t.quality.alert}`,
    measureSaid: {
      key: q.value === null ? 'monitor.measure.qualityNone' : 'monitor.measure.quality',
      values: {
        metric,
        ...(q.value === null ? {} : { value: +q.value.toFixed(3) }),
        count: q.outcomes,
        needed: MIN_OUTCOMES,
        worse: higherIsWorse('quality', metric) ? 'above' : 'below',
        warning: t.quality.warning,
        alert: t.quality.alert,
      },
    },
  });
  if (f.fairness) {
    const fr = f.fairness;
    const enough = fr.privilegedRows >= MIN_GROUP_ROWS && fr.unprivilegedRows >= MIN_GROUP_ROWS && Number.isFinite(fr.score);
    out.push({
      key: 'fairnessScore',
      title: 'Fairness between groups',
      value: Number.isFinite(fr.score) ? fr.score : null,
      state: enough ? s('fairnessScore', fr.score) : 'unknown',
      detail: enough
        ? `Others get “${fr.favourable}” ${fr.score.toFixed(0)}% as often as “${fr.privileged}” (${fr.attribute}).`
        : `Not enough real results in both groups of ${fr.attribute} yet (${fr.privilegedRows} and ${fr.unprivilegedRows}; ${MIN_GROUP_ROWS} each are needed).`,
      said: enough
        ? { key: 'monitor.detail.fair', values: { favourable: fr.favourable, score: +fr.score.toFixed(0), privileged: fr.privileged, attribute: fr.attribute } }
        : {
            key: 'monitor.detail.fairTooFew',
            values: { attribute: fr.attribute, privileged: fr.privilegedRows, others: fr.unprivilegedRows, needed: MIN_GROUP_ROWS },
          },
      measure: `fairness score (disparate impact x 100) ${Number.isFinite(fr.score) ? fr.score.toFixed(1) : '—'}; flagged below ${t.fairnessScore.alert}`,
      measureSaid: Number.isFinite(fr.score)
        ? { key: 'monitor.measure.fairness', values: { score: +fr.score.toFixed(1), alert: t.fairnessScore.alert } }
        : { key: 'monitor.measure.fairnessNone', values: { alert: t.fairnessScore.alert } },
    });
  }
  if (drift) {
    out.push({
      key: 'drift',
      title: 'Change in the cases seen',
      value: drift.testedColumns ? drift.driftedColumns / drift.testedColumns : null,
      state: !drift.testedColumns ? 'unknown' : drift.drifted ? 'alert' : drift.driftedColumns ? 'warning' : 'ok',
      detail:
        drift.message ??
        (drift.drifted ? 'Recent cases differ from the ones the model learned from.' : 'Recent cases look like the ones the model learned from.'),
      // A message of the drift check's own stays in its words; the usual two are said in any language.
      said: drift.said
        ? drift.said
        : drift.message
          ? { key: 'monitor.detail.driftOther', values: { message: drift.message } }
          : { key: drift.drifted ? 'monitor.detail.drifted' : 'monitor.detail.notDrifted' },
      measure: `dataset drift: ${drift.driftedColumns} of ${drift.testedColumns} columns drifted (drift when at least half do)`,
      measureSaid: { key: 'monitor.measure.drift', values: { drifted: drift.driftedColumns, count: drift.testedColumns } },
    });
  }
  return out;
}

/** The worst state among monitors ('unknown' counts as ok). */
export function worstState(states: readonly MonitorState[]): Exclude<MonitorStateName, 'unknown'> {
  return states.some((s) => s.state === 'alert') ? 'alert' : states.some((s) => s.state === 'warning') ? 'warning' : 'ok';
}
