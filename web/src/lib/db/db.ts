import Dexie, { type EntityTable, type Table } from 'dexie';
import type { DatasetMeta, ModelVersion, Prediction, Project, Run } from '@shared/schema/records.js';
import type { Outcome } from '@shared/schema/monitoring.js';
import type { ModelAlias, Proposal, RegistryEvent } from '@shared/schema/registry.js';
import type { Rating, RatingStudy } from '@shared/schema/human.js';
import type { Deployment } from '@shared/schema/deployment.js';
import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import type { Label } from '@shared/labels/label.js';
import type { Study, Trial } from '@shared/study/study.js';
import type { Pipeline, PipelineRun } from '@shared/schema/pipeline-spec.js';
import type { DaySummary } from '@shared/monitor/summary.js';
import type { SyncTable } from '@shared/sync/protocol.js';

/** One pending change waiting to be pushed. Written in the same transaction as the change itself. */
export interface OutboxRow {
  seq?: number;
  table: SyncTable;
  id: string;
  hlc: string;
  fields: Record<string, unknown>;
}

/**
 * Parsed dataset rows, stored in chunks so that a large file never becomes one huge record.
 * `datasetId` holds the id of the dataset version the rows belong to; a dataset's first version has
 * the dataset's own id, so rows stored before versions existed are that version's rows.
 */
export interface DatasetRowsChunk {
  datasetId: string;
  chunk: number;
  rows: Record<string, string | number | null>[];
  /** Columns whose values are codes already (rows made here from another device's shared rows). */
  coded?: string[];
}

/**
 * What the device knows about a content-addressed blob (model weights), kept apart from the bytes
 * so that counting and listing never reads them. Both flags are strings because IndexedDB cannot
 * index booleans.
 */
export interface BlobStateRow {
  hash: string;
  /** The full size in bytes. */
  size: number;
  /** 'partial' while a download is under way; 'complete' once every byte is here and verified. */
  state: 'partial' | 'complete';
  /**
   * Whether the server has the whole blob under this device's organisation; `held`: made here and
   * kept off the server until its project lets rows sync (photos, which can show a patient).
   */
  upload: 'pending' | 'done' | 'held';
}

/** The bytes of a blob (partial while downloading), by hash. */
export interface BlobBytesRow {
  hash: string;
  bytes: ArrayBuffer;
}

/** Version 1-2 blob row (bytes and state together), read only by the version 3 upgrade. */
interface LegacyBlobRow {
  hash: string;
  size: number;
  bytes: ArrayBuffer;
  complete: boolean;
  uploaded: boolean;
}

/**
 * A day of one model version's predictions on this device, as counts kept up to date as
 * predictions are logged and outcomes recorded (shared/src/monitor/summary.ts). `dirty` is 1 until
 * the server has the latest counts (a number, as IndexedDB cannot index booleans).
 */
export interface MonitorDayRow {
  modelVersionId: string;
  day: string;
  projectId: string;
  summary: DaySummary;
  dirty: 0 | 1;
}

export interface KvRow {
  key: string;
  value: unknown;
}

export class OutpostDb extends Dexie {
  projects!: EntityTable<Project, 'id'>;
  datasets!: EntityTable<DatasetMeta, 'id'>;
  dataset_versions!: EntityTable<DatasetVersion, 'id'>;
  datasetRows!: Table<DatasetRowsChunk, [string, number]>;
  runs!: EntityTable<Run, 'id'>;
  model_versions!: EntityTable<ModelVersion, 'id'>;
  predictions!: EntityTable<Prediction, 'id'>;
  outcomes!: EntityTable<Outcome, 'id'>;
  monitorDays!: Table<MonitorDayRow, [string, string]>;
  registry_events!: EntityTable<RegistryEvent, 'id'>;
  proposals!: EntityTable<Proposal, 'id'>;
  model_aliases!: EntityTable<ModelAlias, 'id'>;
  rating_studies!: EntityTable<RatingStudy, 'id'>;
  ratings!: EntityTable<Rating, 'id'>;
  deployments!: EntityTable<Deployment, 'id'>;
  labels!: EntityTable<Label, 'id'>;
  studies!: EntityTable<Study, 'id'>;
  trials!: EntityTable<Trial, 'id'>;
  pipelines!: EntityTable<Pipeline, 'id'>;
  pipeline_runs!: EntityTable<PipelineRun, 'id'>;
  blobState!: EntityTable<BlobStateRow, 'hash'>;
  blobBytes!: EntityTable<BlobBytesRow, 'hash'>;
  outbox!: EntityTable<OutboxRow, 'seq'>;
  kv!: EntityTable<KvRow, 'key'>;

  constructor(name = 'outpost') {
    super(name);
    // Versioned migrations: never edit a released version's schema, add a new version instead.
    this.version(1).stores({
      projects: 'id, createdAt',
      datasets: 'id, projectId, createdAt',
      datasetRows: '[datasetId+chunk], datasetId',
      runs: 'id, projectId, datasetId, startedAt',
      model_versions: 'id, projectId, [projectId+modelName], stage, createdAt',
      predictions: 'id, projectId, modelVersionId, createdAt',
      blobs: 'hash, uploaded',
      outbox: '++seq, [table+id]',
      kv: 'key',
    });
    // v2: the prediction log is read newest-first per project; an index avoids sorting every row.
    this.version(2).stores({
      predictions: 'id, projectId, modelVersionId, createdAt, [projectId+createdAt]',
    });
    // v3: blob state apart from blob bytes, with string flags that can be indexed (the v1 index on a
    // boolean was always empty, so counting pending uploads read every stored model's bytes); and
    // model versions by run, for the run list's "registered as" line.
    this.version(3)
      .stores({
        blobs: null,
        blobState: 'hash, [upload+state]',
        blobBytes: 'hash',
        model_versions: 'id, projectId, [projectId+modelName], stage, createdAt, runId',
      })
      .upgrade(async (tx) => {
        // One blob at a time, so the upgrade never holds every model's bytes in memory at once.
        const old = tx.table<LegacyBlobRow, string>('blobs');
        for (const hash of await old.toCollection().primaryKeys()) {
          const b = await old.get(hash);
          if (!b) continue;
          await tx.table('blobState').put({ hash, size: b.size, state: b.complete ? 'complete' : 'partial', upload: b.uploaded ? 'done' : 'pending' });
          await tx.table('blobBytes').put({ hash, bytes: b.bytes });
        }
      });
    // v4: outcomes (the ground truth recorded after a prediction), the daily monitor counts, the
    // prediction log by model version and time (drift windows read the newest of one version), and
    // the registry's history, proposals and aliases as the server writes them.
    // Counts for predictions logged before v4 are built when the monitor first opens (monitoring.ts).
    this.version(4).stores({
      predictions: 'id, projectId, modelVersionId, createdAt, [projectId+createdAt], [modelVersionId+createdAt]',
      outcomes: 'id, predictionId, projectId, [projectId+recordedAt]',
      monitorDays: '[modelVersionId+day], projectId, dirty',
      registry_events: 'id, modelVersionId, projectId, at',
      proposals: 'id, modelVersionId, projectId, status',
      model_aliases: 'id, projectId, modelVersionId',
    });
    // v5: blind rating studies (by project) and their ratings (by study, and by study and rater for
    // "what have I rated"). Both are new tables: nothing stored before needs changing.
    this.version(5).stores({
      rating_studies: 'id, projectId, createdAt',
      ratings: 'id, studyId, [studyId+rater]',
    });
    // v6: each project's deployment as the server wrote it (one per project, its id the project's),
    // pulled and kept at its newest revision (deployments.ts). A new table: nothing stored changes.
    this.version(6).stores({
      deployments: 'id, projectId',
    });
    // v7: dataset versions (by dataset, newest by time). A new table; each dataset whose rows are
    // here becomes its first version at start (ensureFirstVersions in dataset-versions.ts), because
    // its content hash needs Web Crypto, which an upgrade transaction cannot wait for.
    this.version(7).stores({
      dataset_versions: 'id, datasetId, projectId, [datasetId+createdAt]',
    });
    // v8: labels people gave items of a dataset (docs/labels.md), by dataset and by dataset and item.
    // A new table: nothing stored changes.
    this.version(8).stores({
      labels: 'id, datasetId, [datasetId+item]',
    });
    // v9: hyperparameter searches (by project) and their finished trials (by study, in number
    // order) (docs/search.md). New tables: nothing stored changes.
    this.version(9).stores({
      studies: 'id, projectId, createdAt',
      trials: 'id, studyId, [studyId+number]',
    });
    // v10: each project's declared training pipeline (docs/pipelines.md), and its runs by project,
    // newest by time, and by the cache keys of the steps they did (where a later run finds what it
    // can reuse). New tables, kept on this device only: nothing stored changes.
    this.version(10).stores({
      pipelines: 'id, projectId',
      pipeline_runs: 'id, projectId, [projectId+startedAt], *cacheKeys',
    });
  }
}
