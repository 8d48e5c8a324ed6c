import type { DatasetMeta } from '@shared/schema/records.js';
import type { Study } from '@shared/study/study.js';
import type { OutpostDb } from '../db/db.js';
import { putRecord } from '../db/mutate.js';
import type { BackendName } from '../ml/protocol.js';
import type { TrainingSession } from '../runs/training.svelte.js';
import { userMessage } from '../messages.js';
import { SaidError } from '../said-error.js';
import { holdWakeLock } from './wake-lock.js';
import { ACTIVE_KEY } from './active.js';
import { runStudy, type TrialTrainer } from './study-loop.js';

/**
 * The device's one hyperparameter search, outside any screen so that moving between tabs keeps it.
 * It asks the sampler for a trial, trains it through the app's training session (so every trial is
 * a run the person can open, compare and register), lets the median pruner stop it after any
 * epoch, and records the finished trial as an append-only record before asking for the next. A
 * page closed midway leaves the study marked running and its id in `kv`; the app resumes it when it
 * opens again, asking the trial cut off under the same number (docs/search.md).
 */
export class SearchSession {
  running = $state(false);
  studyId = $state<string | null>(null);
  /** The trial under way and the objective after each of its epochs. */
  trial = $state<{ number: number; intermediate: number[] } | null>(null);
  error = $state('');
  #stopping = false;

  constructor(
    private db: OutpostDb,
    private training: TrainingSession,
  ) {}

  /**
   * Save a new study and run it. Refused with a sentence while a training or another search is
   * running on this device (one at a time: a phone has one worker's worth of CPU to give).
   */
  async start(study: Study, dataset: DatasetMeta): Promise<void> {
    this.refuseBusy();
    await putRecord(this.db, 'studies', study);
    await this.run(study, dataset);
  }

  /** Continue a stopped or interrupted study from its recorded trials. */
  async resume(studyId: string): Promise<void> {
    this.refuseBusy();
    const study = await this.db.studies.get(studyId);
    const dataset = study && !study.deleted ? await this.db.datasets.get(study.datasetId) : undefined;
    if (!study || !dataset || dataset.deleted) {
      await this.db.kv.delete(ACTIVE_KEY);
      throw new SaidError('not_found', { key: 'error.searchGone' });
    }
    await this.run({ ...study, status: 'running' }, dataset);
  }

  /** Stop after cutting off the trial under way (it is asked again, same values, on resume). */
  stop(): void {
    this.#stopping = true;
    this.training.cancel();
  }

  private refuseBusy(): void {
    if (this.running) throw this.fail(new SaidError('conflict', { key: 'error.searchRunning' }));
    if (this.training.running) throw this.fail(new SaidError('conflict', { key: 'error.searchTrainingRunning' }));
  }

  private fail(err: unknown): unknown {
    this.error = userMessage(err);
    return err;
  }

  private async run(study: Study, dataset: DatasetMeta): Promise<void> {
    this.running = true;
    this.#stopping = false;
    this.studyId = study.id;
    this.error = '';
    const lock = holdWakeLock();
    const trainer: TrialTrainer = {
      train: (params, options) =>
        this.training
          .start(dataset, params, study.backend as BackendName, study.override ?? false, { ...options, versionId: study.datasetVersionId })
          .catch((err: unknown) => {
            this.fail(err);
            return undefined;
          })
          .then((run) => {
            if (!run && !this.error) this.error = this.training.error;
            return run;
          }),
      cancel: () => this.training.cancel(),
    };
    try {
      await this.db.kv.put({ key: ACTIVE_KEY, value: study.id });
      if (study.status !== 'running') await this.setStatus(study, 'running');
      const end = await runStudy(this.db, study, trainer, {
        stopping: () => this.#stopping,
        onProgress: (trial) => (this.trial = trial),
        now: () => Date.now(),
      });
      if (end.reason === 'error' && end.error) this.error = end.error;
      await this.setStatus(study, end.reason === 'budget' ? 'finished' : 'stopped', end.reason);
      await this.db.kv.delete(ACTIVE_KEY);
    } catch (err) {
      this.fail(err);
      await this.setStatus(study, 'stopped', 'error').catch(() => {});
      await this.db.kv.delete(ACTIVE_KEY).catch(() => {});
    } finally {
      lock.release();
      this.running = false;
      this.trial = null;
    }
  }

  private async setStatus(study: Study, status: Study['status'], stopReason?: Study['stopReason']): Promise<void> {
    const now = Date.now();
    const current = (await this.db.studies.get(study.id)) ?? study;
    await putRecord(this.db, 'studies', {
      ...current,
      status,
      ...(stopReason ? { stopReason } : {}),
      ...(status === 'running' ? {} : { finishedAt: now }),
    });
  }
}

/**
 * Resume the study this device was running when the app closed, once the interrupted run has been
 * marked failed. A study deleted, or finished elsewhere, in the meantime is let go.
 */
export async function resumeInterruptedSearch(db: OutpostDb, search: SearchSession): Promise<boolean> {
  const active = (await db.kv.get(ACTIVE_KEY))?.value;
  if (typeof active !== 'string') return false;
  const study = await db.studies.get(active);
  if (!study || study.deleted || study.status === 'finished') {
    await db.kv.delete(ACTIVE_KEY);
    return false;
  }
  await search.resume(active).catch(() => {});
  return true;
}
