import { z } from 'zod';
import { DatasetMeta, ModelVersion, Prediction, Project, Run } from '../schema/records.js';
import { Outcome } from '../schema/monitoring.js';
import { Rating, RatingStudy } from '../schema/human.js';
import { ModelAlias, Proposal, RegistryEvent } from '../schema/registry.js';
import { StageChange } from './stages.js';
import { Deployment, DeploymentEvent, DeviceDeploymentStatus } from '../schema/deployment.js';
import { hasUnstorableText } from './text.js';
import { DatasetVersion } from '../schema/dataset-version.js';
import { Label } from '../labels/label.js';
import { Study, Trial } from '../study/study.js';
import { Pipeline, PipelineRun } from '../schema/pipeline-spec.js';

/**
 * Versions of the sync protocol. A device sends `x-outpost-protocol: <version>` on every request
 * (a request without it is version 1, the first released app); the server answers with its own.
 * - The server accepts pushes from devices at `minPush` or later, so an old device's outbox still
 *   reaches the server, and refuses pulls, blob downloads and status reports from devices before
 *   `minPull` with 426 `app_outdated` (the person is asked to update; their work is kept).
 * - A device refuses to sync with a server whose successful answers carry no version or one below
 *   `minServer` (`server_outdated`); nothing leaves its outbox.
 * Version 2: push answers carry `outcome` (a re-sent batch is told apart from a restored copy's
 * different batch under the same number); pulls may answer `reset` after which the device
 * re-pushes what it holds.
 * Version 3: outcomes (a synced, pulled table) and monitor summaries (POST /api/sync/monitors);
 * projects, model versions and predictions carry monitoring fields; the registry's history,
 * proposals and aliases are pulled (written by the server only). A server pulls outcomes only
 * to devices at version 3 or later (an older app could not read the table's name).
 * Version 4: model versions may carry ONNX artifacts, a tensor input, quantized weights, import
 * details, a model card and a human baseline; predictions may come from the server
 * (`source: 'server'`); rating studies and ratings are synced. A version 4 app needs a version 4
 * server (an older one would refuse the new fields and tables as unknown).
 * Version 5: deployments (one per project, written by the server only, pulled); predictions carry
 * the deployment they followed; outcomes may be a person's decision (`source: 'decision'`); status
 * reports say which versions' weights are ready and which deployment revision each project follows.
 * Version 6: dataset versions (`dataset_versions`, last-writer-wins, pulled), each with its data-test
 * report and, when its project lets rows sync, its shareable rows as a blob; datasets carry their
 * current version, data tests and personal columns; projects whether rows sync and their salt; runs
 * the exact version, the split and an override of failing tests. A version 6 app needs a version 6
 * server (an older one would refuse the new table and fields as unknown).
 * Version 7: labels (`labels`, append-only, pulled): one person's label for one item of a dataset,
 * so that every device recomputes the same decided labels and agreement (docs/labels.md). A version 7
 * app needs a version 7 server.
 * Version 8: hyperparameter searches (`studies`, last-writer-wins, pulled) and their finished trials
 * (`trials`, append-only, pulled), so a search resumes from its recorded trials and every device
 * and the console see its history (docs/search.md). A version 8 app needs a version 8 server.
 * Version 9: training pipelines (`pipelines`, one per project, and `pipeline_runs`, their runs with
 * each step's lineage; both last-writer-wins, pulled), so every device of a project sees the same
 * pipeline and what its runs did (docs/pipelines.md). A version 9 app needs a version 9 server.
 */
export const PROTOCOL = { version: 9, minPush: 1, minPull: 2, minServer: 9 } as const;
export const PROTOCOL_HEADER = 'x-outpost-protocol';

/**
 * The sync protocol between a device and the server (see docs/sync.md).
 *
 * A device pushes `Change`s: each names a table, a record id, a hybrid-logical-clock stamp and the
 * fields it sets. The server merges per table policy:
 *  - `append`: insert-or-ignore by id (predictions, outcomes, ratings, labels, trials). A second copy of the same id is a no-op.
 *  - `lww`: per-field last-writer-wins by HLC (projects, datasets, dataset versions, runs, model versions, rating studies, studies, pipelines, pipeline runs). A field
 *    is replaced only by a change whose HLC is greater than the HLC stored for that field.
 *    `deleted: true` is a tombstone field like any other and, once set, is never cleared.
 *  - `stage`: a model version's stage moves by compare-and-set on the server (see stages.ts); the
 *    `stage` field of a model version is never changed by a last-writer-wins change. A device that
 *    may not promote has its move to production recorded as a proposal instead.
 *  - `server`: written only by the server (the registry's history, proposals and aliases); a
 *    device's change to them is refused.
 * The server assigns every stored write a monotonic sequence number; devices pull by it. `since`
 * is the first protocol version that knows the table: it is pulled only by devices at or after it.
 */
export const SYNC_TABLES = {
  projects: { policy: 'lww', schema: Project, pull: true, since: 1 },
  datasets: { policy: 'lww', schema: DatasetMeta, pull: true, since: 1 },
  runs: { policy: 'lww', schema: Run, pull: true, since: 1 },
  model_versions: { policy: 'lww', schema: ModelVersion, pull: true, since: 1 },
  predictions: { policy: 'append', schema: Prediction, pull: false, since: 1 },
  stage_changes: { policy: 'stage', schema: StageChange, pull: false, since: 1 },
  outcomes: { policy: 'append', schema: Outcome, pull: true, since: 3 },
  registry_events: { policy: 'server', schema: RegistryEvent, pull: true, since: 3 },
  proposals: { policy: 'server', schema: Proposal, pull: true, since: 3 },
  model_aliases: { policy: 'server', schema: ModelAlias, pull: true, since: 3 },
  rating_studies: { policy: 'lww', schema: RatingStudy, pull: true, since: 4 },
  ratings: { policy: 'append', schema: Rating, pull: true, since: 4 },
  deployments: { policy: 'server', schema: Deployment, pull: true, since: 5 },
  deployment_events: { policy: 'server', schema: DeploymentEvent, pull: false, since: 5 },
  dataset_versions: { policy: 'lww', schema: DatasetVersion, pull: true, since: 6 },
  labels: { policy: 'append', schema: Label, pull: true, since: 7 },
  studies: { policy: 'lww', schema: Study, pull: true, since: 8 },
  trials: { policy: 'append', schema: Trial, pull: true, since: 8 },
  pipelines: { policy: 'lww', schema: Pipeline, pull: true, since: 9 },
  pipeline_runs: { policy: 'lww', schema: PipelineRun, pull: true, since: 9 },
} as const;

export type SyncTable = keyof typeof SYNC_TABLES;

/** The tables a device speaking `protocol` pulls. */
export function pulledTables(protocol: number): SyncTable[] {
  return (Object.keys(SYNC_TABLES) as SyncTable[]).filter((t) => SYNC_TABLES[t].pull && SYNC_TABLES[t].since <= protocol);
}
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

/**
 * The body of `POST /api/sync/push`, the one shape the device sends and the server reads. The
 * envelope is checked strictly; each change is checked on its own on the server (against
 * `Change` and its table's schema), so one bad record is rejected with a reason while the rest of
 * the batch applies. More than `PUSH_LIMITS.maxChanges` changes is a 413.
 */
export const PushRequest = z.object({
  /** Monotonic per device; the server stores the last one applied and ignores repeats. */
  batchSeq: z.number().int().nonnegative(),
  changes: z.array(z.unknown()),
  /** Optional identity claims: they must match the credential (a device cannot write as another). */
  deviceId: z.string().optional(),
  orgId: z.string().optional(),
});
export type PushRequest = z.infer<typeof PushRequest>;

export const RejectedChange = z.object({
  table: z.string(),
  id: z.string(),
  code: z.string(),
  message: z.string(),
  /** Added later, optional both ways: the reason's code and values a device says in its language (REFUSAL_REASONS, errors.ts). */
  reason: z.object({ code: z.string().max(60), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() }).optional(),
});
export type RejectedChange = z.infer<typeof RejectedChange>;

/**
 * What the server did with a batch:
 * - `applied`: its changes were merged now (`rejected` lists the refused ones);
 * - `duplicate`: the same batch (same number, same changes) was applied before, e.g. its answer
 *   was lost; `rejected` repeats that first answer's refusals;
 * - `renumber`: the number was used by a different batch (the device's storage was restored from
 *   an older copy) or is behind the server's: number the rows past `ackedBatchSeq` and send again.
 */
export const PushOutcome = z.enum(['applied', 'duplicate', 'renumber']);
export type PushOutcome = z.infer<typeof PushOutcome>;

export const PushResponse = z.object({
  /** The last batch the server has applied for this device (this one, or a later one). */
  ackedBatchSeq: z.number().int(),
  outcome: PushOutcome,
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
  /**
   * The record stored at `cursor` (a real record's sequence number). The device sends it back with
   * its next pull; a server that no longer holds it there (its data was restored from an older
   * backup) answers `reset` even when later writes have taken its counter past the cursor again.
   */
  witness: z.object({ table: z.string().max(64), id: z.string().max(64) }).optional(),
});
export type PullResponse = z.infer<typeof PullResponse>;

/** A string PostgreSQL can store: no NUL and no lone surrogate (text.ts). */
const storable = (s: z.ZodString) => s.refine((v) => !hasUnstorableText(v), 'contains a character that cannot be stored (NUL or half of an emoji)');

export const EnrollRequest = z.object({
  code: storable(z.string().min(4).max(64)),
  deviceName: storable(z.string().min(1).max(100)),
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
  activeVersions: z
    .array(z.object({ id: storable(z.string().max(64)), modelName: storable(z.string().max(200)), version: z.number().int().min(0).max(1_000_000) }))
    .max(100),
  appVersion: storable(z.string().max(40)),
  /** Model versions whose weights are complete and verified on the device (blue-green's switch waits for them). */
  ready: z
    .array(storable(z.string().max(64)))
    .max(1000)
    .optional(),
  /** Each project's deployment as this device follows it. */
  deployments: z.array(DeviceDeploymentStatus).max(200).optional(),
});
export type DeviceStatus = z.infer<typeof DeviceStatus>;

/** At most this many day summaries travel in one monitor upload. */
export const MONITOR_UPLOAD_MAX_DAYS = 100;

/** A device's own verdict on a model version's monitors (drift needs the rows, which stay on the device). */
export const DeviceVerdict = z.object({
  modelVersionId: storable(z.string().min(1).max(64)),
  at: z.number().int().min(0).max(4_102_444_800_000),
  state: z.enum(['ok', 'warning', 'alert']),
  /** The monitors in alert or warning, by key. */
  alerts: z.array(storable(z.string().max(60))).max(20),
  drift: z.object({ drifted: z.boolean(), driftedColumns: z.number().int().min(0).max(10_000), testedColumns: z.number().int().min(0).max(10_000) }).optional(),
});
export type DeviceVerdict = z.infer<typeof DeviceVerdict>;

/**
 * `POST /api/sync/monitors`: a device's day summaries that changed since it last sent them (the
 * whole day each time: the server keeps the newest, so a re-send is harmless) and its verdicts.
 * Each day is checked on its own against DaySummary (shared/src/monitor/summary.ts); a bad one is
 * refused with a reason and the others are stored.
 */
export const MonitorUpload = z.object({
  days: z.array(z.unknown()).max(MONITOR_UPLOAD_MAX_DAYS),
  verdicts: z.array(DeviceVerdict).max(200),
});
export type MonitorUpload = z.infer<typeof MonitorUpload>;

export const MonitorUploadResponse = z.object({
  stored: z.number().int(),
  rejected: z.array(z.object({ modelVersionId: z.string(), day: z.string(), message: z.string() })),
});
export type MonitorUploadResponse = z.infer<typeof MonitorUploadResponse>;

/** `POST /api/registry/sessions`: a person signs in on this device with their personal key. */
export const PersonSessionRequest = z.object({ key: storable(z.string().min(8).max(200)) });
export const PersonSessionResponse = z.object({
  token: z.string(),
  expiresAt: z.number().int(),
  person: z.object({ id: z.string(), name: z.string(), role: z.enum(['admin', 'ml_lead', 'field']) }),
});
export type PersonSessionResponse = z.infer<typeof PersonSessionResponse>;
/** The header that carries a person's session token beside the device's credential. */
export const PERSON_HEADER = 'x-outpost-person';

/** `POST /api/registry/proposals/:id`: a person who may promote approves or rejects a proposal. */
export const DecisionRequest = z.object({ approve: z.boolean(), why: storable(z.string().max(1000)) });
/** `POST /api/registry/versions/:id/stage`: a person moves a version at once (gates and compare-and-set as always). */
export const PersonStageRequest = z.object({
  from: z.enum(['none', 'staging', 'production', 'archived']),
  to: z.enum(['none', 'staging', 'production', 'archived']),
  why: storable(z.string().max(1000)),
  measurements: z
    .object({ latencyP95Ms: z.number().min(0).max(600_000), memoryMb: z.number().min(0).max(1_000_000), deviceName: storable(z.string().max(200)) })
    .optional(),
});
export const RegistryAnswer = z.object({ outcome: z.enum(['applied', 'proposed']) });

export const HealthResponse = z.object({
  status: z.literal('ok'),
  store: z.enum(['pglite', 'postgres']),
  version: z.string(),
});
