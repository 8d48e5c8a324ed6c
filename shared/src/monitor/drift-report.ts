import type { FeaturePipeline } from '../schema/pipeline.js';
import type { DriftSettings, ReferenceRows } from '../schema/monitoring.js';
import { isMissing, toNumber, type Cell } from '../data/columns.js';
import { histogram, histogramEdges } from '../stats/index.js';
import { columnDrift, datasetDrift, type DriftResult } from './drift.js';

/**
 * The drift check of one window of predictions against a version's reference rows: every input,
 * the predictions and the outcomes, each with Evidently's default test for its type and the
 * reference's size (or PSI when the project asks for it), the dataset verdict over the inputs
 * (drifted when at least half of them drift), and for each column the two distributions to draw
 * side by side.
 */

export interface DriftColumn {
  name: string;
  role: 'input' | 'prediction' | 'outcome';
  kind: 'numeric' | 'categorical';
  result: DriftResult;
  /** Bins (numeric: Sturges bins over both samples pooled) or categories, with each side's shares. */
  chart: { labels: string[]; reference: number[]; current: number[] };
}

export interface DriftReport {
  method: DriftSettings['method'];
  referenceRows: number;
  windowRows: number;
  inputs: DriftColumn[];
  prediction: DriftColumn;
  outcome: DriftColumn | null;
  dataset: ReturnType<typeof datasetDrift>;
}

/** The window checked: the inputs of its predictions, the model's answers, and the outcomes recorded for them. */
export interface DriftWindowRows {
  inputs: Record<string, Cell>[];
  predicted: (string | number)[];
  outcomes: (string | number)[];
}

const CATEGORIES_DRAWN = 12;
const fmt = (x: number) => (Math.abs(x) >= 1000 || (Math.abs(x) < 0.01 && x !== 0) ? x.toExponential(1) : String(+x.toPrecision(3)));

/** The two distributions of a column, for the chart. */
export function chartOf(reference: Cell[], current: Cell[], kind: 'numeric' | 'categorical'): DriftColumn['chart'] {
  if (kind === 'numeric') {
    const ref = reference.map(toNumber).filter((x): x is number => x !== null);
    const cur = current.map(toNumber).filter((x): x is number => x !== null);
    if (!ref.length && !cur.length) return { labels: [], reference: [], current: [] };
    const edges = histogramEdges([...ref, ...cur], 'sturges');
    const share = (xs: number[]) => {
      const h = histogram(xs, edges);
      return h.map((c) => (xs.length ? c / xs.length : 0));
    };
    return { labels: edges.slice(0, -1).map((e, i) => `${fmt(e)}–${fmt(edges[i + 1])}`), reference: share(ref), current: share(cur) };
  }
  const count = (xs: Cell[]) => {
    const m = new Map<string, number>();
    let n = 0;
    for (const v of xs) {
      if (isMissing(v)) continue;
      const k = String(v).trim();
      m.set(k, (m.get(k) ?? 0) + 1);
      n++;
    }
    return { m, n };
  };
  const r = count(reference);
  const c = count(current);
  const keys = [...new Set([...r.m.keys(), ...c.m.keys()])].sort((a, b) => (r.m.get(b) ?? 0) + (c.m.get(b) ?? 0) - ((r.m.get(a) ?? 0) + (c.m.get(a) ?? 0)));
  const shown = keys.slice(0, CATEGORIES_DRAWN);
  const rest = keys.slice(CATEGORIES_DRAWN);
  const shares = (x: { m: Map<string, number>; n: number }) => {
    const s = shown.map((k) => (x.n ? (x.m.get(k) ?? 0) / x.n : 0));
    if (rest.length) s.push(x.n ? rest.reduce((a, k) => a + (x.m.get(k) ?? 0), 0) / x.n : 0);
    return s;
  };
  return { labels: rest.length ? [...shown, `${rest.length} others`] : shown, reference: shares(r), current: shares(c) };
}

function column(
  name: string,
  role: DriftColumn['role'],
  kind: DriftColumn['kind'],
  reference: Cell[],
  current: Cell[],
  method: DriftSettings['method'],
): DriftColumn {
  return { name, role, kind, result: columnDrift(reference, current, { kind, method }), chart: chartOf(reference, current, kind) };
}

/** Check a window against a version's reference rows (see the module comment). */
export function driftReport(ref: ReferenceRows, pipeline: FeaturePipeline, window: DriftWindowRows, method: DriftSettings['method'] = 'auto'): DriftReport {
  const inputs = pipeline.features.map((f) =>
    column(
      f.name,
      'input',
      f.kind,
      ref.columns[f.name] ?? [],
      window.inputs.map((r) => r[f.name] ?? null),
      method,
    ),
  );
  const targetKind = pipeline.target.kind;
  const prediction = column('prediction', 'prediction', targetKind, ref.predicted, window.predicted, method);
  const outcome = window.outcomes.length ? column(pipeline.target.name, 'outcome', targetKind, ref.target, window.outcomes, method) : null;
  return {
    method,
    referenceRows: ref.rows,
    windowRows: window.inputs.length,
    inputs,
    prediction,
    outcome,
    dataset: datasetDrift(inputs.map((c) => c.result)),
  };
}
