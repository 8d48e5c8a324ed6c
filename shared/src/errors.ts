/**
 * The one catalogue of error codes. Every error that crosses a boundary (HTTP, worker message,
 * import) is an `OutpostError` value carrying one of these codes and a sentence that tells the
 * person what to do. The server maps codes to HTTP statuses in one place (`httpStatusOf`).
 */
export const ERROR_CODES = {
  bad_request: 400,
  invalid_body: 400,
  invalid_json: 400,
  invalid_blob_name: 400,
  unauthorized: 401,
  credential_revoked: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  blob_offset_mismatch: 409,
  payload_too_large: 413,
  blob_hash_mismatch: 422,
  blob_missing: 422,
  /** A promotion refused by one of the project's gates (the message says which and by how much). */
  gate_failed: 422,
  range_not_satisfiable: 416,
  enrollment_code_invalid: 400,
  clock_drift: 400,
  rate_limited: 429,
  /** The device's app speaks an older sync protocol than the server accepts for this request. */
  app_outdated: 426,
  store_unavailable: 503,
  /** An ML runtime could not start here (ONNX Runtime's WASM not downloaded yet, say). */
  runtime_unavailable: 503,
  internal: 500,
  // Device-side codes (never sent by the server).
  csv_empty: 400,
  csv_malformed: 400,
  csv_too_large: 413,
  dataset_invalid: 400,
  /** Training asked to learn from a column marked personal (shared/src/data/privacy.ts). */
  personal_column: 400,
  training_failed: 500,
  storage_full: 507,
  network: 503,
  /** The server speaks an older sync protocol than this app needs (see PROTOCOL in sync/protocol.ts). */
  server_outdated: 502,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Why a pushed change was refused, as a stable code beside the refusal's English `message`
 * (`RejectedChange.reason` in sync/protocol.ts, with its values in `params`), so a device says the
 * reason in its person's language; a device that does not know a code shows the English.
 * - `record_invalid` {detail}: the record does not fit its table's schema (detail: the checks' own words);
 * - `text_unstorable` {field}: a NUL character or half a surrogate pair ('' field: the record itself);
 * - `record_too_deep` {field, depth}: nested deeper than the server stores;
 * - `deployment_server_only` / `registry_server_only` {table}: a table only the server writes;
 * - `fields_unknown` {table, fields}: fields the server's schema lacks (an app newer than its server);
 * - `id_mismatch`: the record's own id is not the change's;
 * - `store_refused` {detail}: the database refused the value (detail: its own words);
 * - `blob_too_large` {mb}: a model file over the server's limit (said by the device itself);
 * - `change_too_large` {mb}: one change larger than a push batch may be (said by the device itself);
 * - `label_other_project`: a label naming a dataset the server holds under another project;
 * - `blob_missing` {blob}: a file the record names is not uploaded yet (blob: `model_weights`,
 *   `reference_rows`, `smaller_weights` or `dataset_rows`);
 * - `delete_in_production` / `delete_in_deployment` {model, version, what}: a tombstone refused
 *   because that version is in production or named by the deployment (what: `version` or `project`);
 * - `version_not_found`: a stage move of a version the server does not hold;
 * - `stage_changed` {current, to}: the version moved elsewhere first (a stage code each);
 * - `stage_move_not_allowed` {from, to}: a move no version may make (stage codes);
 * - `production_lead_only`: only an ML lead or an admin takes a version out of production;
 * - `lead_only` {action}: only an ML lead or an admin decides a proposal (`decide`) or sets an alias (`alias`);
 * - `proposal_not_found`: a proposal the server does not hold;
 * - `proposal_decided` {status}: a proposal already `approved` or `rejected`.
 * A whole request can be refused with a reason too (`OutpostError.reason`, `error.reason` of the
 * answer's body), for the failures a device cannot tell apart by the error code alone:
 * - `credential_other_device`: a push naming another device than its credential's;
 * - `batch_too_many` {max}: a batch with more changes than a push may hold;
 * - `request_malformed` {what}: a body that is not the request's shape (what: `push`, `status`,
 *   `monitors` or `pull`);
 * - `org_gone`: the device's organisation was removed from the server.
 */
export const REFUSAL_REASONS = [
  'record_invalid',
  'text_unstorable',
  'record_too_deep',
  'deployment_server_only',
  'registry_server_only',
  'fields_unknown',
  'id_mismatch',
  'store_refused',
  'blob_too_large',
  'change_too_large',
  'label_other_project',
  'blob_missing',
  'delete_in_production',
  'delete_in_deployment',
  'version_not_found',
  'stage_changed',
  'stage_move_not_allowed',
  'production_lead_only',
  'lead_only',
  'proposal_not_found',
  'proposal_decided',
  'credential_other_device',
  'batch_too_many',
  'request_malformed',
  'org_gone',
  'gates_failed',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A refusal's reason as a device says it: a code of REFUSAL_REASONS and its values. */
export interface Reason {
  code: RefusalReason;
  params?: Record<string, string | number>;
}

export class OutpostError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;
  /** Why, as a code a device says in its person's language (REFUSAL_REASONS), when the error code alone does not tell. */
  readonly reason?: Reason;
  constructor(code: ErrorCode, message: string, details?: unknown, reason?: Reason) {
    super(message);
    this.name = 'OutpostError';
    this.code = code;
    this.details = details;
    if (reason) this.reason = reason;
  }
  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details, ...(this.reason ? { reason: this.reason } : {}) } };
  }
}

/** The JSON shape of every error answer: `{ error: { code, message, details?, reason? } }` (reason: added later, optional). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; reason?: Reason };
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code] ?? 500;
}

export function isOutpostError(e: unknown): e is OutpostError {
  return e instanceof OutpostError;
}
