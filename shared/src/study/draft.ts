import type { TrainParams } from '../schema/records.js';
import { spaceProblems, type SearchParam, type SpaceProblem } from '../search/space.js';
import { Study, type StudyObjective } from './study.js';
import { directionFor, SETTING_LIMITS, unknownSettings, type Searchable } from './trials.js';
import { FAMILIES, SETTING_FAMILIES, spaceFamilies } from './families.js';

/**
 * Why a search cannot start, as codes the screens say in the person's language: each problem of
 * its space (shared/src/search/space.ts), a setting that is not searchable, a kind of model that
 * is not one (`not_a_family`), a setting of a kind of model the search never trains
 * (`not_for_family`: the forest's trees when only networks are tried), a range reaching past what
 * the setting allows (`out_of_limits`, with the limits), or a budget that allows nothing (no
 * trials and no minutes, or zero of either).
 */
export type StudyProblem =
  | SpaceProblem
  | { param: string; code: 'unknown_setting' | 'not_a_family' | 'not_for_family' }
  | { param: string; code: 'out_of_limits'; low: number; high: number }
  | { param: ''; code: 'no_budget' };

export interface StudyDraft {
  id: string;
  projectId: string;
  datasetId: string;
  datasetVersionId?: string;
  base: TrainParams;
  space: SearchParam[];
  objective: StudyObjective;
  /** A budget of trials, of minutes, or both (the search stops at whichever comes first). */
  trials?: number;
  minutes?: number;
  seed: number;
  /** Stop trials that do worse than the median of finished ones at the same epoch. */
  pruneEarly: boolean;
  backend: string;
  override?: boolean;
  now: number;
}

export function studyProblems(d: Pick<StudyDraft, 'space' | 'trials' | 'minutes'> & { base?: Pick<TrainParams, 'family'> }): StudyProblem[] {
  const problems: StudyProblem[] = [...spaceProblems(d.space), ...unknownSettings(d.space).map((param) => ({ param, code: 'unknown_setting' as const }))];
  const base = d.base ?? {};
  const families = spaceFamilies(d.space, base);
  for (const p of d.space) {
    if (p.name === 'family') {
      if (p.kind !== 'choice' || p.choices.some((c) => !(FAMILIES as readonly (string | number)[]).includes(c)))
        problems.push({ param: p.name, code: 'not_a_family' });
      continue;
    }
    const limits = SETTING_LIMITS[p.name as keyof typeof SETTING_LIMITS] as (typeof SETTING_LIMITS)[keyof typeof SETTING_LIMITS] | undefined;
    if (!limits) continue;
    if (!families.some((f) => SETTING_FAMILIES[p.name as Searchable].includes(f))) problems.push({ param: p.name, code: 'not_for_family' });
    // Every point of the range must be one a trial can train (a learning rate above 0, at most 8 layers).
    const values = p.kind === 'choice' ? p.choices : [p.low, p.high];
    if (values.some((v) => typeof v !== 'number' || v < limits.low || v > limits.high))
      problems.push({ param: p.name, code: 'out_of_limits', low: limits.low, high: limits.high });
  }
  const trials = d.trials ?? 0;
  const minutes = d.minutes ?? 0;
  if (!(trials >= 1) && !(minutes >= 1)) problems.push({ param: '', code: 'no_budget' });
  return problems;
}

/**
 * A study ready to save, with Optuna's defaults: a TPE sampler with 10 random start-up trials and
 * 24 expected-improvement candidates, and (when `pruneEarly`) a median pruner with 5 start-up
 * trials, no warm-up steps, checked every epoch (../shared/notes/monitoring.md). Throws a zod error
 * for a draft that studyProblems would have refused.
 */
export function newStudy(d: StudyDraft): Study {
  return Study.parse({
    id: d.id,
    projectId: d.projectId,
    datasetId: d.datasetId,
    ...(d.datasetVersionId ? { datasetVersionId: d.datasetVersionId } : {}),
    name: '',
    base: d.base,
    space: d.space,
    objective: d.objective,
    direction: directionFor(d.objective, d.base.task),
    budget: { ...(d.trials ? { trials: d.trials } : {}), ...(d.minutes ? { minutes: d.minutes } : {}) },
    seed: d.seed,
    sampler: { kind: 'tpe', nStartupTrials: 10, nEiCandidates: 24 },
    pruner: { kind: d.pruneEarly ? 'median' : 'none', nStartupTrials: 5, nWarmupSteps: 0, intervalSteps: 1 },
    backend: d.backend,
    ...(d.override ? { override: true } : {}),
    status: 'running',
    createdAt: d.now,
  });
}
