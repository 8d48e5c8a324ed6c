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
import { withSearchLock } from './search-lock.js';

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
   * running in this tab (one at a time: a phone has one worker's worth of CPU to give), or while a
   * search of the same project runs in another tab (search-lock.ts); a refused study is not saved.
   */
  async start(study: Study, dataset: DatasetMeta): Promise<void> {
    this.claim();
    await this.exclusive(study.projectId, async () => {
      await putRecord(this.db, 'studies', study);
      await this.run(study, dataset);
    });
  }

  /** Continue a stopped or interrupted study from its recorded trials (refused as `start` is). */
  async resume(studyId: string): Promise<void> {
    this.claim();
    let found: { study: Study; dataset: DatasetMeta } | undefined;
    try {
      const study = await this.db.studies.get(studyId);
      const dataset = study && !study.deleted ? await this.db.datasets.get(study.datasetId) : undefined;
      if (study && dataset && !dataset.deleted) found = { study, dataset };
    } catch (err) {
      this.running = false;
      throw this.fail(err);
    }
    if (!found) {
      this.running = false;
      await this.db.kv.delete(ACTIVE_KEY);
      throw this.fail(new SaidError('not_found', { key: 'error.searchGone' }));
    }
    const { study, dataset } = found;
    // Read again under the lock: another tab may have run trials or finished it meanwhile.
    await this.exclusive(study.projectId, async () => {
      await this.run((await this.db.studies.get(studyId)) ?? study, dataset);
    });
  }

  /** Stop after cutting off the trial under way (it is asked again, same values, on resume). */
  stop(): void {
    this.#stopping = true;
    this.training.cancel();
  }

  /** Take the tab's one search at once, before anything is awaited, so a second tap is refused. */
  private claim(): void {
    if (this.running) throw this.fail(new SaidError('conflict', { key: 'error.searchRunning' }));
    if (this.training.running) throw this.fail(new SaidError('conflict', { key: 'error.searchTrainingRunning' }));
    this.running = true;
    this.error = '';
  }

  /** Run `fn` holding the project's search lock; refused with a sentence when another tab holds it. */
  private async exclusive(projectId: string, fn: () => Promise<void>): Promise<void> {
    let ran: boolean;
    try {
      ran = await withSearchLock(projectId, fn);
    } catch (err) {
      throw this.fail(err);
    } finally {
      this.running = false;
    }
    if (!ran) throw this.fail(new SaidError('conflict', { key: 'search.busyElsewhere' }));
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
