import type { ModelFamily, TrainParams } from '../schema/records.js';
import { tpeSuggest, type Params, type SearchParam, type TrialView } from '../search/index.js';
import type { Study, Trial } from './study.js';
import { trialViews, type Searchable } from './trials.js';

export const FAMILIES: readonly ModelFamily[] = ['network', 'linear', 'forest'];

/**
 * Which kinds of model each searchable setting belongs to: the network's learning rate, batch,
 * epochs and hidden layers; the linear model's L2 penalty; the forest's trees, depth and leaf size.
 * `family` itself (the kind of model, a choice) belongs to all.
 */
export const SETTING_FAMILIES: Record<Searchable, readonly ModelFamily[]> = {
  family: FAMILIES,
  learningRate: ['network'],
  batchSize: ['network'],
  epochs: ['network'],
  layers: ['network'],
  units: ['network'],
  l2: ['linear'],
  trees: ['forest'],
  maxDepth: ['forest'],
  minLeaf: ['forest'],
};

const isFamily = (v: unknown): v is ModelFamily => typeof v === 'string' && (FAMILIES as readonly string[]).includes(v);

/** The kind of model a trial trains: its own `family` value when the search chose one, else the base's (a network when it names none). */
export function trialFamily(base: Pick<TrainParams, 'family'>, params: Params): ModelFamily {
  return isFamily(params.family) ? params.family : (base.family ?? 'network');
}

/** The kinds of model a space can try: the family choice's options when it searches the family, else the base's one. */
export function spaceFamilies(space: readonly SearchParam[], base: Pick<TrainParams, 'family'>): ModelFamily[] {
  const f = space.find((p) => p.name === 'family');
  if (f?.kind === 'choice') return FAMILIES.filter((x) => f.choices.includes(x));
  return [base.family ?? 'network'];
}

/**
 * Whether a setting takes part in a trial whose values so far are `chosen`: a setting of another
 * kind of model is a conditional parameter that is not asked at all (Optuna's define-by-run
 * search, where a trial holds only the parameters its objective suggested). A name that is not a
 * searchable setting always applies.
 */
export function settingApplies(base: Pick<TrainParams, 'family'>, name: string, chosen: Params): boolean {
  const families = SETTING_FAMILIES[name as Searchable] as readonly ModelFamily[] | undefined;
  return !families || families.includes(trialFamily(base, chosen));
}

/**
 * The parameters of a study's trial `number` from its recorded trials: tpeSuggest with the
 * study's seed and sampler, asking only the settings of the kind of model the trial trains (the
 * space lists `family` first, so it is chosen before the settings that depend on it).
 * Deterministic: the same study and recorded trials give the same values on every device and
 * after every restart, which is what lets a study cut off midway ask its cut-off trial again.
 */
export function suggestTrial(study: Pick<Study, 'space' | 'base' | 'direction' | 'seed' | 'sampler'>, trials: Trial[], number: number): Params {
  const ordered = [...study.space].sort((a, b) => Number(b.name === 'family') - Number(a.name === 'family'));
  return tpeSuggest(ordered, trialViews(trials), number, study.direction, {
    seed: study.seed,
    nStartupTrials: study.sampler.nStartupTrials,
    nEiCandidates: study.sampler.nEiCandidates,
    applies: (p, chosen) => settingApplies(study.base, p.name, chosen),
  });
}

/**
 * The trials the median pruner compares a trial with: those of the same kind of model. A network's
 * epochs, a linear model's solver iterations and a forest's trees are different steps, so a
 * forest after 3 trees is not judged against a network after 3 epochs (an addition to Optuna,
 * whose pruner has no notion of families).
 */
export function prunerPeers(base: Pick<TrainParams, 'family'>, views: TrialView[], family: ModelFamily): TrialView[] {
  return views.filter((v) => trialFamily(base, v.params) === family);
}
