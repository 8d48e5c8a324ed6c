// What "Run again" calls each figure and condition, and how it writes their values: plain words by
// default, the ML names with "Show ML details" (the comparison's names where it has them).
import type { MessageKey } from '../../i18n/catalogue.js';
import { i18n, t } from '../../i18n/i18n.svelte.js';
import { prefs } from '../../prefs.svelte.js';
import { RUN_PARAMS, type RunParamKey } from '@shared/runs/compare.js';
import type { Agreement, ConditionDiff, FigureDiff, FigureName, FigureSet, Reproduction } from '@shared/runs/reproduce.js';
import type { Run, Task } from '@shared/schema/records.js';
import { deviceParts, deviceWords } from '../../runs/device-words.js';
import { metricName, paramName } from './compare/words.js';

type Names = { plain: MessageKey; ml: MessageKey };
const OWN: Partial<Record<FigureName, Names>> = {
  auc: { plain: 'metric.plain.auc', ml: 'metric.auc' },
  brier: { plain: 'eval.brier', ml: 'eval.brier' },
  loss: { plain: 'chart.trainMistakes', ml: 'chart.trainLoss' },
  valLoss: { plain: 'chart.valMistakes', ml: 'chart.valLoss' },
};
// The epoch's `metric` and `valMetric` are accuracy for categories and MAE for numbers.
const EPOCH_METRIC: Record<Task, Record<'metric' | 'valMetric', Names>> = {
  classification: {
    metric: { plain: 'rerun.name.trainAccuracy', ml: 'rerun.name.trainAccuracyMl' },
    valMetric: { plain: 'chart.valPlainAccuracy', ml: 'chart.valAccuracy' },
  },
  regression: {
    metric: { plain: 'rerun.name.trainMae', ml: 'rerun.name.trainMaeMl' },
    valMetric: { plain: 'chart.valPlainMae', ml: 'chart.valMae' },
  },
};
const SET: Record<FigureSet, MessageKey> = { validation: 'rerun.set.validation', test: 'rerun.set.test', lastRound: 'rerun.set.lastRound' };

/** The heading of the figures measured on one set of rows. */
export const setName = (set: FigureSet): string => t(SET[set]);

/** A figure's name ("how often right"), as the sentence and the table say it. */
export function figureName(f: FigureDiff, task: Task): string {
  const names = f.name === 'metric' || f.name === 'valMetric' ? EPOCH_METRIC[task][f.name] : OWN[f.name];
  return names ? t(names[prefs.mlDetails ? 'ml' : 'plain']) : metricName(f.name as Parameters<typeof metricName>[0]);
}

const isShare = (f: FigureDiff, task: Task) =>
  ['accuracy', 'f1', 'precision', 'recall', 'auc'].includes(f.name) || (task === 'classification' && (f.name === 'metric' || f.name === 'valMetric'));

/** A figure's value: shares as percentages in the field view, four decimals or significant digits otherwise. */
export function figureValue(f: FigureDiff, v: number | undefined, task: Task): string {
  if (v === undefined) return '—';
  if (isShare(f, task)) return prefs.mlDetails ? i18n.number(v, { maximumFractionDigits: 4 }) : i18n.percent(v, 1);
  return i18n.number(v, { maximumSignificantDigits: 4 });
}

/** The re-run's figure minus the first run's, signed; a share's in percentage points of the field view. */
export function figureDifference(f: FigureDiff, task: Task): string {
  if (Number.isNaN(f.difference)) return '—';
  if (isShare(f, task) && !prefs.mlDetails) return i18n.number(f.difference, { style: 'percent', maximumFractionDigits: 2, signDisplay: 'exceptZero' });
  return i18n.number(f.difference, { maximumSignificantDigits: 2, signDisplay: 'exceptZero' });
}

const CONDITION: Record<Exclude<ConditionDiff['key'], 'setting'>, MessageKey> = {
  datasetVersion: 'rerun.cond.datasetVersion',
  data: 'rerun.cond.data',
  split: 'rerun.cond.split',
  seed: 'rerun.cond.seed',
  backend: 'rerun.cond.backend',
  browser: 'rerun.cond.browser',
  device: 'rerun.cond.device',
  appVersion: 'rerun.cond.appVersion',
};

/** What a condition that changed is called. */
export function conditionName(c: ConditionDiff): string {
  if (c.key !== 'setting') return t(CONDITION[c.key]);
  const name = (RUN_PARAMS as readonly string[]).includes(c.setting ?? '') ? paramName(c.setting as RunParamKey) : (c.setting ?? '');
  return t('rerun.cond.setting', { name });
}

/**
 * Each run's value of a changed condition, or undefined where ids and hashes would tell a person
 * nothing (which version, which data, which rows): the name says enough.
 */
export function conditionValues(c: ConditionDiff, original: Run, rerun: Run): string | undefined {
  if (c.key === 'datasetVersion' || c.key === 'data' || c.key === 'split') return undefined;
  const none = t('rerun.notRecorded');
  if (c.key === 'browser' || c.key === 'device') {
    // The browser alone for a browser that changed; the whole summary for a device that did.
    const browser = (d: NonNullable<Run['device']>) => {
      const p = deviceParts(d);
      return p.browser ? `${p.browser} ${p.version}` : t('rerun.device.unknown');
    };
    const where = (r: Run) => (!r.device ? none : c.key === 'browser' ? browser(r.device) : deviceWords(r.device, i18n.say));
    return t('rerun.condValues', { original: where(original), rerun: where(rerun) });
  }
  return t('rerun.condValues', { original: c.original ?? none, rerun: c.rerun ?? none });
}

const SENTENCE: Record<'rerun' | 'original', Record<Agreement, MessageKey>> = {
  rerun: { same: 'rerun.same', close: 'rerun.close', differs: 'rerun.differs' },
  original: { same: 'rerun.againSame', close: 'rerun.againClose', differs: 'rerun.againDiffers' },
};

/**
 * The verdict as a sentence on one of the two cards: the re-run's names the first run's date
 * ("Same results as the run of …"), the first run's the re-run's ("Run again on …: same results").
 * A different result names the first figure that moved beyond rounding, with both values.
 */
export function verdictSentence(r: Reproduction, original: Run, rerun: Run, on: 'rerun' | 'original'): string {
  const task = original.params.task;
  const worst = r.differing.find((f) => f.agreement === 'differs');
  return t(SENTENCE[on][r.verdict], {
    when: i18n.dateTime(on === 'rerun' ? original.startedAt : rerun.startedAt),
    ...(worst ? { figure: figureName(worst, task), rerun: figureValue(worst, worst.rerun, task), original: figureValue(worst, worst.original, task) } : {}),
  });
}
