import Dexie, { type EntityTable, type Table } from 'dexie';
import type { DatasetMeta, ModelVersion, Prediction, Project, Run } from '@shared/schema/records.js';
import type { SyncTable } from '@shared/sync/protocol.js';

/** One pending change waiting to be pushed. Written in the same transaction as the change itself. */
export interface OutboxRow {
  seq?: number;
  table: SyncTable;
  id: string;
  hlc: string;
  fields: Record<string, unknown>;
}

/** Parsed dataset rows, stored in chunks so that a large file never becomes one huge record. */
export interface DatasetRowsChunk {
  datasetId: string;
  chunk: number;
  rows: Record<string, string | number | null>[];
}

/** Content-addressed bytes (model weights). `size` is the full size; `bytes` may be partial while downloading. */
export interface BlobRow {
  hash: string;
  size: number;
  bytes: ArrayBuffer;
  complete: boolean;
  /** Whether the server has the whole blob (uploads resume from the server's offset). */
  uploaded: boolean;
}

export interface KvRow {
  key: string;
  value: unknown;
}

export class OutpostDb extends Dexie {
  projects!: EntityTable<Project, 'id'>;
  datasets!: EntityTable<DatasetMeta, 'id'>;
  datasetRows!: Table<DatasetRowsChunk, [string, number]>;
  runs!: EntityTable<Run, 'id'>;
  model_versions!: EntityTable<ModelVersion, 'id'>;
  predictions!: EntityTable<Prediction, 'id'>;
  blobs!: EntityTable<BlobRow, 'hash'>;
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
  }
}
