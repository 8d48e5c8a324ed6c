import type { Arm, AutomationLevel, Deployment, PredictionDeployment } from '../schema/deployment.js';
import type { PredictionOutput } from '../schema/records.js';
import { canaryArm } from './assign.js';

type Row = Record<string, unknown>;

/** One model run of a case: which arm, which version, and whether its answer is the one that counts. */
export interface PlannedRun {
  arm: Arm;
  versionId: string;
  /** The answer the case is decided with (before the level of automation applies). */
  primary: boolean;
}

/** What a deployment asks for one case on one device. */
export interface CasePlan {
  /** Versions to run: the primary one first, then a shadow's hidden one. Empty: people decide alone. */
  runs: PlannedRun[];
  level: AutomationLevel;
  /** Canary: the row had no key, so it got the champion. */
  keyMissing: boolean;
  /** A version the deployment names is not on this device yet; it answered with what it has. */
  behind: boolean;
}

/**
 * What one case runs under a deployment, on a device that holds some versions' weights
 * (`has(versionId)`) and last served `fallback`:
 * - single and blue-green: the champion answers (blue-green's other colour is only kept ready);
 * - shadow: the champion answers and the challenger runs hidden beside it; with no champion,
 *   people decide and only the challenger runs (hidden);
 * - canary: the arm of the subject's key (assign.ts) answers; a row without a key gets the champion.
 * A version not on the device yet is replaced by `fallback` (the last version this device served)
 * and the case is marked `behind`; a hidden shadow run that cannot happen is left out. With
 * nothing to run, people decide. The server plans with `has` always true.
 */
export async function planCase(d: Deployment, row: Row, has: (versionId: string) => boolean, fallback: string | null = null): Promise<CasePlan> {
  const s = d.state;
  let behind = false;
  let keyMissing = false;
  let primaryArm: Arm | null = s.champion ? 'champion' : null;
  if (s.mode === 'canary') {
    const a = await canaryArm(d.projectId, s, row);
    primaryArm = a.arm;
    keyMissing = a.keyMissing;
  }
  const runs: PlannedRun[] = [];
  if (primaryArm) {
    const wanted = primaryArm === 'champion' ? s.champion : s.challenger;
    if (wanted && has(wanted)) runs.push({ arm: primaryArm, versionId: wanted, primary: true });
    else {
      behind = true;
      // The last served version answers as the champion arm: it is what this device trusted last.
      if (fallback && has(fallback)) runs.push({ arm: 'champion', versionId: fallback, primary: true });
    }
  }
  if (s.mode === 'shadow' && s.challenger) {
    if (has(s.challenger)) runs.push({ arm: 'challenger', versionId: s.challenger, primary: false });
    else behind = true;
  }
  return { runs, level: runs.some((r) => r.primary) ? s.level : 'human', keyMissing, behind };
}

/** The top class probability of an answer (null for a value or a failed prediction). */
export function topProbability(output: PredictionOutput): number | null {
  const ps = Object.values(output.probabilities ?? {});
  return ps.length ? Math.max(...ps) : null;
}

/** What the level of automation makes of the primary answer of a case. */
export interface LevelOutcome {
  /** The person sees the model's answer (as the decision, or as a suggestion when they decide). */
  shown: boolean;
  /** A person decides this case (and their decision is recorded). */
  personDecides: boolean;
  /** Partial automation: the model was not sure enough. */
  deferred: boolean;
}

/**
 * The level of automation applied to the primary answer: human only hides it and the person
 * decides; assistance shows it as a suggestion and the person decides; partial automation lets
 * the model decide when its top probability is at least `confidence`, else defers the case to the
 * person (hidden, so an unsure answer does not anchor them; a value, which has no probability,
 * is always deferred); full automation lets the model decide. A failed answer leaves the person to
 * decide at every level.
 */
export function applyLevel(level: AutomationLevel, confidence: number | undefined, output: PredictionOutput | null): LevelOutcome {
  const failed = !output || (output.label === undefined && output.value === undefined);
  if (failed) return { shown: false, personDecides: true, deferred: level === 'partial' };
  switch (level) {
    case 'human':
      return { shown: false, personDecides: true, deferred: false };
    case 'assist':
      return { shown: true, personDecides: true, deferred: false };
    case 'partial': {
      const top = topProbability(output);
      const sure = top !== null && top >= (confidence ?? 1);
      return { shown: sure, personDecides: !sure, deferred: !sure };
    }
    case 'full':
      return { shown: true, personDecides: false, deferred: false };
  }
}

/** The `deployment` field a prediction of this run logs. */
export function predictionDeployment(d: Deployment, plan: CasePlan, run: PlannedRun, caseId: string, level: LevelOutcome | null): PredictionDeployment {
  const out: PredictionDeployment = {
    revision: d.revision,
    mode: d.state.mode,
    level: plan.level,
    arm: run.arm,
    caseId,
    shown: run.primary && !!level?.shown,
  };
  if (run.primary && level?.deferred) out.deferred = true;
  if (plan.behind) out.behind = true;
  if (plan.keyMissing) out.keyMissing = true;
  return out;
}
