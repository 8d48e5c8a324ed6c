import { z } from 'zod';
import { DatasetMeta, ModelVersion, Prediction, Project, Run } from '../schema/records.js';
import { StageChange } from './stages.js';

/**
 * The sync protocol between a device and the server (see docs/sync.md).
 *
 * A device pushes `Change`s: each names a table, a record id, a hybrid-logical-clock stamp and the
 * fields it sets. The server merges per table policy:
 *  - `append`: insert-or-ignore by id (predictions). A second copy of the same id is a no-op.
 *  - `lww`: per-field last-writer-wins by HLC (projects, datasets, runs, model versions). A field
 *    is replaced only by a change whose HLC is greater than the HLC stored for that field.
 *    `deleted: true` is a tombstone field like any other and, once set, is never cleared.
 *  - `stage`: a model version's stage moves by compare-and-set on the server (see stages.ts); the
 *    `stage` field of a model version is never changed by a last-writer-wins change.
 * The server assigns every stored write a monotonic sequence number; devices pull by it.
 */
export const SYNC_TABLES = {
  projects: { policy: 'lww', schema: Project, pull: true },
  datasets: { policy: 'lww', schema: DatasetMeta, pull: true },
  runs: { policy: 'lww', schema: Run, pull: true },
  model_versions: { policy: 'lww', schema: ModelVersion, pull: true },
  predictions: { policy: 'append', schema: Prediction, pull: false },
  stage_changes: { policy: 'stage', schema: StageChange, pull: false },
} as const;

export type SyncTable = keyof typeof SYNC_TABLES;
export const SyncTableName = z.enum(Object.keys(SYNC_TABLES) as [SyncTable, ...SyncTable[]]);

/** HLC stamps are fixed-width strings that sort lexicographically in causal order (see hlc.ts). */
export const HlcString = z.string().regex(/^\d{15}-[0-9a-f]{4}-[0-9A-Za-z_-]{1,36}$/);

export const Change = z.object({
  table: SyncTableName,
  id: z.string().min(1).max(64),
  hlc: HlcString,
  /** The fields this change sets. For `append` tables: the whole record. */
  fields: z.record(z.string(), z.unknown()),
});
export type Change = z.infer<typeof Change>;

/** Limits a device must respect; the server answers 413 past them. */
export const PUSH_LIMITS = { maxChanges: 1000, maxBytes: 2_000_000 } as const;
/** Device clocks further than this ahead of the server's are refused (clock_drift). */
export const MAX_CLOCK_DRIFT_MS = 5 * 60 * 1000;

export const PushRequest = z.object({
  /** Monotonic per device; the server stores the last one applied and ignores repeats. */
  batchSeq: z.number().int().nonnegative(),
  changes: z.array(Change).max(PUSH_LIMITS.maxChanges),
});
export type PushRequest = z.infer<typeof PushRequest>;

export const RejectedChange = z.object({
  table: z.string(),
  id: z.string(),
  code: z.string(),
  message: z.string(),
});

export const PushResponse = z.object({
  /** The last batch the server has applied for this device (this one, or a later one). */
  ackedBatchSeq: z.number().int(),
  applied: z.number().int(),
  ignored: z.number().int(),
  /** Permanently invalid changes: dropped with a reason; the rest of the batch applied. */
  rejected: z.array(RejectedChange),
  serverTime: z.number(),
});
export type PushResponse = z.infer<typeof PushResponse>;

/** One record as the server holds it after merging, as delivered by a pull. */
export const PulledRecord = z.object({
  table: SyncTableName,
  id: z.string(),
  seq: z.number().int(),
  data: z.record(z.string(), z.unknown()),
  /** Per-field HLC stamps of the stored value. */
  hlc: z.record(z.string(), z.string()),
});
export type PulledRecord = z.infer<typeof PulledRecord>;

export const PullResponse = z.object({
  records: z.array(PulledRecord),
  /** Pass back as `cursor` on the next pull. */
  cursor: z.number().int(),
  more: z.boolean(),
  /** The server cannot continue from the given cursor: drop local cursor and pull from 0. */
  reset: z.boolean().optional(),
});
export type PullResponse = z.infer<typeof PullResponse>;

export const EnrollRequest = z.object({
  code: z.string().min(4).max(64),
  deviceName: z.string().min(1).max(100),
});
export const EnrollResponse = z.object({
  deviceId: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  token: z.string(),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/** Content-addressed blob names: lowercase SHA-256 hex, nothing else (no paths, no traversal). */
export const BlobName = z.string().regex(/^[0-9a-f]{64}$/);
/** Chunk size devices use for blob upload and download; resumable at any chunk boundary. */
export const BLOB_CHUNK_BYTES = 256 * 1024;

/** What a device reports about itself after a sync, for the fleet view. */
export const DeviceStatus = z.object({
  /** Changes and blobs still waiting on the device after this sync. */
  pending: z.number().int().nonnegative().max(1e9),
  /** The production model versions active on the device (weights present). */
  activeVersions: z.array(z.object({ id: z.string().max(64), modelName: z.string().max(200), version: z.number().int() })).max(100),
  appVersion: z.string().max(40),
});
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const HealthResponse = z.object({
  status: z.literal('ok'),
  store: z.enum(['pglite', 'postgres']),
  version: z.string(),
});
