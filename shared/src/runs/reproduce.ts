import type { Run, RunDevice, TrainParams } from '../schema/records.js';

/**
 * Two figures are the same when |a − b| ≤ SAME_TOLERANCE · max(1, |a|, |b|). The same dataset
 * version, split, seed and backend on the same device repeat every floating-point operation in the
 * same order, so their figures are bit-for-bit equal; the 1e-9 leaves room only for a value that
 * went through JSON (a run synced and read back), scaled so large losses (a squared error in the
 * thousands) are held to the same relative precision.
 */
export const SAME_TOLERANCE = 1e-9;
/**
 * Two figures are close when |a − b| ≤ max(CLOSE_ABSOLUTE, CLOSE_RELATIVE · max(|a|, |b|)). Another
 * backend (WebGL's shaders against WebAssembly's SIMD kernels) or another device rounds each
 * float32 sum in another order. CPU against WebAssembly on the sample files (default settings, 50
 * epochs) moved figures by at most 1e-6 (a relative 2e-8, docs/runs.md); WebGL on graphics chips
 * that compute in 16-bit floats moves them further. The margin leaves room for that and is half the
 * step the screen shows a share such as accuracy in (whole percents): 0.005, and 0.1 % of a loss,
 * MAE or RMSE (1e-3). More than that is a model that learnt something else, worth a person's look.
 */
export const CLOSE_ABSOLUTE = 0.005;
/** The relative half of the close tolerance (see CLOSE_ABSOLUTE): 0.1 % of the larger figure. */
export const CLOSE_RELATIVE = 1e-3;

/** How well two figures, or two runs' figures as a whole, agree. */
export type Agreement = 'same' | 'close' | 'differs';

/**
 * Which rows a figure was measured on: `validation` the rows kept aside during training (the run's
 * `metrics`), `test` the rows held apart from training altogether (the run's `evaluation`), and
 * `lastRound` the final epoch's losses and accuracy or MAE.
 */
export type FigureSet = 'validation' | 'test' | 'lastRound';
/**
 * A figure's name: scikit-learn's metric names (AUC and Brier on the test rows of a yes/no model
 * only), and for `lastRound` the epoch's `loss`, `valLoss`, `metric` and `valMetric` (accuracy for
 * categories, MAE for numbers, on the training and the validation rows).
 */
export type FigureName =
  'accuracy' | 'f1' | 'precision' | 'recall' | 'logLoss' | 'auc' | 'brier' | 'mae' | 'rmse' | 'r2' | 'loss' | 'valLoss' | 'metric' | 'valMetric';

/** One figure of a run. */
export interface Figure {
  set: FigureSet;
  name: FigureName;
  value: number;
}

/** One figure of the original run beside the same figure of its re-run (undefined: that run has none). */
export interface FigureDiff {
  set: FigureSet;
  name: FigureName;
  original?: number;
  rerun?: number;
  /** rerun − original; NaN when either is missing or not a number. */
  difference: number;
  agreement: Agreement;
}

/** What a re-run may have done differently from its original, and so why its figures may differ. */
export type ConditionKey = 'datasetVersion' | 'data' | 'split' | 'seed' | 'setting' | 'backend' | 'browser' | 'device' | 'appVersion';

/** One condition that is not the same in both runs, with each run's value (undefined: not recorded). */
export interface ConditionDiff {
  key: ConditionKey;
  /** For `setting`: which training setting. */
  setting?: keyof TrainParams;
  original?: string;
  rerun?: string;
}

/** compareRerun's answer: the verdict, every figure side by side, those not the same, and what differed in the conditions. */
export interface Reproduction {
  verdict: Agreement;
  figures: FigureDiff[];
  /** The figures whose agreement is not `same`, in the order of `figures` (validation, test, last round). */
  differing: FigureDiff[];
  conditions: ConditionDiff[];
}

/**
 * Every figure a run reports, in a fixed order: its validation metrics (accuracy, F1, precision,
 * recall and log loss; or MAE, RMSE and R²), then the test-row report (the same, with a yes/no
 * model's ROC AUC and Brier score; F1, precision and recall of the positive label for two labels,
 * macro-averaged otherwise, as the run's own metrics average them), then the last epoch's training
 * and validation loss and metric. Figures a run did not measure are left out.
 */
export function runFigures(run: Run): Figure[] {
  const out: Figure[] = [];
  const add = (set: FigureSet, name: FigureName, value: number | null | undefined) => {
    if (typeof value === 'number') out.push({ set, name, value });
  };
  const m = run.metrics;
  if (m?.task === 'classification') {
    for (const name of ['accuracy', 'f1', 'precision', 'recall', 'logLoss'] as const) add('validation', name, m[name]);
  } else if (m?.task === 'regression') {
    for (const name of ['mae', 'rmse', 'r2'] as const) add('validation', name, m[name]);
  }
  const e = run.evaluation?.evaluation;
  if (e?.task === 'classification') {
    const averaged = e.binary ?? e.macro;
    add('test', 'accuracy', e.accuracy);
    for (const name of ['f1', 'precision', 'recall'] as const) add('test', name, averaged[name]);
    add('test', 'logLoss', e.logLoss);
    add('test', 'auc', e.binary?.auc);
    add('test', 'brier', e.binary?.brier);
  } else if (e?.task === 'regression') {
    for (const name of ['mae', 'rmse', 'r2'] as const) add('test', name, e[name]);
  }
  const last = run.epochs.at(-1);
  if (last) for (const name of ['loss', 'valLoss', 'metric', 'valMetric'] as const) add('lastRound', name, last[name]);
  return out;
}

/**
 * How two values of one figure agree (SAME_TOLERANCE, CLOSE_ABSOLUTE, CLOSE_RELATIVE). Two NaNs
 * (a diverged training both times) are the same; a figure only one run has differs.
 */
export function figureAgreement(original: number | undefined, rerun: number | undefined): Agreement {
  if (original === undefined || rerun === undefined) return 'differs';
  if (Number.isNaN(original) && Number.isNaN(rerun)) return 'same';
  if (original === rerun) return 'same';
  const gap = Math.abs(original - rerun);
  if (!Number.isFinite(gap)) return 'differs';
  const size = Math.max(Math.abs(original), Math.abs(rerun));
  if (gap <= SAME_TOLERANCE * Math.max(1, size)) return 'same';
  return gap <= Math.max(CLOSE_ABSOLUTE, CLOSE_RELATIVE * size) ? 'close' : 'differs';
}

const deviceText = (d: RunDevice | undefined): string | undefined =>
  d ? [d.platform ?? '', d.cores === undefined ? '' : String(d.cores), d.memoryGb === undefined ? '' : String(d.memoryGb)].join('|') : undefined;

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const text = (v: unknown): string | undefined => (v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Compare a run with its re-run ("Run again", docs/runs.md): every figure of runFigures side by
 * side with its difference and agreement, a verdict (`same` when every figure is the same,
 * `close` when none differs beyond the close tolerance, else `differs`), and each condition that
 * was not the same, so a sentence can say why figures moved: the dataset version or its hash, the
 * split (its index hash), the seed or another setting, the backend actually used, the browser
 * (user agent), the device (platform, cores, memory) and the app version. A condition one run did
 * not record while the other did is listed, as it cannot be shown to be the same.
 */
export function compareRerun(original: Run, rerun: Run): Reproduction {
  const a = runFigures(original);
  const b = runFigures(rerun);
  const id = (f: Figure) => `${f.set}.${f.name}`;
  const order = [...a.map(id), ...b.map(id).filter((k) => !a.some((f) => id(f) === k))];
  const figures = order.map((k): FigureDiff => {
    const x = a.find((f) => id(f) === k);
    const y = b.find((f) => id(f) === k);
    const { set, name } = (x ?? y)!;
    return { set, name, original: x?.value, rerun: y?.value, difference: x && y ? y.value - x.value : NaN, agreement: figureAgreement(x?.value, y?.value) };
  });
  const differing = figures.filter((f) => f.agreement !== 'same');
  const verdict: Agreement = differing.some((f) => f.agreement === 'differs') ? 'differs' : differing.length ? 'close' : 'same';

  const conditions: ConditionDiff[] = [];
  const note = (key: ConditionKey, x: unknown, y: unknown, setting?: keyof TrainParams) => {
    if (!sameJson(x, y)) conditions.push({ key, ...(setting ? { setting } : {}), original: text(x), rerun: text(y) });
  };
  note('datasetVersion', original.datasetVersionId, rerun.datasetVersionId);
  note('data', original.datasetHash, rerun.datasetHash);
  note('split', original.split?.indexHash, rerun.split?.indexHash);
  note('seed', original.params.seed, rerun.params.seed);
  const settings = new Set([...Object.keys(original.params), ...Object.keys(rerun.params)] as (keyof TrainParams)[]);
  for (const s of settings) if (s !== 'seed') note('setting', original.params[s], rerun.params[s], s);
  note('backend', original.backend, rerun.backend);
  note('browser', original.device?.userAgent, rerun.device?.userAgent);
  note('device', deviceText(original.device), deviceText(rerun.device));
  note('appVersion', original.appVersion, rerun.appVersion);
  return { verdict, figures, differing, conditions };
}
