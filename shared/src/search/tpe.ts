// Optuna's TPESampler with the defaults of Optuna 4.x (independent per parameter, running trials
// left out; Optuna 5.0 turns on multivariate sampling and the constant liar for one objective):
// split the finished trials into a good and a bad group, fit a Parzen estimator to each, and take
// the candidate from the good one with the largest l(x) / g(x).
import { paramContains, type Params, type ParamValue, type SearchParam, type SearchSpace } from './space.js';
import { randomSuggest, trialRandom } from './random.js';
import { isComplete, type Direction, type TrialView } from './trials.js';
import { buildParzenEstimator, defaultGamma, defaultWeights, parzenLogPdf, sampleParzen, type ParzenOptions } from './parzen.js';

/**
 * TPE's settings with Optuna's defaults: 10 random start-up trials, 24 expected-improvement
 * candidates, prior weight 1, the magic clip on, endpoints off. `multivariate` (an addition; off
 * by default) fits one joint estimator over all parameters instead of one per parameter, with the
 * same bandwidths as the independent one (as Optuna 5.0; Optuna 4.x used 0.2 n^(-1/(d+4)) (high - low)).
 */
export interface TpeOptions {
  seed: number;
  nStartupTrials?: number;
  nEiCandidates?: number;
  priorWeight?: number;
  considerMagicClip?: boolean;
  considerEndpoints?: boolean;
  multivariate?: boolean;
  /**
   * Conditional parameters: whether parameter `p` is asked in this trial, given the values chosen
   * so far (parameters are chosen in the space's order). One that is not asked is absent from the
   * trial's parameters. Sampling is then independent even when `multivariate` (as Optuna falls back
   * to independent sampling outside the intersection of the trials' spaces).
   */
  applies?: (p: SearchParam, chosen: Params) => boolean;
}

// A pruned trial ranks by how far it got, then by its last report (Optuna's _get_pruned_trial_score):
// later steps first, NaN last among its step, no reports after everything.
function prunedScore(t: TrialView, direction: Direction): [number, number] {
  if (t.intermediate.length === 0) return [1, 0];
  const step = t.intermediate.length - 1;
  const v = t.intermediate[step];
  if (Number.isNaN(v)) return [-step, Infinity];
  return [-step, direction === 'minimize' ? v : -v];
}

/**
 * Optuna's _split_trials for one objective: the nBelow best complete trials (by value, ties by
 * trial number) are "below"; if there are fewer complete trials than nBelow, the best pruned ones
 * (by prunedScore) fill up; everything else is "above". Both groups come back in trial-number
 * order, which is the order default_weights assumes.
 */
export function splitTrials(finished: readonly TrialView[], nBelow: number, direction: Direction): { below: TrialView[]; above: TrialView[] } {
  const byNumber = (a: TrialView, b: TrialView) => a.number - b.number;
  const sign = direction === 'minimize' ? 1 : -1;
  const complete = finished.filter(isComplete).sort((a, b) => sign * (a.value - b.value) || a.number - b.number);
  const pruned = finished
    .filter((t) => t.state === 'pruned')
    .sort((a, b) => {
      const [sa, va] = prunedScore(a, direction);
      const [sb, vb] = prunedScore(b, direction);
      return sa - sb || (va === vb ? 0 : va < vb ? -1 : 1) || a.number - b.number;
    });
  const nComplete = Math.min(nBelow, complete.length);
  const nPruned = Math.min(Math.max(0, nBelow - nComplete), pruned.length);
  const below = [...complete.slice(0, nComplete), ...pruned.slice(0, nPruned)].sort(byNumber);
  const above = [...complete.slice(nComplete), ...pruned.slice(nPruned)].sort(byNumber);
  return { below, above };
}

function toInternal(p: SearchParam, v: ParamValue): number {
  return p.kind === 'choice' ? p.choices.indexOf(v) : (v as number);
}

function toExternal(p: SearchParam, x: number): ParamValue {
  return p.kind === 'choice' ? p.choices[x] : x;
}

// The rows of the trials that have a valid value for every parameter of `group`, in trial order;
// a trial from before the space was edited counts only for the parameters it fits.
function observationsOf(trials: readonly TrialView[], group: readonly SearchParam[]): number[][] {
  return trials.filter((t) => group.every((p) => paramContains(p, t.params[p.name]))).map((t) => group.map((p) => toInternal(p, t.params[p.name])));
}

function suggestGroup(
  group: readonly SearchParam[],
  below: readonly TrialView[],
  above: readonly TrialView[],
  rand: () => number,
  nCandidates: number,
  options: ParzenOptions,
): number[] {
  const obsBelow = observationsOf(below, group);
  const obsAbove = observationsOf(above, group);
  const l = buildParzenEstimator(group, obsBelow, defaultWeights(obsBelow.length), options);
  const g = buildParzenEstimator(group, obsAbove, defaultWeights(obsAbove.length), options);
  const candidates = sampleParzen(l, rand, nCandidates);
  let best = 0;
  let bestScore = -Infinity;
  candidates.forEach((x, i) => {
    const score = parzenLogPdf(l, x) - parzenLogPdf(g, x);
    if (score > bestScore || (i === 0 && Number.isNaN(bestScore))) {
      best = i;
      bestScore = score;
    }
  });
  return candidates[best];
}

/**
 * The parameters of trial `trialNumber` by TPE (Bergstra et al. 2011; Optuna's TPESampler with
 * its defaults). Finished trials are the complete and pruned ones other than this trial; running
 * and failed trials are left out (a NaN value counts as failed). With fewer finished trials than
 * nStartupTrials it is randomSuggest. Otherwise, with n finished trials, the gamma(n) =
 * min(ceil(0.1 n), 25) best form l(x) and the rest g(x) (splitTrials); each parameter on its own
 * (or all together when multivariate) draws nEiCandidates candidates from l and keeps the one with
 * the largest log l(x) - log g(x), the first on a tie. Deterministic: the draws come from
 * trialRandom(seed, trialNumber, 'tpe:<param>'), so the same space, finished trials, trial number
 * and seed give the same parameters, whatever order the trials are passed in. A parameter's
 * estimators are fitted to the trials in which it has a valid value only (Optuna's
 * _get_internal_repr), so a conditional parameter learns from the trials that asked it.
 */
export function tpeSuggest(space: SearchSpace, trials: TrialView[], trialNumber: number, direction: Direction, options: TpeOptions): Params {
  const nStartup = options.nStartupTrials ?? 10;
  const nCandidates = Math.max(1, options.nEiCandidates ?? 24);
  const finished = trials.filter((t) => t.number !== trialNumber && (isComplete(t) || t.state === 'pruned'));
  if (finished.length < nStartup || finished.length === 0) return randomSuggest(space, options.seed, trialNumber, options.applies);
  const parzen: ParzenOptions = {
    priorWeight: options.priorWeight ?? 1,
    considerMagicClip: options.considerMagicClip ?? true,
    considerEndpoints: options.considerEndpoints ?? false,
  };
  const { below, above } = splitTrials(finished, defaultGamma(finished.length), direction);
  const params: Params = {};
  const groups = options.multivariate && !options.applies ? [space] : space.map((p) => [p]);
  for (const group of groups) {
    if (options.applies && !options.applies(group[0], params)) continue;
    const rand = trialRandom(options.seed, trialNumber, `tpe:${group.map((p) => p.name).join('\u0000')}`);
    const x = suggestGroup(group, below, above, rand, nCandidates, parzen);
    group.forEach((p, j) => (params[p.name] = toExternal(p, x[j])));
  }
  return params;
}
