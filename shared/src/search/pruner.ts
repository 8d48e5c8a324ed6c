// Optuna's MedianPruner (PercentilePruner at 50): stop a trial whose best report so far is worse
// than the median of what the complete trials reported at the same step.
import { isComplete, type Direction, type TrialView } from './trials.js';

/** The median pruner's settings with Optuna's defaults: 5 start-up trials, no warm-up, every step, 1 trial at the step. */
export interface MedianPrunerOptions {
  nStartupTrials?: number;
  nWarmupSteps?: number;
  intervalSteps?: number;
  nMinTrials?: number;
}

/**
 * numpy's nanpercentile with linear interpolation: NaNs dropped, the q-th percentile of the rest
 * at rank q/100 * (n - 1) between the two nearest sorted values; NaN when nothing is left.
 */
export function nanPercentile(values: readonly number[], q: number): number {
  const xs = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (xs.length === 0) return NaN;
  const rank = (q / 100) * (xs.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  if (lo === hi) return xs[lo];
  return xs[lo] + (xs[hi] - xs[lo]) * (rank - lo);
}

/**
 * Whether the median pruner stops `current` now, as Optuna's PercentilePruner(50).prune. Not
 * while fewer than nStartupTrials trials are complete (nor with none), before any report, at a
 * step below nWarmupSteps, or when this step is not the first report in its interval (steps
 * nWarmupSteps + k * intervalSteps). Otherwise its best report so far (lowest when minimising,
 * NaNs ignored; a trial that reported only NaN is pruned) is compared with the 50th percentile
 * (nanpercentile, linear) of the complete trials' reports at its latest step; with fewer than
 * nMinTrials of those reports it is not pruned; it is pruned when strictly worse than the median.
 * When maximising the percentile is 100 - 50, the same median.
 */
export function medianShouldPrune(
  trials: TrialView[],
  current: { number: number; intermediate: number[] },
  direction: Direction,
  options: MedianPrunerOptions = {},
): boolean {
  const nStartup = options.nStartupTrials ?? 5;
  const warmup = options.nWarmupSteps ?? 0;
  const interval = Math.max(1, options.intervalSteps ?? 1);
  const nMin = Math.max(1, options.nMinTrials ?? 1);
  const complete = trials.filter((t) => isComplete(t) && t.number !== current.number);
  if (complete.length === 0 || complete.length < nStartup) return false;
  const step = current.intermediate.length - 1;
  if (step < 0 || step < warmup) return false;
  // Reports are one per step here, so "the first report in this interval" means the step is
  // itself a pruning step (Optuna's _is_first_in_interval_step with consecutive steps).
  const nearestPruningStep = Math.floor((step - warmup) / interval) * interval + warmup;
  if (step - 1 >= nearestPruningStep) return false;
  const finite = current.intermediate.filter((v) => !Number.isNaN(v));
  if (finite.length === 0) return true;
  const best = direction === 'minimize' ? Math.min(...finite) : Math.max(...finite);
  const atStep = complete.filter((t) => t.intermediate.length > step).map((t) => t.intermediate[step]);
  if (atStep.length < nMin) return false;
  const median = nanPercentile(atStep, direction === 'maximize' ? 100 - 50 : 50);
  if (Number.isNaN(median)) return false;
  return direction === 'maximize' ? best < median : best > median;
}
