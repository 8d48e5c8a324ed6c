// What a comparison calls each setting and figure: plain words by default, the ML names with
// "Show ML details"; and how it writes their values.
import type { MessageKey } from '../../../i18n/catalogue.js';
import { i18n, t } from '../../../i18n/i18n.svelte.js';
import { prefs } from '../../../prefs.svelte.js';
import type { RunMetricKey, RunParamKey, RunParamValue } from '@shared/runs/compare.js';

const PARAM: Record<RunParamKey, { plain: MessageKey; ml: MessageKey }> = {
  task: { plain: 'runCompare.plain.task', ml: 'train.task' },
  target: { plain: 'runCompare.plain.target', ml: 'train.target' },
  features: { plain: 'runCompare.plain.features', ml: 'runCompare.ml.features' },
  family: { plain: 'train.params.family', ml: 'train.params.family' },
  epochs: { plain: 'runCompare.plain.epochs', ml: 'train.params.epochs' },
  batchSize: { plain: 'runCompare.plain.batchSize', ml: 'train.params.batch' },
  learningRate: { plain: 'runCompare.plain.learningRate', ml: 'train.params.learningRate' },
  hiddenLayers: { plain: 'runCompare.plain.hiddenLayers', ml: 'train.params.hidden' },
  l2: { plain: 'train.params.l2', ml: 'train.params.l2' },
  trees: { plain: 'train.params.trees', ml: 'train.params.trees' },
  maxDepth: { plain: 'train.params.maxDepth', ml: 'train.params.maxDepth' },
  minLeaf: { plain: 'train.params.minLeaf', ml: 'train.params.minLeaf' },
  validationFraction: { plain: 'runCompare.plain.validationFraction', ml: 'train.params.validation' },
  testFraction: { plain: 'runCompare.plain.testFraction', ml: 'runCompare.ml.testFraction' },
  seed: { plain: 'runCompare.plain.seed', ml: 'train.params.seed' },
  backend: { plain: 'runCompare.plain.backend', ml: 'train.backend' },
};

const METRIC: Record<RunMetricKey, { plain: MessageKey; ml: MessageKey }> = {
  accuracy: { plain: 'metric.plain.accuracy', ml: 'metric.accuracy' },
  f1: { plain: 'metric.plain.f1', ml: 'metric.f1Short' },
  precision: { plain: 'runCompare.plain.precision', ml: 'metric.precision' },
  recall: { plain: 'runCompare.plain.recall', ml: 'metric.recall' },
  logLoss: { plain: 'runCompare.plain.logLoss', ml: 'metric.logLoss' },
  mae: { plain: 'metric.plain.mae', ml: 'metric.mae' },
  rmse: { plain: 'metric.plain.rmse', ml: 'metric.rmse' },
  r2: { plain: 'metric.plain.r2', ml: 'metric.r2' },
  valLoss: { plain: 'chart.valMistakes', ml: 'chart.valLoss' },
};

export const paramName = (key: RunParamKey | RunMetricKey): string =>
  key in PARAM ? t(PARAM[key as RunParamKey][prefs.mlDetails ? 'ml' : 'plain']) : metricName(key as RunMetricKey);

export const metricName = (key: RunMetricKey): string => t(METRIC[key][prefs.mlDetails ? 'ml' : 'plain']);

const TASK: Record<string, MessageKey> = { classification: 'runs.task.classification', regression: 'runs.task.regression' };
const FAMILY: Record<string, { plain: MessageKey; ml: MessageKey }> = {
  network: { plain: 'train.family.network', ml: 'train.family.network.ml' },
  linear: { plain: 'train.family.linear', ml: 'train.family.linear.ml' },
  forest: { plain: 'train.family.forest', ml: 'train.family.forest.ml' },
};
const SHARES: readonly string[] = ['accuracy', 'f1', 'precision', 'recall', 'validationFraction', 'testFraction'];

/** A setting's value as read in a table cell or on an axis ("—" for none, or one of another family). */
export function paramText(key: RunParamKey, v: RunParamValue): string {
  if (v === undefined) return '—';
  if (key === 'task' && typeof v === 'string' && TASK[v]) return t(TASK[v]);
  if (key === 'family' && typeof v === 'string' && FAMILY[v]) return t(FAMILY[v][prefs.mlDetails ? 'ml' : 'plain']);
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'number') return SHARES.includes(key) ? i18n.percent(v) : i18n.number(v, { maximumSignificantDigits: 4 });
  return String(v);
}

/** A figure's value: shares as percentages in the field view, three decimals otherwise. */
export function metricText(key: RunMetricKey, v: number | undefined): string {
  if (v === undefined) return '—';
  if (!prefs.mlDetails && SHARES.includes(key)) return i18n.percent(v);
  return i18n.number(v, { minimumFractionDigits: 3, maximumFractionDigits: 3 });
}

/** One colour per compared run (Okabe–Ito, told apart with the common colour blindnesses). */
export const RUN_COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#000000', '#E69F00', '#56B4E9', '#882255'] as const;
export const MAX_COMPARE = RUN_COLOURS.length;
