import type { ColumnInfo, DatasetMeta } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import { createDataset, ensureFirstVersions, loadVersionRows } from './dataset-versions.js';

export type Row = Record<string, string | number | null>;

export interface ImportInput {
  projectId: string;
  name: string;
  fileName: string;
  hash: string;
  rows: Row[];
  columns: ColumnInfo[];
  target?: string;
  /** Columns marked personal at import, and what syncing does with them. */
  personal?: Record<string, 'never' | 'hash'>;
  /** How the file was read (format, encoding, separator). */
  source?: DatasetMeta['source'];
}

/**
 * Store a parsed dataset: metadata (synced), its first version (synced) and rows (device only,
 * chunked, unless the project lets rows sync) in one transaction, so a failed import (e.g. storage
 * full) leaves nothing half-written.
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
    ...(input.personal && Object.keys(input.personal).length ? { personal: input.personal } : {}),
    ...(input.source ? { source: input.source } : {}),
  };
  const version = await createDataset(db, meta, input.rows, input.columns, now);
  return (await db.datasets.get(meta.id)) ?? { ...meta, versionId: version.id };
}

/** A project's datasets, newest first. */
export async function projectDatasets(db: OutpostDb, projectId: string): Promise<DatasetMeta[]> {
  // Deleted datasets (tombstones, from here or another device) are not listed.
  return (await db.datasets.where('projectId').equals(projectId).reverse().sortBy('createdAt')).filter((d) => !d.deleted);
}

/** The rows of a dataset's current version (those stored before versions existed are its first). */
export async function loadRows(db: OutpostDb, datasetId: string): Promise<Row[]> {
  await ensureFirstVersions(db);
  const d = await db.datasets.get(datasetId);
  return (await loadVersionRows(db, d?.versionId ?? datasetId)) as Row[];
}
