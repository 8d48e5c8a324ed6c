import { z } from 'zod';
import type { Said } from '../said.js';
import type { Reason } from '../errors.js';
import type { ModelVersion } from '../schema/records.js';
import type { DeviceMeasurements } from '../schema/registry.js';

/**
 * Promotion gates, "unit tests for models": checks a project declares that a version must pass
 * before it may become the production version. The device shows the report before anyone asks, and
 * the server runs the same checks when a promotion is approved, so no device can skip them.
 */

export const GateMetric = z.enum(['accuracy', 'f1', 'precision', 'recall', 'auc', 'mae', 'rmse', 'r2']);
export type GateMetric = z.infer<typeof GateMetric>;

export const Gates = z.object({
  /** The version's figure on its held-out rows must reach this (at most, for MAE and RMSE). */
  minMetric: z.object({ metric: GateMetric, value: z.number().finite() }).optional(),
  /** Not worse than the current production version by more than this, on the same measure. */
  maxDropVsProduction: z.number().min(0).max(1e9).optional(),
  /** p95 latency per prediction measured on the device that proposes or promotes, milliseconds. */
  maxLatencyMs: z.number().min(0).max(600_000).optional(),
  /** Memory of the loaded model measured on that device, MB. */
  maxMemoryMb: z.number().min(0).max(1_000_000).optional(),
  /** Size of the weights, KB. */
  maxModelKb: z.number().min(0).max(1e9).optional(),
  /** OpenScale's fairness score (disparate impact x 100) over the version's outcomes so far. */
  minFairnessScore: z.number().min(0).max(1000).optional(),
});
export type Gates = z.infer<typeof Gates>;

export interface GateResult {
  gate: keyof Gates;
  passed: boolean;
  /** The version's value, or null when it could not be measured (the gate then fails). */
  value: number | null;
  bound: number;
  /** A sentence: what was checked and by how much it passed or failed (English, for the console). */
  message: string;
  /** The same sentence for a screen in any language: `frame` with `values`, its `what` said first (gateWords on the device). */
  said: GateSaid;
}

/** The message keys of a gate's sentence, in the device's catalogues. */
export type GateWhatKey = 'gates.what.metric' | 'gates.what.drop' | 'gates.what.latency' | 'gates.what.memory' | 'gates.what.size' | 'gates.what.fairness';
export interface GateSaid {
  frame: Said<'gates.frame.measured' | 'gates.frame.notMeasured' | 'gates.noProduction'>;
  what?: Said<GateWhatKey>;
}

/** The measures a higher value of which is worse. */
const LOWER_IS_BETTER: readonly GateMetric[] = ['mae', 'rmse'];

/**
 * A version's figure on a measure: from its evaluation report on held-out test rows when it has
 * one (binary: the positive class's precision, recall and F1, and ROC AUC; multi-class: macro
 * averages), otherwise from its validation metrics; null when it has neither.
 */
export function versionMetric(v: Pick<ModelVersion, 'metrics' | 'evaluation'>, metric: GateMetric): number | null {
  const e = v.evaluation?.evaluation;
  let x: unknown;
  if (e?.task === 'classification') {
    const b = e.binary;
    x =
      metric === 'accuracy'
        ? e.accuracy
        : metric === 'auc'
          ? b?.auc
          : b
            ? b[metric as 'precision' | 'recall' | 'f1']
            : e.macro[metric as 'precision' | 'recall' | 'f1'];
  } else if (e?.task === 'regression') x = e[metric as 'mae' | 'rmse' | 'r2'];
  else x = (v.metrics as Record<string, unknown> | undefined)?.[metric];
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

export interface GateInputs {
  version: Pick<ModelVersion, 'metrics' | 'evaluation' | 'weightsSize'>;
  production?: Pick<ModelVersion, 'metrics' | 'evaluation'> | null;
  measurements?: DeviceMeasurements;
  /** The version's fairness score so far, when the project checks fairness. */
  fairnessScore?: number | null;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : +x.toPrecision(3));

/** Run every declared gate (see Gates); undeclared gates are not reported. */
export function checkGates(gates: Gates | undefined, input: GateInputs): GateResult[] {
  if (!gates) return [];
  const out: GateResult[] = [];
  const check = (gate: keyof Gates, value: number | null, bound: number, lowerIsBetter: boolean, what: string, whatSaid: Said<GateWhatKey>) => {
    const passed = value !== null && (lowerIsBetter ? value <= bound : value >= bound);
    const margin = lowerIsBetter ? (passed ? 'under' : 'over') : passed ? 'over' : 'short';
    const by = value === null ? '' : ` (${margin} by ${fmt(Math.abs(value - bound))})`;
    const message =
      value === null
        ? `${what}: not measured, so the gate (${lowerIsBetter ? 'at most' : 'at least'} ${fmt(bound)}) fails.`
        : `${what}: ${fmt(value)}, ${lowerIsBetter ? 'at most' : 'at least'} ${fmt(bound)} needed${by}.`;
    const lower = lowerIsBetter ? 'yes' : 'no';
    const frame: GateSaid['frame'] =
      value === null
        ? { key: 'gates.frame.notMeasured', values: { lower, bound: fmt(bound) } }
        : { key: 'gates.frame.measured', values: { lower, bound: fmt(bound), value: fmt(value), margin, by: fmt(Math.abs(value - bound)) } };
    out.push({ gate, passed, value, bound, message, said: { frame, what: whatSaid } });
  };
  if (gates.minMetric) {
    const { metric, value: bound } = gates.minMetric;
    check(
      'minMetric',
      versionMetric(input.version, metric),
      bound,
      LOWER_IS_BETTER.includes(metric),
      `${metric} on ${input.version.evaluation ? 'held-out test rows' : 'validation rows'}`,
      { key: 'gates.what.metric', values: { metric, rows: input.version.evaluation ? 'test' : 'validation' } },
    );
  }
  if (gates.maxDropVsProduction !== undefined) {
    const metric = gates.minMetric?.metric ?? 'accuracy';
    const mine = versionMetric(input.version, metric);
    const theirs = input.production ? versionMetric(input.production, metric) : null;
    if (theirs === null) {
      out.push({
        gate: 'maxDropVsProduction',
        passed: true,
        value: null,
        bound: gates.maxDropVsProduction,
        message: 'No production version to compare with.',
        said: { frame: { key: 'gates.noProduction' } },
      });
    } else {
      const drop = mine === null ? null : LOWER_IS_BETTER.includes(metric) ? mine - theirs : theirs - mine;
      check('maxDropVsProduction', drop, gates.maxDropVsProduction, true, `${metric} lost against the production version`, {
        key: 'gates.what.drop',
        values: { metric },
      });
    }
  }
  if (gates.maxLatencyMs !== undefined)
    check('maxLatencyMs', input.measurements?.latencyP95Ms ?? null, gates.maxLatencyMs, true, 'p95 latency on the device (ms)', {
      key: 'gates.what.latency',
    });
  if (gates.maxMemoryMb !== undefined)
    check('maxMemoryMb', input.measurements?.memoryMb ?? null, gates.maxMemoryMb, true, 'memory on the device (MB)', { key: 'gates.what.memory' });
  if (gates.maxModelKb !== undefined)
    check('maxModelKb', input.version.weightsSize / 1024, gates.maxModelKb, true, 'model size (KB)', { key: 'gates.what.size' });
  if (gates.minFairnessScore !== undefined)
    check('minFairnessScore', input.fairnessScore ?? null, gates.minFairnessScore, false, 'fairness score', {
      key: 'gates.what.fairness',
    });
  return out;
}

/** The failed gates as one sentence, or null when all passed. */
export function gateFailure(results: readonly GateResult[]): string | null {
  const failed = results.filter((r) => !r.passed);
  return failed.length ? `Not promoted: ${failed.map((r) => r.message).join(' ')}` : null;
}

/** A promotion refused by its gates: the English sentence and the reason a device says in its language. */
export interface GateRefusal {
  message: string;
  reason: Reason;
}

/**
 * The failed gates as a refusal, or null when all passed. A reason's values are flat, so the
 * failed gates' sentences (GateSaid: keys and values, no words) travel as one JSON list in
 * `gates`; `readGateSaid` reads it back on the device.
 */
export function gateRefusal(results: readonly GateResult[]): GateRefusal | null {
  const message = gateFailure(results);
  if (!message) return null;
  const said = results.filter((r) => !r.passed).map((r) => r.said);
  return { message, reason: { code: 'gates_failed', params: { gates: JSON.stringify(said) } } };
}

const SaidValues = z.record(z.string(), z.union([z.string(), z.number()]));
const GateSaidList = z
  .array(
    z.object({
      frame: z.object({ key: z.enum(['gates.frame.measured', 'gates.frame.notMeasured', 'gates.noProduction']), values: SaidValues.optional() }),
      what: z
        .object({
          key: z.enum(['gates.what.metric', 'gates.what.drop', 'gates.what.latency', 'gates.what.memory', 'gates.what.size', 'gates.what.fairness']),
          values: SaidValues.optional(),
        })
        .optional(),
    }),
  )
  .max(20);

/** The failed gates' sentences of a `gates_failed` reason (gateRefusal), or null when they cannot be read (a newer server's). */
export function readGateSaid(gates: unknown): GateSaid[] | null {
  if (typeof gates !== 'string') return null;
  try {
    const parsed = GateSaidList.safeParse(JSON.parse(gates));
    return parsed.success ? (parsed.data as GateSaid[]) : null;
  } catch {
    return null;
  }
}
