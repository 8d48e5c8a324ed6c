import type { ColumnInfo, DatasetMeta } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';
import { newId, putRecord } from './mutate.js';

export type Row = Record<string, string | number | null>;
const CHUNK_ROWS = 5000;

export interface ImportInput {
  projectId: string;
  name: string;
  fileName: string;
  hash: string;
  rows: Row[];
  columns: ColumnInfo[];
  target?: string;
}

/**
 * Store a parsed dataset: metadata (synced) and rows (device only, chunked) in one transaction,
 * so a failed import (e.g. storage full) leaves nothing half-written.
 */
export async function importDataset(db: OutpostDb, input: ImportInput, now = Date.now()): Promise<DatasetMeta> {
  const meta: DatasetMeta = {
    id: newId(),
    projectId: input.projectId,
    name: input.name,
    fileName: input.fileName,
    hash: input.hash,
    rowCount: input.rows.length,
    columns: input.columns,
    target: input.target,
    createdAt: now,
  };
  await db.transaction('rw', [db.datasets, db.datasetRows, db.outbox, db.kv], async () => {
    for (let c = 0; c * CHUNK_ROWS < input.rows.length; c++) {
      await db.datasetRows.put({ datasetId: meta.id, chunk: c, rows: input.rows.slice(c * CHUNK_ROWS, (c + 1) * CHUNK_ROWS) });
    }
    await putRecord(db, 'datasets', meta, now);
  });
  return meta;
}

/** A project's datasets, newest first. */
export async function projectDatasets(db: OutpostDb, projectId: string): Promise<DatasetMeta[]> {
  return db.datasets.where('projectId').equals(projectId).reverse().sortBy('createdAt');
}

export async function loadRows(db: OutpostDb, datasetId: string): Promise<Row[]> {
  const chunks = await db.datasetRows.where('datasetId').equals(datasetId).sortBy('chunk');
  return chunks.flatMap((c) => c.rows);
}
