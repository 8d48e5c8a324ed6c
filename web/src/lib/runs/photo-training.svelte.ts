import type { DatasetMeta, EpochMetrics, Run, TrainParams } from '@shared/schema/records.js';
import { runSplit, splitIndices } from '@shared/data/lineage.js';
import { sha256Hex } from '@shared/data/hash.js';
import type { OutpostDb } from '../db/db.js';
import { saveRun } from '../db/runs.js';
import { saveTrainedModel } from '../db/models.js';
import { failedChecks, loadVersionRows, trainingVersion } from '../db/dataset-versions.js';
import { isPhotoDataset, photoBytes } from '../db/photos.js';
import { train, type PhotoTrainRequest } from '../ml/client.js';
import type { BackendName } from '../ml/protocol.js';
import { userMessage } from '../messages.js';
import { runClasses } from './photo-params.js';
import { startedRun } from './run-record.js';
import { SaidError } from '../said-error.js';
import { sayNow } from '../i18n/speaking.js';

/**
 * Training on a photo dataset's current version, recorded as a run like any other: the version,
 * its seeded split (the same positions lineage recomputes), the settings, backend and app version;
 * the trained network is kept for registration beside the run.
 */
export class PhotoTrainingSession {
  running = $state(false);
  progress = $state(0);
  epochs = $state<EpochMetrics[]>([]);
  error = $state('');
  #cancel: (() => void) | null = null;

  constructor(private db: OutpostDb) {}

  async start(dataset: DatasetMeta, params: TrainParams, backend: BackendName = 'wasm', override = false): Promise<Run | undefined> {
    if (this.running || !isPhotoDataset(dataset)) return;
    const version = await trainingVersion(this.db, dataset.id);
    const failed = failedChecks(version);
    if (failed.length && !override) {
      // Said as for tabular training; the failed tests themselves are listed beside the version.
      this.error = sayNow({ key: 'train.failsTests', values: { count: failed.length } });
      return undefined;
    }
    this.error = '';
    this.epochs = [];
    this.progress = 0;
    this.running = true;
    let run: Run = startedRun(dataset, version, failed, $state.snapshot(params) as TrainParams);
    try {
      await saveRun(this.db, run);
      const rows = version ? await loadVersionRows(this.db, version.id) : [];
      const { column, label, side } = dataset.images;
      const split = splitIndices(rows, run.params);
      run = { ...run, split: await runSplit(rows, run.params) };
      const used = [...split.train, ...split.validation, ...split.test];
      const classes = runClasses(
        dataset.images.labels,
        used.map((i) => String(rows[i][label]).trim()),
      );
      if (classes.length < 2) throw new SaidError('dataset_invalid', { key: 'error.photoLabels' });
      const photos: PhotoTrainRequest['photos'] = [];
      let missing = 0;
      for (const [part, idx] of [
        ['train', split.train],
        ['validation', split.validation],
        ['test', split.test],
      ] as const) {
        for (const i of idx) {
          const bytes = await photoBytes(this.db, String(rows[i][column]));
          if (!bytes) missing++;
          else photos.push({ png: bytes.slice(0), label: classes.indexOf(String(rows[i][label]).trim()), part });
        }
      }
      if (missing) throw new SaidError('not_found', { key: 'error.photosNotHere', values: { count: missing } });
      const job = train(
        { type: 'train-photos', photos, classes, side, params: run.params, backend },
        { onEpoch: (e) => (this.epochs = [...this.epochs, e]), onProgress: (f) => (this.progress = f) },
      );
      this.#cancel = job.cancel;
      const result = await job.promise;
      if (result.status === 'completed')
        await saveTrainedModel(
          this.db,
          run.id,
          { artifacts: result.artifacts, weightsHash: await sha256Hex(result.weights), weightsSize: result.weights.byteLength },
          result.weights,
        );
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
      this.running = false;
      this.#cancel = null;
    }
  }

  cancel() {
    this.#cancel?.();
  }
}
