import type { EpochMetrics, Run, TrainParams } from '@shared/schema/records.js';
import { medianShouldPrune } from '@shared/search/index.js';
import { prunerPeers, suggestTrial, trialFamily } from '@shared/study/families.js';
import { type Study, type Trial, trialId } from '@shared/study/study.js';
import { budgetSpent, nextTrialNumber, objectiveAt, trialParams, trialViews } from '@shared/study/trials.js';
import type { OutpostDb } from '../db/db.js';
import { putRecord } from '../db/mutate.js';

/** Trials in a row that could not run before the search stops (a systemic failure, not bad luck). */
export const MAX_FAILED_IN_A_ROW = 3;

/**
 * What trains one trial: the app's training session (every trial a run the person can open,
 * compare and register). `train` resolves with the finished run, or undefined when the training
 * was refused before a run was recorded; `cancel` ends the training under way.
 */
export interface TrialTrainer {
  train(params: TrainParams, options: { onEpoch: (epochs: EpochMetrics[]) => void; search: { studyId: string; trial: number } }): Promise<Run | undefined>;
  cancel(): void;
}

export interface LoopControl {
  /** True once the person asked to stop (the trial under way is cut off and not recorded). */
  stopping(): boolean;
  /** The trial under way and the objective after each of its epochs so far. */
  onProgress?(trial: { number: number; intermediate: number[] }): void;
  now(): number;
}

export type LoopEnd = { reason: 'budget' | 'person' } | { reason: 'error'; error?: string };

/**
 * Run a study until its budget is spent, the person stops it, or trials cannot run: ask the
 * sampler for the next trial (tpeSuggest, deterministic in the study's seed and recorded trials),
 * train it, let the median pruner cut it off after any epoch (judged against trials of the same kind
 * of model), and record it as an append-only
 * `trials` record before asking for the next. The recorded trials are read again before each
 * trial, so a study resumed after the page closed continues from exactly what was written.
 */
export async function runStudy(db: OutpostDb, study: Study, trainer: TrialTrainer, control: LoopControl): Promise<LoopEnd> {
  let failedInARow = 0;
  for (;;) {
    // Deleted meanwhile (here with its project, or on another device): stop, recording nothing more.
    if ((await db.studies.get(study.id))?.deleted) return { reason: 'person' };
    const trials = await db.trials.where('studyId').equals(study.id).toArray();
    if (budgetSpent(study, trials)) return { reason: 'budget' };
    const trial = await runTrial(db, study, trials, trainer, control);
    if (control.stopping()) return { reason: 'person' };
    if (!trial) return { reason: 'error' };
    failedInARow = trial.state === 'failed' ? failedInARow + 1 : 0;
    if (failedInARow >= MAX_FAILED_IN_A_ROW) return { reason: 'error', error: trial.error };
  }
}

async function runTrial(db: OutpostDb, study: Study, trials: Trial[], trainer: TrialTrainer, control: LoopControl): Promise<Trial | undefined> {
  const views = trialViews(trials);
  const number = nextTrialNumber(trials);
  const params = suggestTrial(study, trials, number);
  const peers = prunerPeers(study.base, views, trialFamily(study.base, params));
  control.onProgress?.({ number, intermediate: [] });
  let pruned = false;
  const startedAt = control.now();
  const onEpoch = (epochs: EpochMetrics[]) => {
    const intermediate = epochs.map((e) => objectiveAt(e, study.objective));
    control.onProgress?.({ number, intermediate });
    if (study.pruner.kind !== 'median' || pruned) return;
    const { nStartupTrials, nWarmupSteps, intervalSteps } = study.pruner;
    if (medianShouldPrune(peers, { number, intermediate }, study.direction, { nStartupTrials, nWarmupSteps, intervalSteps })) {
      pruned = true;
      trainer.cancel();
    }
  };
  const run = await trainer.train(trialParams(study.base, params), { onEpoch, search: { studyId: study.id, trial: number } });
  if (!run) return undefined;
  // Cut off by the person: not a result; the same trial is asked again when the search continues.
  if (control.stopping() && !pruned) return undefined;
  const intermediate = run.epochs.map((e) => objectiveAt(e, study.objective));
  const last = intermediate.at(-1);
  const complete = !pruned && run.status === 'completed' && last !== undefined && Number.isFinite(last);
  const state: Trial['state'] = pruned ? 'pruned' : complete ? 'complete' : 'failed';
  const finishedAt = control.now();
  const trial: Trial = {
    id: trialId(study.id, number),
    studyId: study.id,
    projectId: study.projectId,
    number,
    state,
    params,
    ...(complete ? { value: last } : {}),
    intermediate: intermediate.map((v) => (Number.isFinite(v) ? v : null)),
    runId: run.id,
    ...(state === 'failed' ? { error: (run.error ?? '').slice(0, 500) } : {}),
    startedAt,
    finishedAt,
    durationMs: Math.max(0, finishedAt - startedAt),
    epochs: run.epochs.length,
  };
  await putRecord(db, 'trials', trial);
  return trial;
}
