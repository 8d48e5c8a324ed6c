import type { ModelFamily, ModelVersion, Run } from '../schema/records.js';

/**
 * The figures a run can be compared by. Each is read from the run's final validation metrics, or
 * (`valLoss`) from its last epoch: the validation loss where the run kept rows aside, else the
 * training loss. `higherIsBetter` says which end is best (accuracy, F1, precision, recall, R²
 * higher; log loss, MAE, RMSE and loss lower), as scikit-learn's scorers orient them.
 */
export const RUN_METRICS = [
  { key: 'accuracy', task: 'classification', higherIsBetter: true },
  { key: 'f1', task: 'classification', higherIsBetter: true },
  { key: 'precision', task: 'classification', higherIsBetter: true },
  { key: 'recall', task: 'classification', higherIsBetter: true },
  { key: 'logLoss', task: 'classification', higherIsBetter: false },
  { key: 'mae', task: 'regression', higherIsBetter: false },
  { key: 'rmse', task: 'regression', higherIsBetter: false },
  { key: 'r2', task: 'regression', higherIsBetter: true },
  { key: 'valLoss', task: 'any', higherIsBetter: false },
] as const;

export type RunMetricKey = (typeof RUN_METRICS)[number]['key'];

/** Whether a larger value of the figure `key` is a better run (see RUN_METRICS). */
export function higherIsBetter(key: RunMetricKey): boolean {
  return RUN_METRICS.find((m) => m.key === key)!.higherIsBetter;
}

/**
 * The figure `key` of a run, or undefined when the run has none (still running, failed, another
 * task, or a figure it never measured, such as log loss on older runs). Non-finite values count
 * as none, so a diverged run never wins a "best".
 */
export function metricValue(run: Run, key: RunMetricKey): number | undefined {
  let v: number | undefined;
  if (key === 'valLoss') {
    const last = run.epochs[run.epochs.length - 1];
    v = last ? (last.valLoss ?? last.loss) : undefined;
  } else if (run.metrics) {
    v = (run.metrics as Partial<Record<RunMetricKey, number>>)[key];
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The settings a comparison lists, in the order a person reads them: what is predicted and from
 * what, the kind of model (TrainParams.family), that family's own settings (the network's, the
 * linear model's L2 penalty, the forest's), then the split, seed and where it ran.
 */
export const RUN_PARAMS = [
  'task',
  'target',
  'features',
  'family',
  'epochs',
  'batchSize',
  'learningRate',
  'hiddenLayers',
  'l2',
  'trees',
  'maxDepth',
  'minLeaf',
  'validationFraction',
  'testFraction',
  'seed',
  'backend',
] as const;

export type RunParamKey = (typeof RUN_PARAMS)[number];
export type RunParamValue = number | string | readonly number[] | readonly string[] | undefined;

/**
 * The settings only one family reads (web/src/lib/ml/train.ts, train-linear.ts, train-forest.ts);
 * every other setting applies to all three. A linear model is fitted to convergence, not in
 * epochs of batches, so the network's settings mean nothing for it, and so on.
 */
export const FAMILY_PARAMS: Record<ModelFamily, readonly RunParamKey[]> = {
  network: ['epochs', 'batchSize', 'learningRate', 'hiddenLayers'],
  linear: ['l2'],
  forest: ['trees', 'maxDepth', 'minLeaf'],
};
const OWNED = new Set(Object.values(FAMILY_PARAMS).flat());

/** The family a run trained: runs from before there was a choice trained the network. */
export function runFamily(run: Run): ModelFamily {
  return run.params.family ?? 'network';
}

/** Whether the setting `key` means anything for the run's family (see FAMILY_PARAMS). */
export function paramApplies(run: Run, key: RunParamKey): boolean {
  return !OWNED.has(key) || FAMILY_PARAMS[runFamily(run)].includes(key);
}

/** The setting `key` of a run (`backend` is the run's, `family` as runFamily, the rest its TrainParams). */
export function paramValue(run: Run, key: RunParamKey): RunParamValue {
  if (key === 'backend') return run.backend;
  if (key === 'family') return runFamily(run);
  return run.params[key];
}

/** Two setting values are the same when equal, or when lists of the same items in the same order. */
export function sameValue(a: RunParamValue, b: RunParamValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/**
 * One row of the settings table: each run's value (undefined where the setting does not apply to
 * the run's family, `applies` false there), and whether any two runs it applies to differ.
 */
export interface ParamRow {
  key: RunParamKey;
  values: RunParamValue[];
  applies: boolean[];
  differs: boolean;
}

/**
 * The settings table of `runs` (in their order): one row per setting any run has, marked
 * `differs` when not every run it applies to has the same value (a missing value differs from a
 * present one; a setting of another family is no difference: a forest has no learning rate).
 */
export function paramRows(runs: readonly Run[]): ParamRow[] {
  return RUN_PARAMS.map((key) => {
    const applies = runs.map((r) => paramApplies(r, key));
    const values = runs.map((r, i) => (applies[i] ? paramValue(r, key) : undefined));
    const used = values.filter((_, i) => applies[i]);
    return { key, values, applies, differs: used.some((v) => !sameValue(v, used[0])) };
  }).filter((row) => row.values.some((v) => v !== undefined));
}

/**
 * The positions of the best values: the largest when `higher`, else the smallest; every tied
 * position; none when fewer than two values are present (one figure is not a comparison).
 */
export function bestIndices(values: readonly (number | undefined)[], higher: boolean): number[] {
  const present = values.filter((v): v is number => v !== undefined);
  if (present.length < 2) return [];
  const best = higher ? Math.max(...present) : Math.min(...present);
  return values.flatMap((v, i) => (v === best ? [i] : []));
}

/** One row of the figures table: each run's value, which are best, and whether they differ. */
export interface MetricRow {
  key: RunMetricKey;
  values: (number | undefined)[];
  best: number[];
  differs: boolean;
}

/** The figures table of `runs`: one row per figure at least one run has, best values marked. */
export function metricRows(runs: readonly Run[]): MetricRow[] {
  return RUN_METRICS.map(({ key, higherIsBetter: higher }) => {
    const values = runs.map((r) => metricValue(r, key));
    return { key, values, best: bestIndices(values, higher), differs: values.some((v) => v !== values[0]) };
  }).filter((row) => row.values.some((v) => v !== undefined));
}

/** The figures any of `runs` has, in RUN_METRICS order (what a sort or a colouring can use). */
export function availableMetrics(runs: readonly Run[]): RunMetricKey[] {
  return RUN_METRICS.filter((m) => runs.some((r) => metricValue(r, m.key) !== undefined)).map((m) => m.key);
}

/** A fine-tuned run among those compared, and where the model it started from came from. */
export interface FineTuneLink {
  /** The fine-tuned run's place in the comparison. */
  child: number;
  /** The registered version whose weights it started from (Run.fineTune.fromVersionId). */
  fromVersionId: string;
  /** The run that trained that version, when known (Run.fineTune.fromRunId, else the version's runId). */
  parentRunId?: string;
  /** That run's place in the comparison, when it is compared too. */
  parent?: number;
}

/**
 * The fine-tuning links among `runs`: one per run with `fineTune`, naming its parent run (from
 * the run, else from the parent version's `runId` in `versions`) and that run's place when it is
 * among `runs`. What a comparison marks ("Run 2 started from the model of Run 1") and offers to add.
 */
export function fineTuneLinks(runs: readonly Run[], versions: readonly Pick<ModelVersion, 'id' | 'runId'>[] = []): FineTuneLink[] {
  return runs.flatMap((run, child) => {
    if (!run.fineTune) return [];
    const { fromVersionId } = run.fineTune;
    const found = run.fineTune.fromRunId ?? versions.find((v) => v.id === fromVersionId)?.runId;
    const parentRunId = found === run.id ? undefined : found;
    const at = parentRunId === undefined ? -1 : runs.findIndex((r) => r.id === parentRunId);
    return [{ child, fromVersionId, ...(parentRunId ? { parentRunId } : {}), ...(at >= 0 ? { parent: at } : {}) }];
  });
}

/** The parent runs of `links` not yet compared, once each, in the order of their children. */
export function parentsToAdd(links: readonly FineTuneLink[]): string[] {
  return [...new Set(links.flatMap((l) => (l.parent === undefined && l.parentRunId ? [l.parentRunId] : [])))];
}

/** How a list of runs is ordered: by when they started, or best first by a figure. */
export type RunSort = 'newest' | 'oldest' | RunMetricKey;

/**
 * `runs` in a new array ordered by `sort`. By a figure: best first, runs without it last, ties
 * newest first; the sort is stable, so equal runs keep their given order.
 */
export function sortRuns(runs: readonly Run[], sort: RunSort): Run[] {
  if (sort === 'newest') return [...runs].sort((a, b) => b.startedAt - a.startedAt);
  if (sort === 'oldest') return [...runs].sort((a, b) => a.startedAt - b.startedAt);
  const sign = higherIsBetter(sort) ? -1 : 1;
  // The figure is read once per run, not once per comparison: hundreds of runs sort at once.
  const keyed = runs.map((run) => ({ run, v: metricValue(run, sort) }));
  keyed.sort((a, b) => {
    if (a.v === undefined || b.v === undefined) return (a.v === undefined ? 1 : 0) - (b.v === undefined ? 1 : 0) || b.run.startedAt - a.run.startedAt;
    return sign * (a.v - b.v) || b.run.startedAt - a.run.startedAt;
  });
  return keyed.map((k) => k.run);
}

/** What a list of runs is narrowed to; an empty or absent part keeps every run. */
export interface RunFilter {
  tag?: string;
  status?: Run['status'] | '';
  /** Words the run's note contains, matched without regard to case or accents. */
  text?: string;
}

/** Lower case without accents, so "Clinique" finds "clinique" and "Fièvre" finds "fievre". */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The runs (in their order) that carry the tag, have the status and whose note contains the text. */
export function filterRuns(runs: readonly Run[], filter: RunFilter): Run[] {
  const text = fold(filter.text?.trim() ?? '');
  return runs.filter(
    (r) =>
      (!filter.tag || (r.tags ?? []).includes(filter.tag)) && (!filter.status || r.status === filter.status) && (!text || fold(r.note ?? '').includes(text)),
  );
}

/** Every tag the runs carry, once each, in alphabetical order (what a tag filter offers). */
export function runTags(runs: readonly Run[]): string[] {
  return [...new Set(runs.flatMap((r) => r.tags ?? []))].sort((a, b) => a.localeCompare(b));
}

export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 40;
export const MAX_NOTE_LENGTH = 2000;

/**
 * Tags from what a person typed: split at commas, trimmed, inner spaces collapsed, each cut to 40
 * characters, repeats dropped (a repeat differing only in case is the same tag; the first spelling
 * stays), at most 20 (the Run schema's bounds).
 */
export function parseTags(typed: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const part of typed.split(',')) {
    const tag = [...part.trim().replace(/\s+/g, ' ')].slice(0, MAX_TAG_LENGTH).join('').trim();
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    out.push(tag);
    if (out.length === MAX_TAGS) break;
  }
  return out;
}

/** A note as stored: trimmed and cut to 2000 UTF-16 units, never ending in half a surrogate pair. */
export function cleanNote(typed: string): string {
  const s = typed.trim().slice(0, MAX_NOTE_LENGTH);
  return /[\uD800-\uDBFF]$/.test(s) ? s.slice(0, -1) : s;
}
