// What the search core reads of a trial: its state, its parameters, its value and what it reported
// after each step. Storage and sync keep richer records; they hand this view in.
import type { Params } from './space.js';

export type TrialState = 'complete' | 'pruned' | 'failed' | 'running';
export type Direction = 'minimize' | 'maximize';

/** One trial as the sampler and pruner see it; `intermediate[i]` is the value reported after step (epoch) i. */
export interface TrialView {
  number: number;
  state: TrialState;
  params: Params;
  value?: number;
  intermediate: number[];
}

/**
 * Whether a trial counts as complete: state 'complete' with a value that is a number other than
 * NaN. Optuna records a NaN objective as a failed trial, so a NaN here is treated the same way.
 */
export function isComplete(t: TrialView): t is TrialView & { value: number } {
  return t.state === 'complete' && typeof t.value === 'number' && !Number.isNaN(t.value);
}

/**
 * The best complete trial (Optuna's study.best_trial): lowest value when minimising, highest when
 * maximising, the lower trial number on a tie; undefined when no trial is complete.
 */
export function bestTrial(trials: TrialView[], direction: Direction): TrialView | undefined {
  let best: (TrialView & { value: number }) | undefined;
  for (const t of trials) {
    if (!isComplete(t)) continue;
    if (best === undefined) {
      best = t;
      continue;
    }
    const better = direction === 'minimize' ? t.value < best.value : t.value > best.value;
    if (better || (t.value === best.value && t.number < best.number)) best = t;
  }
  return best;
}
