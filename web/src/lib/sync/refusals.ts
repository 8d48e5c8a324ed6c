import type { ErrorCode, RefusalReason } from '@shared/errors.js';
import { MAX_CLOCK_DRIFT_MS, type RejectedChange } from '@shared/sync/protocol.js';
import type { Message } from '../i18n/catalogue.js';
import { sayNow } from '../i18n/speaking.js';
import { gateSentence } from '../i18n/gate-sentence.js';
import { readGateSaid } from '@shared/registry/gates.js';

type Params = Record<string, string | number>;
type Reason = { code: string; params?: Params };

const text = (v: unknown) => String(v ?? '');
const whatOf = (p: Params) => (p.what === 'project' ? 'project' : 'version');

// Each reason the server (or this device) gives for a refused change or request, as the message a
// screen says; a reason whose field is empty names the record itself. Stage codes inside a message
// are said by their own keys (CODED_VALUES in i18n/words.ts).
const REASON_SAID: Record<RefusalReason, (p: Params) => Message> = {
  record_invalid: (p) => ({ key: 'refusal.invalid', values: { detail: text(p.detail) } }),
  text_unstorable: (p) => (p.field ? { key: 'refusal.unstorable', values: { field: text(p.field) } } : { key: 'refusal.unstorableRecord' }),
  record_too_deep: (p): Message => {
    const depth = Number(p.depth) || 0;
    return p.field ? { key: 'refusal.tooDeep', values: { field: text(p.field), depth } } : { key: 'refusal.tooDeepRecord', values: { depth } };
  },
  deployment_server_only: () => ({ key: 'refusal.deploymentServerOnly' }),
  registry_server_only: () => ({ key: 'refusal.registryServerOnly' }),
  fields_unknown: (p) => ({ key: 'refusal.unknownFields', values: { fields: text(p.fields) } }),
  id_mismatch: () => ({ key: 'refusal.idMismatch' }),
  store_refused: (p) => ({ key: 'refusal.cannotStore', values: { detail: text(p.detail) } }),
  blob_too_large: (p) => ({ key: 'refusal.blobTooLarge', values: { mb: Number(p.mb) || 0 } }),
  change_too_large: (p) => ({ key: 'refusal.changeTooLarge', values: { mb: Number(p.mb) || 0 } }),
  label_other_project: () => ({ key: 'refusal.labelOtherProject' }),
  blob_missing: () => ({ key: 'refusal.blobMissing' }),
  delete_in_production: (p) => ({ key: 'refusal.deleteInProduction', values: { model: text(p.model), version: text(p.version), what: whatOf(p) } }),
  delete_in_deployment: (p) => ({ key: 'refusal.deleteInDeployment', values: { model: text(p.model), version: text(p.version), what: whatOf(p) } }),
  version_not_found: () => ({ key: 'refusal.versionNotFound' }),
  stage_changed: (p) => ({ key: 'refusal.stageChanged', values: { current: text(p.current), to: text(p.to) } }),
  stage_move_not_allowed: (p) => ({ key: 'error.stageMove', values: { from: text(p.from), to: text(p.to) } }),
  production_lead_only: () => ({ key: 'refusal.productionLeadOnly' }),
  lead_only: (p) => ({ key: 'refusal.leadOnly', values: { action: p.action === 'alias' ? 'alias' : 'decide' } }),
  proposal_not_found: () => ({ key: 'refusal.proposalNotFound' }),
  proposal_decided: (p) => ({ key: 'refusal.proposalDecided', values: { status: p.status === 'rejected' ? 'rejected' : 'approved' } }),
  credential_other_device: () => ({ key: 'sync.failure.otherDevice' }),
  batch_too_many: (p) => ({ key: 'sync.failure.batchTooMany', values: { max: Number(p.max) || 0 } }),
  request_malformed: () => ({ key: 'sync.failure.malformed' }),
  org_gone: () => ({ key: 'sync.failure.orgGone' }),
  gates_failed: gatesSaid,
};

/**
 * A promotion its gates refused: each failed gate's sentence in the language on screen (the
 * sentences are composed when the refusal is read, as a gate's sentence holds another), then the
 * part the version was to take in a deployment when it was one.
 */
function gatesSaid(p: Params): Message {
  const gates = readGateSaid(p.gates);
  if (!gates?.length) return { key: 'refusal.gatesFailed' };
  const reasons = gates.map((g) => gateSentence(g, sayNow)).join(' ');
  if (p.role === 'challenger' || p.role === 'champion') return { key: 'refusal.gatesRole', values: { role: p.role, version: text(p.version), reasons } };
  return { key: 'gates.notPromoted', values: { reasons } };
}

/** A reason's message, or undefined for none or a code this app does not know (a newer server's). */
export function reasonSaid(reason: Reason | undefined): Message | undefined {
  const code = reason?.code;
  if (!code || !Object.hasOwn(REASON_SAID, code)) return undefined;
  return REASON_SAID[code as RefusalReason](reason?.params ?? {});
}

/**
 * A refused change's reason as a message in the person's language, from the reason's code and
 * values. Undefined for a refusal without one (an older server, or kept from before) or with a
 * code this app does not know (a newer server): show the server's English `message` then.
 */
export function refusalSaid(r: RejectedChange): Message | undefined {
  return reasonSaid(r.reason);
}

/** Codes only this app makes (ERROR_CODES' device-side part): the server never answers with them. */
export const DEVICE_ONLY_CODES = [
  'csv_empty',
  'csv_malformed',
  'csv_too_large',
  'dataset_invalid',
  'personal_column',
  'training_failed',
  'storage_full',
  'network',
  'server_outdated',
] as const satisfies readonly ErrorCode[];
export type ServerErrorCode = Exclude<ErrorCode, (typeof DEVICE_ONLY_CODES)[number]>;

// What a refused request means for the person, by the server's error code alone: for an answer
// without a reason (an older server, a middleware's refusal) or with a reason this app does not know.
const CODE_SAID: Record<ServerErrorCode, Message> = {
  bad_request: { key: 'sync.failure.malformed' },
  invalid_body: { key: 'sync.failure.malformed' },
  invalid_json: { key: 'sync.failure.malformed' },
  invalid_blob_name: { key: 'sync.failure.malformed' },
  range_not_satisfiable: { key: 'sync.failure.malformed' },
  blob_offset_mismatch: { key: 'sync.failure.malformed' },
  unauthorized: { key: 'sync.failure.revoked' },
  enrollment_code_invalid: { key: 'sync.failure.codeInvalid' },
  credential_revoked: { key: 'sync.failure.wiped' },
  forbidden: { key: 'sync.failure.forbidden' },
  gate_failed: { key: 'refusal.gatesFailed' },
  not_found: { key: 'sync.failure.notFound' },
  conflict: { key: 'sync.failure.conflict' },
  payload_too_large: { key: 'sync.failure.tooLarge' },
  blob_hash_mismatch: { key: 'sync.failure.blobDamaged' },
  blob_missing: { key: 'sync.failure.blobMissing' },
  clock_drift: { key: 'sync.failure.clockAhead', values: { minutes: MAX_CLOCK_DRIFT_MS / 60000 } },
  rate_limited: { key: 'sync.failure.busy' },
  store_unavailable: { key: 'sync.failure.busy' },
  runtime_unavailable: { key: 'sync.failure.busy' },
  internal: { key: 'sync.failure.busy' },
  app_outdated: { key: 'sync.failure.appOutdated' },
};

/**
 * A request the server refused, said in the person's language: by its reason when the answer
 * carries one this app knows, else by its error code; undefined only for a code this app does not
 * know (a newer server's), whose English sentence is shown then.
 */
export function requestRefusalSaid(code: string, reason: Reason | undefined): Message | undefined {
  return reasonSaid(reason) ?? (Object.hasOwn(CODE_SAID, code) ? CODE_SAID[code as ServerErrorCode] : undefined);
}
