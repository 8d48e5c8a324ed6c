import type { DeploymentState } from '../schema/deployment.js';
import type { MonitorState } from '../monitor/states.js';

/**
 * The changes a deployment makes besides a person's free edit, each a pure function of the
 * current state, so the console, the rules on the server and the tests compute the same next
 * state. Each returns null when it does not apply to the state.
 */

/** The canary's next step on its ramp (null at the last step or outside canary mode). */
export function advanced(s: DeploymentState, now: number): DeploymentState | null {
  if (s.mode !== 'canary' || !s.canary || s.canary.step + 1 >= s.canary.ramp.length) return null;
  return { ...s, canary: { ...s.canary, step: s.canary.step + 1, stepSince: now } };
}

/** Blue-green's switch, and its switch back: the two colours change places in one change. */
export function switched(s: DeploymentState): DeploymentState | null {
  if (s.mode !== 'blue_green' || !s.champion || !s.challenger) return null;
  return { ...s, champion: s.challenger, challenger: s.champion };
}

/** A canary stopped: the champion answers everyone again (the challenger is named in the history). */
export function rolledBack(s: DeploymentState): DeploymentState | null {
  if (s.mode !== 'canary' || !s.champion) return null;
  return { mode: 'single', champion: s.champion, challenger: null, level: s.level, ...(s.confidence !== undefined ? { confidence: s.confidence } : {}) };
}

/** What the challenger's monitors say, as the rules read it. */
export interface ChallengerHealth {
  /** The challenger's monitor states (fleet-wide counts). */
  states: readonly Pick<MonitorState, 'key' | 'state' | 'title' | 'detail'>[];
  /** Whether drift was found, by the fleet's bins or by any device's own test. */
  drifted: boolean;
  /** Predictions the challenger answered since the canary reached its step. */
  predictionsAtStep: number;
}

/**
 * Why a canary must stop, or null: the first of its `rollbackOn` monitors that is in alert for the
 * challenger (drift: found on the fleet's bins or by a device), as a sentence for the history.
 */
export function rollbackReason(s: DeploymentState, h: ChallengerHealth): string | null {
  if (s.mode !== 'canary' || !s.canary) return null;
  for (const key of s.canary.rollbackOn) {
    if (key === 'drift') {
      if (h.drifted) return 'Rolled back automatically: the new version’s inputs drifted from its training data.';
      continue;
    }
    const m = h.states.find((x) => x.key === key && x.state === 'alert');
    if (m) return `Rolled back automatically: ${m.title.toLowerCase()} is in alert for the new version (${m.detail})`.slice(0, 1000);
  }
  return null;
}

/** Whether the canary's rules move it to the next step now: enough answers and hours, no alert. */
export function advanceDue(s: DeploymentState, h: ChallengerHealth, now: number): boolean {
  const c = s.canary;
  if (s.mode !== 'canary' || !c?.advance || c.step + 1 >= c.ramp.length) return false;
  if (rollbackReason(s, h)) return false;
  return h.predictionsAtStep >= c.advance.minPredictions && now - c.stepSince >= c.advance.minHours * 3_600_000;
}
