import type { Run } from '../schema/records.js';
import {
  FAMILY_PARAMS,
  RUN_PARAMS,
  higherIsBetter,
  metricValue,
  paramApplies,
  paramRows,
  paramValue,
  runFamily,
  type RunMetricKey,
  type RunParamKey,
  type RunParamValue,
} from './compare.js';

/**
 * How an axis places values: `linear` maps [min, max] to [0, 1]; `log` does so on log10 (a
 * learning rate's and an L2 penalty's steps are ratios); `ordinal` spreads the distinct values
 * evenly, in order (hidden layers by total units then depth, lists by length, words such as the
 * model family alphabetically).
 */
export type AxisKind = 'linear' | 'log' | 'ordinal';

/** A labelled mark on an axis, `at` in [0, 1] from the bottom. */
export interface AxisTick {
  at: number;
  value: number | string;
}

export interface ParallelAxis {
  key: RunParamKey | RunMetricKey;
  kind: AxisKind;
  ticks: AxisTick[];
}

/**
 * One run's line: its place on each axis (null where it has no value, or where the axis's setting
 * does not apply to the run's family) and its shade, 1 = best figure.
 */
export interface ParallelLine {
  index: number;
  at: (number | null)[];
  shade: number | null;
}

const NUMERIC: RunParamKey[] = ['epochs', 'batchSize', 'learningRate', 'l2', 'trees', 'maxDepth', 'minLeaf', 'validationFraction', 'testFraction', 'seed'];
const RATIOS: RunParamKey[] = ['learningRate', 'l2'];

/** The words an ordinal axis shows for a value: lists joined by ", ". */
export function valueText(v: RunParamValue): string {
  return Array.isArray(v) ? v.join(', ') : String(v ?? '');
}

function ordinalOrder(key: RunParamKey, values: RunParamValue[]): RunParamValue[] {
  const distinct: RunParamValue[] = [];
  for (const v of values) if (v !== undefined && !distinct.some((d) => valueText(d) === valueText(v))) distinct.push(v);
  const size = (v: RunParamValue) => (Array.isArray(v) ? (key === 'hiddenLayers' ? (v as number[]).reduce((s, n) => s + n, 0) : v.length) : 0);
  const depth = (v: RunParamValue) => (Array.isArray(v) ? v.length : 0);
  return distinct.sort((a, b) => size(a) - size(b) || depth(a) - depth(b) || valueText(a).localeCompare(valueText(b)));
}

/**
 * A numeric axis over `values`: positions by (v − min) / (max − min), on log10 for `log`; every
 * value at 0.5 when all are equal. Ticks at the two ends (one tick when they coincide).
 */
export function numericAxis(values: (number | undefined)[], kind: 'linear' | 'log'): { at: (number | null)[]; ticks: AxisTick[] } {
  const f = kind === 'log' ? Math.log10 : (x: number) => x;
  const present = values.filter((v): v is number => v !== undefined);
  if (present.length === 0) return { at: values.map(() => null), ticks: [] };
  const min = Math.min(...present);
  const max = Math.max(...present);
  const lo = f(min);
  const span = f(max) - lo;
  const at = values.map((v) => (v === undefined ? null : span > 0 ? (f(v) - lo) / span : 0.5));
  const ticks =
    span > 0
      ? [
          { at: 0, value: min },
          { at: 1, value: max },
        ]
      : [{ at: 0.5, value: min }];
  return { at, ticks };
}

function paramAxis(key: RunParamKey, values: RunParamValue[]): { axis: ParallelAxis; at: (number | null)[] } {
  const numeric = NUMERIC.includes(key) && values.every((v) => v === undefined || typeof v === 'number');
  if (numeric) {
    const nums = values as (number | undefined)[];
    const kind = RATIOS.includes(key) && nums.every((v) => v === undefined || v > 0) ? 'log' : 'linear';
    const { at, ticks } = numericAxis(nums, kind);
    return { axis: { key, kind, ticks }, at };
  }
  const order = ordinalOrder(key, values).map(valueText);
  const pos = (i: number) => (order.length > 1 ? i / (order.length - 1) : 0.5);
  const at = values.map((v) => (v === undefined ? null : pos(order.indexOf(valueText(v)))));
  return { axis: { key, kind: 'ordinal', ticks: order.map((value, i) => ({ at: pos(i), value })) }, at };
}

/**
 * A parallel-coordinates view (Inselberg 1985) of `runs`: one axis per setting that differs
 * between them (the model family a categorical axis), and the own settings of the families
 * compared when nothing differs (so the view is never just one axis) or when the runs are of
 * different families (so each family's settings are seen beside the others'); then the figure
 * `metric` last; one
 * line per run through its place on every axis, shaded by the figure, 0 worst to 1 best (null
 * without it; all 1 when every run has the same figure). A setting of another family has no place
 * on its axis (null): a forest's line has no point on the learning-rate axis.
 */
export function parallelCoordinates(runs: readonly Run[], metric: RunMetricKey): { axes: ParallelAxis[]; lines: ParallelLine[] } {
  const differing = paramRows(runs)
    .filter((r) => r.differs)
    .map((r) => r.key);
  const families = [...new Set(runs.map(runFamily))];
  const own = families.flatMap((f) => FAMILY_PARAMS[f]);
  // Runs of different kinds: each kind's own settings too, where the other kinds have no point.
  const drawn = differing.length === 0 ? own : families.length > 1 ? [...differing, ...own] : differing;
  const keys = RUN_PARAMS.filter((k) => drawn.includes(k));
  const columns = keys.map((k) =>
    paramAxis(
      k,
      runs.map((r) => (paramApplies(r, k) ? paramValue(r, k) : undefined)),
    ),
  );
  const figures = runs.map((r) => metricValue(r, metric));
  const m = numericAxis(figures, 'linear');
  const axes = [...columns.map((c) => c.axis), { key: metric, kind: 'linear' as const, ticks: m.ticks }];
  const higher = higherIsBetter(metric);
  const lines = runs.map((_, i) => {
    const pos = m.at[i];
    const shade = pos === null ? null : m.ticks.length === 1 ? 1 : higher ? pos : 1 - pos;
    return { index: i, at: [...columns.map((c) => c.at[i]), pos], shade };
  });
  return { axes, lines };
}
