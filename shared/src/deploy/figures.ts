import type { Arm } from '../schema/deployment.js';
import type { Outcome } from '../schema/monitoring.js';
import type { Prediction } from '../schema/records.js';
import { supersedes } from '../monitor/outcomes.js';

/**
 * Figures of a deployment's arms over logged predictions and their outcomes, the same on a device
 * (its own log) and on the server (the fleet's, or one device's): per arm the cases answered,
 * failures, latency quantiles, deferrals and quality on outcomes; and for shadow cases how often
 * the two arms (or the person and the challenger) agreed.
 *
 * A case's outcome is the newest outcome recorded against any of its predictions (shadow's hidden
 * prediction has none of its own: the person records against what they saw). Quality is accuracy
 * for labels and mean absolute error for values. Latency quantiles are numpy's default (linear
 * interpolation between order statistics).
 */

export interface ArmFigures {
  arm: Arm;
  /** Versions that answered on this arm (one, unless the deployment changed). */
  versions: string[];
  predictions: number;
  errors: number;
  errorRate: number | null;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** Cases whose answer was shown (or acted on). */
  shown: number;
  /** Partial automation: cases the model was not sure of, left to a person. */
  deferred: number;
  deferralRate: number | null;
  /** Cases with an outcome, and the quality on them. */
  outcomes: number;
  accuracy: number | null;
  mae: number | null;
}

export interface Agreement {
  /** Cases answered by both. */
  cases: number;
  /** Of those, answered alike (same label; values within `tolerance`). */
  agree: number;
  rate: number | null;
}

export interface DeploymentFigures {
  champion: ArmFigures;
  challenger: ArmFigures;
  /** Shadow: champion against challenger on the same cases. */
  agreement: Agreement;
  /** The person's decision against the challenger's hidden answer (shadow with people deciding, or any level where people decide). */
  personAgreement: Agreement;
  /** People's decisions that later met a real result, and how many of those were right. */
  decisions: { count: number; withResult: number; correct: number; accuracy: number | null };
  /** Canary rows without a key (they got the champion). */
  keyMissing: number;
  /** Cases answered by a device that was behind the deployment. */
  behind: number;
}

/** numpy.quantile(xs, q) with the default linear method; null for no values. */
export function quantile(xs: readonly number[], q: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

const answerOf = (p: Prediction): string | number | null => p.output.label ?? p.output.value ?? null;

const alike = (a: string | number, b: string | number, tolerance: number) =>
  typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= tolerance : String(a) === String(b);

function agreement(pairs: [string | number, string | number][], tolerance: number): Agreement {
  const agree = pairs.filter(([a, b]) => alike(a, b, tolerance)).length;
  return { cases: pairs.length, agree, rate: pairs.length ? agree / pairs.length : null };
}

/**
 * The figures of every deployed prediction in `predictions` (others are ignored). `tolerance` is
 * how far two values may be apart and still agree (regression; 0 by default).
 */
export function deploymentFigures(predictions: readonly Prediction[], outcomes: readonly Outcome[], tolerance = 0): DeploymentFigures {
  const deployed = predictions.filter((p) => p.deployment);
  // Per case: its newest outcome of any kind (quality), its newest real result, and the person's newest decision.
  const caseOf = new Map(deployed.map((p) => [p.id, p.deployment!.caseId]));
  const caseOutcome = new Map<string, Outcome>();
  const caseTruth = new Map<string, Outcome>();
  const caseDecision = new Map<string, Outcome>();
  const keep = (m: Map<string, Outcome>, c: string, o: Outcome) => {
    const had = m.get(c);
    if (!had || supersedes(o, had)) m.set(c, o);
  };
  for (const o of outcomes) {
    const c = caseOf.get(o.predictionId);
    if (c === undefined) continue;
    keep(caseOutcome, c, o);
    keep(o.source === 'decision' ? caseDecision : caseTruth, c, o);
  }
  const arm = (which: Arm): ArmFigures => {
    const mine = deployed.filter((p) => p.deployment!.arm === which);
    const ok = mine.filter((p) => !p.error);
    const judged = ok.map((p) => ({ p, o: caseOutcome.get(p.deployment!.caseId) })).filter((x) => x.o);
    const labels = judged.filter((x) => typeof x.o!.value === 'string' && x.p.output.label !== undefined);
    const values = judged.filter((x) => typeof x.o!.value === 'number' && x.p.output.value !== undefined);
    const deferred = mine.filter((p) => p.deployment!.deferred).length;
    const partial = mine.filter((p) => p.deployment!.level === 'partial' && (p.deployment!.shown || p.deployment!.deferred)).length;
    return {
      arm: which,
      versions: [...new Set(mine.map((p) => p.modelVersionId))],
      predictions: mine.length,
      errors: mine.length - ok.length,
      errorRate: mine.length ? (mine.length - ok.length) / mine.length : null,
      latencyP50Ms: quantile(
        ok.map((p) => p.latencyMs),
        0.5,
      ),
      latencyP95Ms: quantile(
        ok.map((p) => p.latencyMs),
        0.95,
      ),
      shown: mine.filter((p) => p.deployment!.shown).length,
      deferred,
      deferralRate: partial ? deferred / partial : null,
      outcomes: judged.length,
      accuracy: labels.length ? labels.filter((x) => x.p.output.label === x.o!.value).length / labels.length : null,
      mae: values.length ? values.reduce((s, x) => s + Math.abs(x.p.output.value! - (x.o!.value as number)), 0) / values.length : null,
    };
  };
  const cases = new Map<string, Partial<Record<Arm, Prediction>>>();
  for (const p of deployed) if (!p.error) cases.set(p.deployment!.caseId, { ...(cases.get(p.deployment!.caseId) ?? {}), [p.deployment!.arm]: p });
  const pairs: [string | number, string | number][] = [];
  const personPairs: [string | number, string | number][] = [];
  for (const [caseId, c] of cases) {
    const a = c.champion && answerOf(c.champion);
    const b = c.challenger && answerOf(c.challenger);
    if (a != null && b != null && c.challenger!.deployment!.mode === 'shadow') pairs.push([a, b]);
    const d = caseDecision.get(caseId);
    if (d && b != null && !c.challenger!.deployment!.shown) personPairs.push([d.value, b]);
  }
  // People's decisions against the real result recorded for the same case.
  let withResult = 0;
  let correct = 0;
  for (const [caseId, d] of caseDecision) {
    const truth = caseTruth.get(caseId);
    if (!truth) continue;
    withResult++;
    if (alike(d.value, truth.value, tolerance)) correct++;
  }
  return {
    champion: arm('champion'),
    challenger: arm('challenger'),
    agreement: agreement(pairs, tolerance),
    personAgreement: agreement(personPairs, tolerance),
    decisions: { count: caseDecision.size, withResult, correct, accuracy: withResult ? correct / withResult : null },
    keyMissing: deployed.filter((p) => p.deployment!.keyMissing).length,
    behind: deployed.filter((p) => p.deployment!.behind).length,
  };
}

/** A case a person decided that later met its real result, with the inputs a model read for it. */
export interface DecidedCase {
  caseId: string;
  decision: string | number;
  result: string | number;
  /** The inputs of the champion's prediction (else the challenger's) for the case. */
  inputs: Prediction['inputs'];
}

/**
 * The cases people decided under a deployment whose real result arrived later: the person's
 * newest decision and the newest real result per case (the same choice as `decisions` in
 * deploymentFigures), in case order of first prediction. These are the human baseline's rows:
 * people's decisions scored against what really happened, beside the model on the same inputs.
 */
export function decidedCases(predictions: readonly Prediction[], outcomes: readonly Outcome[]): DecidedCase[] {
  const deployed = predictions.filter((p) => p.deployment);
  const caseOf = new Map(deployed.map((p) => [p.id, p.deployment!.caseId]));
  const truth = new Map<string, Outcome>();
  const decision = new Map<string, Outcome>();
  for (const o of outcomes) {
    const c = caseOf.get(o.predictionId);
    if (c === undefined) continue;
    const m = o.source === 'decision' ? decision : truth;
    const had = m.get(c);
    if (!had || supersedes(o, had)) m.set(c, o);
  }
  const inputs = new Map<string, Prediction>();
  for (const p of deployed) {
    const had = inputs.get(p.deployment!.caseId);
    if (!had || (had.deployment!.arm === 'challenger' && p.deployment!.arm === 'champion')) inputs.set(p.deployment!.caseId, p);
  }
  const out: DecidedCase[] = [];
  for (const [caseId, p] of inputs) {
    const d = decision.get(caseId);
    const t = truth.get(caseId);
    if (d && t) out.push({ caseId, decision: d.value, result: t.value, inputs: p.inputs });
  }
  return out;
}
