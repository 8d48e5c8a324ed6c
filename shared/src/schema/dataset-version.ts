import { z } from 'zod';
import { ColumnInfo } from './records.js';
import { DataCheckReport } from './data-rules.js';
import { ByteSize, Count, Id, Millis } from './primitives.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const ColumnName = z.string().min(1).max(200);

/**
 * What made a version, in numbers and one sentence. `import`: the file as read; `clean`: a
 * cleaning step on the device (dropping rows with missing values, dropping a column); `entries`:
 * rows entered through a collection form; `labels`: labels given or changed; `merge`: versions
 * made on several devices joined into one (its other parents in `mergedFrom`).
 */
export const VersionChangeKind = z.enum(['import', 'clean', 'entries', 'labels', 'merge']);
export const VersionChange = z.object({
  kind: VersionChangeKind,
  rowsAdded: Count,
  rowsRemoved: Count,
  rowsChanged: Count,
  columnsAdded: z.array(ColumnName).max(1000),
  columnsRemoved: z.array(ColumnName).max(1000),
  sentence: z.string().max(500),
});

/**
 * The shareable form of a version's rows, when its project lets rows sync: a content-addressed
 * blob (JSON, `format` below) with the personal columns left out (`removed`) or replaced by a
 * salted SHA-256 (`hashed`, see shared/src/data/privacy.ts). `salt` names the project salt used (the
 * first 8 hex digits of its own SHA-256), so a device can tell hashes made with another salt.
 */
export const SharedRows = z.object({
  format: z.literal('outpost-rows-1'),
  hash: Sha256,
  size: ByteSize,
  removed: z.array(ColumnName).max(1000),
  hashed: z.array(ColumnName).max(1000),
  salt: z
    .string()
    .regex(/^[0-9a-f]{8}$/)
    .optional(),
});

/**
 * One version of a dataset. Versions are made, never edited in what they hold: a change to the
 * rows makes a new version whose `parentId` is the one it came from, so a dataset's history is a
 * chain (a tree once several devices add entries offline; a merge names its other parents in
 * `mergedFrom`). `hash` is the SHA-256 of the rows in canonical form (shared/src/data/versions.ts),
 * equal on every device for equal rows. A dataset's first version has the dataset's own id. The
 * data-test report and the shareable rows are set beside the version and merge per field like
 * every mutable record (see docs/datasets.md).
 */
export const DatasetVersion = z.object({
  id: Id,
  projectId: Id,
  datasetId: Id,
  /** 1 for the import, then one more than the parent's (for display: ids identify). */
  number: z.number().int().min(1).max(1_000_000),
  parentId: Id.nullable(),
  mergedFrom: z.array(Id).max(100).optional(),
  hash: Sha256,
  rowCount: Count,
  columns: z.array(ColumnInfo).max(5000),
  change: VersionChange,
  createdAt: Millis,
  /** Who made it: the person signed in on the device, or the device's name. */
  createdBy: z.string().max(200),
  checks: DataCheckReport.optional(),
  /**
   * The shared rows file. Null once withdrawn: the server clears it, and drops the file, when a
   * column its rows hold is marked personal after they were sent (withdraw.ts).
   */
  rows: SharedRows.nullable().optional(),
  deleted: z.boolean().optional(),
});

export type VersionChangeKind = z.infer<typeof VersionChangeKind>;
export type VersionChange = z.infer<typeof VersionChange>;
export type SharedRows = z.infer<typeof SharedRows>;
export type DatasetVersion = z.infer<typeof DatasetVersion>;
