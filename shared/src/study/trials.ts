import type { EpochMetrics, Task, TrainParams } from '../schema/records.js';
import type { Params, SearchParam, TrialView } from '../search/index.js';
import type { Study, StudyObjective, Trial } from './study.js';
import { SETTING_FAMILIES, trialFamily } from './families.js';

/**
 * The training settings a search may vary, by the names its space uses. `layers` and `units` make
 * the network's hidden layers together (`layers` of `units` each; no layer is a logistic or linear
 * regression), so one trial's network is described by two numbers the sampler can model. `family`
 * (a choice among 'network', 'linear', 'forest') lets the search choose the kind of model; the
 * settings of each kind are conditional on it (families.ts).
 */
export const SEARCHABLE = ['family', 'learningRate', 'batchSize', 'epochs', 'layers', 'units', 'l2', 'trees', 'maxDepth', 'minLeaf'] as const;
export type Searchable = (typeof SEARCHABLE)[number];

/**
 * The values each numeric setting may take, as TrainParams allows them (0 to 8 hidden layers of 1
 * to 4096 units; a learning rate from one millionth, where TrainParams needs only above 0): a range
 * reaching outside them has points no trial could train, and is refused.
 */
export const SETTING_LIMITS: Record<Exclude<Searchable, 'family'>, { low: number; high: number; int: boolean }> = {
  learningRate: { low: 1e-6, high: 10, int: false },
  batchSize: { low: 1, high: 65536, int: true },
  epochs: { low: 1, high: 10000, int: true },
  layers: { low: 0, high: 8, int: true },
  units: { low: 1, high: 4096, int: true },
  l2: { low: 0, high: 1e6, int: false },
  trees: { low: 1, high: 500, int: true },
  maxDepth: { low: 1, high: 32, int: true },
  minLeaf: { low: 1, high: 1000, int: true },
};

/**
 * The space a search starts from, wide enough for the small tabular networks a phone trains:
 * learning rate 1e-4 to 0.1 and batch 8 to 256 on log scales, 0 to 3 hidden layers of 4 to 128
 * units (log); epochs stay the base settings' unless the person adds them.
 */
export function defaultSpace(): SearchParam[] {
  return [
    { name: 'learningRate', kind: 'float', low: 1e-4, high: 0.1, log: true },
    { name: 'batchSize', kind: 'int', low: 8, high: 256, log: true },
    { name: 'layers', kind: 'int', low: 0, high: 3 },
    { name: 'units', kind: 'int', low: 4, high: 128, log: true },
  ];
}

/** Names in a space that are not searchable settings (a study with any is refused). */
export function unknownSettings(space: SearchParam[]): string[] {
  return space.map((p) => p.name).filter((n) => !(SEARCHABLE as readonly string[]).includes(n));
}

/**
 * A trial's training parameters: the study's base with each searched value laid over it. Hidden
 * layers come from `layers` × `units`, each taken from the trial when searched and from the base
 * otherwise (its first layer's width, or 32). A value for a setting of another kind of model than
 * the trial's is ignored, so it cannot change what the trial trains.
 */
export function trialParams(base: TrainParams, params: Params): TrainParams {
  const family = trialFamily(base, params);
  const num = (k: Searchable): number | undefined =>
    typeof params[k] === 'number' && SETTING_FAMILIES[k].includes(family) ? (params[k] as number) : undefined;
  const out: TrainParams = { ...base, hiddenLayers: [...base.hiddenLayers] };
  if (family !== (base.family ?? 'network')) out.family = family;
  const l2 = num('l2');
  if (l2 !== undefined) out.l2 = l2;
  for (const k of ['trees', 'maxDepth', 'minLeaf'] as const) {
    const v = num(k);
    if (v !== undefined) out[k] = Math.round(v);
  }
  const lr = num('learningRate');
  if (lr !== undefined) out.learningRate = lr;
  const batch = num('batchSize');
  if (batch !== undefined) out.batchSize = Math.round(batch);
  const epochs = num('epochs');
  if (epochs !== undefined) out.epochs = Math.round(epochs);
  const layers = num('layers');
  const units = num('units');
  if (layers !== undefined || units !== undefined) {
    const n = Math.round(layers ?? base.hiddenLayers.length);
    const width = Math.round(units ?? base.hiddenLayers[0] ?? 32);
    out.hiddenLayers = Array.from({ length: n }, () => width);
  }
  return out;
}

/**
 * Which way the objective is better: a loss is minimised; the validation metric is accuracy for a
 * classification (maximised) and the mean absolute error for a regression (minimised).
 */
export function directionFor(objective: StudyObjective, task: Task): 'minimize' | 'maximize' {
  return objective === 'valMetric' && task === 'classification' ? 'maximize' : 'minimize';
}

/** The objective after one epoch: the validation loss or metric, or NaN when the epoch has none. */
export function objectiveAt(e: EpochMetrics, objective: StudyObjective): number {
  const v = objective === 'valLoss' ? e.valLoss : e.valMetric;
  return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
}

/** Stored trials as the sampler, pruner and importance read them (null intermediates are NaN). */
export function trialViews(trials: Trial[]): TrialView[] {
  return [...trials]
    .sort((a, b) => a.number - b.number)
    .map((t) => ({
      number: t.number,
      state: t.state,
      params: t.params,
      ...(t.value !== undefined ? { value: t.value } : {}),
      intermediate: t.intermediate.map((v) => (v === null ? NaN : v)),
    }));
}

/**
 * The next trial's number: one past the greatest recorded. A trial cut off before it was recorded
 * (the page closed) left no record, so it is asked again under the same number, and the
 * deterministic sampler gives it the same values: nothing is lost and nothing runs twice.
 */
export function nextTrialNumber(trials: Trial[]): number {
  return trials.reduce((n, t) => Math.max(n, t.number + 1), 0);
}

/**
 * Whether the budget is spent: as many trials recorded as it allows, or the minutes spent in
 * trials (their recorded durations plus the one under way, so time with the app closed does not
 * count) at or past its minutes.
 */
export function budgetSpent(study: Pick<Study, 'budget'>, trials: Trial[], runningMs = 0): boolean {
  const { trials: maxTrials, minutes } = study.budget;
  if (maxTrials !== undefined && trials.length >= maxTrials) return true;
  if (minutes !== undefined && spentMs(trials) + runningMs >= minutes * 60_000) return true;
  return false;
}

/** Milliseconds spent in the recorded trials. */
export const spentMs = (trials: Trial[]): number => trials.reduce((s, t) => s + t.durationMs, 0);

/**
 * The optimisation history: for each complete trial in number order, its value and the best value
 * so far in the study's direction (Optuna's plot_optimization_history).
 */
export function history(trials: Trial[], direction: 'minimize' | 'maximize'): { number: number; value: number; best: number }[] {
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  let best = NaN;
  const out: { number: number; value: number; best: number }[] = [];
  for (const t of [...trials].sort((a, b) => a.number - b.number)) {
    if (t.state !== 'complete' || t.value === undefined || !Number.isFinite(t.value)) continue;
    if (Number.isNaN(best) || better(t.value, best)) best = t.value;
    out.push({ number: t.number, value: t.value, best });
  }
  return out;
}
