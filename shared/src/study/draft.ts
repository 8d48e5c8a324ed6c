import type { TrainParams } from '../schema/records.js';
import { spaceProblems, type SearchParam, type SpaceProblem } from '../search/space.js';
import { Study, type StudyObjective } from './study.js';
import { directionFor, unknownSettings } from './trials.js';

/**
 * Why a search cannot start, as codes the screens say in the person's language: each problem of
 * its space (shared/src/search/space.ts), a setting that is not searchable, or a budget that
 * allows nothing (no trials and no minutes, or zero of either).
 */
export type StudyProblem = SpaceProblem | { param: string; code: 'unknown_setting' } | { param: ''; code: 'no_budget' };

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

export function studyProblems(d: Pick<StudyDraft, 'space' | 'trials' | 'minutes'>): StudyProblem[] {
  const problems: StudyProblem[] = [...spaceProblems(d.space), ...unknownSettings(d.space).map((param) => ({ param, code: 'unknown_setting' as const }))];
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
