import type { ColumnInfo, DatasetMeta, EpochMetrics, Run, TrainParams } from '@shared/schema/records.js';
import { loadRows } from '../db/datasets.js';
import { failedChecks, loadVersionRows, trainingVersion } from '../db/dataset-versions.js';
import { runSplit } from '@shared/data/lineage.js';
import type { OutpostDb } from '../db/db.js';
import { saveRun } from '../db/runs.js';
import { train } from '../ml/client.js';
import { keepTrainedModel } from './keep-model.js';
import { holdOutTest } from '@shared/data/split.js';
import type { EvaluationReport } from '@shared/metrics/evaluation-schema.js';
import type { BackendName } from '../ml/protocol.js';
import { userMessage } from '../messages.js';
import { SaidError } from '../said-error.js';
import { sayNow } from '../i18n/speaking.js';
import { refusePersonalTraining } from './personal.js';
import { holdRunLock } from './run-lock.js';
import { startedRun } from './run-record.js';
import type { TrainInit } from '../ml/protocol.js';
import type { FeaturePipeline } from '@shared/schema/pipeline.js';
import { deleteCheckpoint, getCheckpoint, saveCheckpoint } from './checkpoint.js';

/** What a caller other than the Train button (a search's trial) adds to a training. */
export interface TrainOptions {
  /** Train on this dataset version (a search's trials all use the one it started on), not the current one. */
  versionId?: string;
  /** After each epoch, with every epoch so far (a search's pruner reads them and may cancel). */
  onEpoch?: (epochs: EpochMetrics[]) => void;
  /** The search and trial the run belongs to, recorded on the run. */
  search?: { studyId: string; trial: number };
  /** "Run again": the run this one reproduces, recorded on the run. */
  rerunOf?: string;
  /** "Train more on newer data": the version (and its run) whose weights and pipeline it starts from (runs/fine-tune.ts). */
  fineTune?: { fromVersionId: string; fromRunId?: string; init: TrainInit; pipeline: FeaturePipeline };
}

const fineTuneOf = ({ fromVersionId, fromRunId }: NonNullable<TrainOptions['fineTune']>): NonNullable<Run['fineTune']> => ({
  fromVersionId,
  ...(fromRunId ? { fromRunId } : {}),
});

/** How often a running training saves its epoch so it can carry on after the page closes. */
const CHECKPOINT_EVERY_MS = 3000;

/**
 * One training at a time on this device, kept outside any screen so that moving between tabs
 * does not lose it. The run is recorded when it starts (so a crash leaves a trace) and again
 * when it ends, with everything needed to reproduce it.
 */
export class TrainingSession {
  running = $state(false);
  progress = $state(0);
  epochs = $state<EpochMetrics[]>([]);
  runId = $state<string | null>(null);
  error = $state('');
  #cancel: (() => void) | null = null;

  constructor(private db: OutpostDb) {}

  /**
   * Train on the dataset's current version. A version that fails its data tests is refused (with
   * the sentence of each failing test) unless `override` is set, and the run then records it.
   * Learning from a column marked personal (on this dataset or any of the project's, as the
   * prediction log reads marks) is refused outright: the OutpostError `personal_column` is thrown,
   * its sentence shown as the session's error, and no run is recorded.
   */
  async start(
    dataset: DatasetMeta,
    params: TrainParams,
    backend: BackendName = 'wasm',
    override = false,
    options: TrainOptions = {},
  ): Promise<Run | undefined> {
    if (this.running) return;
    try {
      await refusePersonalTraining(this.db, dataset, params);
    } catch (err) {
      this.error = userMessage(err);
      throw err;
    }
    const version = options.versionId ? await this.db.dataset_versions.get(options.versionId) : await trainingVersion(this.db, dataset.id);
    if (options.versionId && !version) {
      const err = new SaidError('not_found', { key: 'error.trainVersionGone' });
      this.error = userMessage(err);
      throw err;
    }
    const failed = failedChecks(version);
    if (failed.length && !override) {
      this.error = sayNow({ key: 'train.failsTests', values: { count: failed.length } });
      return undefined;
    }
    return this.#train(
      {
        ...startedRun(dataset, version, failed, $state.snapshot(params) as TrainParams),
        ...(options.search ? { search: options.search } : {}),
        ...(options.rerunOf ? { rerunOf: options.rerunOf } : {}),
        ...(options.fineTune ? { fineTune: fineTuneOf(options.fineTune) } : {}),
      },
      dataset,
      backend,
      options,
    );
  }

  /**
   * "Carry on": continue a run cut off on this device from its checkpoint, under the same run id.
   * The epochs done are kept, `resumed` records where it carried on, and it finishes as any run
   * does. Refused with a sentence when the run, its checkpoint or its dataset is gone.
   */
  async carryOn(runId: string, backend: BackendName = 'wasm'): Promise<Run | undefined> {
    if (this.running) return;
    const run = await this.db.runs.get(runId);
    const checkpoint = await getCheckpoint(this.db, runId);
    const dataset = run ? await this.db.datasets.get(run.datasetId) : undefined;
    if (!run || run.status !== 'running' || !checkpoint || !dataset || dataset.deleted) {
      const err = new SaidError('not_found', { key: 'resume.gone' });
      this.error = userMessage(err);
      throw err;
    }
    const fromEpoch = checkpoint.epochs.length;
    return this.#train(
      { ...run, epochs: checkpoint.epochs, resumed: [...(run.resumed ?? []), { fromEpoch, at: Date.now() }] },
      dataset,
      backend,
      {},
      {
        weightSpecs: checkpoint.weightSpecs,
        weights: checkpoint.weights,
        optimizer: checkpoint.optimizer,
        epochs: checkpoint.epochs,
        elapsedMs: checkpoint.elapsedMs,
      },
      checkpoint.pipeline,
    );
  }

  /** Train a run recorded as running: on its dataset version's rows, from `init` when given, saving checkpoints as it goes. */
  async #train(
    started: Run,
    dataset: DatasetMeta,
    backend: BackendName,
    options: TrainOptions,
    resumeInit?: TrainInit,
    resumePipeline?: FeaturePipeline,
  ): Promise<Run> {
    let run = started;
    this.error = '';
    this.epochs = [...run.epochs];
    this.progress = run.epochs.length / Math.max(1, run.params.epochs);
    this.running = true;
    this.runId = run.id;
    const init = resumeInit ?? options.fineTune?.init;
    const pipeline = resumePipeline ?? options.fineTune?.pipeline;
    // A search asks a cut-off trial again itself, and a forest or a linear fit has no epochs worth saving.
    const checkpoints = !run.search && (run.params.family ?? 'network') === 'network';
    let saving: Promise<void> = Promise.resolve();
    // Held before the run is stored as running, so no other tab's start-up takes it for cut off.
    const freeLock = await holdRunLock(run.id);
    try {
      await saveRun(this.db, run);
      const all = run.datasetVersionId ? await loadVersionRows(this.db, run.datasetVersionId) : await loadRows(this.db, dataset.id);
      if (all.length === 0) throw new SaidError('not_found', { key: 'error.trainRowsNotHere' });
      run = { ...run, split: await runSplit(all, run.params) };
      // The test rows are held apart first: training and validation never see them.
      const held = holdOutTest(all, run.params);
      const rows = held.rest as typeof all;
      const test = held.test as typeof all;
      const columns: ColumnInfo[] = $state.snapshot(dataset.columns) as ColumnInfo[];
      let evaluation: EvaluationReport | undefined;
      // A project that asks for smaller downloads gets its weights made smaller as they are saved.
      const quantization = (await this.db.projects.get(dataset.projectId))?.quantization ?? undefined;
      const job = train(
        {
          rows,
          params: run.params,
          columns,
          backend,
          quantization,
          ...(init ? { init } : {}),
          ...(pipeline ? { pipeline } : {}),
          ...(checkpoints ? { checkpointEveryMs: CHECKPOINT_EVERY_MS } : {}),
        },
        {
          onEpoch: (e) => {
            this.epochs = [...this.epochs, e];
            options.onEpoch?.(this.epochs);
          },
          onProgress: (f) => (this.progress = f),
          // One write at a time, in order; a failed write only loses the chance to carry on.
          onCheckpoint: (c) => (saving = saving.then(() => saveCheckpoint(this.db, run.id, c)).catch(() => {})),
        },
      );
      this.#cancel = job.cancel;
      const result = await job.promise;
      if (result.status === 'completed') evaluation = await keepTrainedModel(this.db, run.id, run.params, rows, test, result);
      run = {
        ...run,
        status: result.status,
        epochs: result.epochs,
        metrics: result.metrics,
        pipeline: result.pipeline,
        backend: result.backend,
        trainRows: result.trainRows,
        validationRows: result.validationRows,
        durationMs: result.durationMs,
        ...(evaluation ? { evaluation, testRows: test.length } : {}),
        finishedAt: Date.now(),
      };
      await saveRun(this.db, run);
      return run;
    } catch (err) {
      this.error = userMessage(err);
      run = { ...run, status: 'failed', error: this.error, finishedAt: Date.now() };
      await saveRun(this.db, run).catch(() => {});
      return run;
    } finally {
      // The run has ended one way or another here: its checkpoint is of no more use.
      await saving;
      await deleteCheckpoint(this.db, run.id).catch(() => {});
      freeLock();
      this.running = false;
      this.#cancel = null;
    }
  }

  cancel() {
    this.#cancel?.();
  }
}
