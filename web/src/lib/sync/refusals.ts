import type { RefusalReason } from '@shared/errors.js';
import type { RejectedChange } from '@shared/sync/protocol.js';
import type { Message } from '../i18n/catalogue.js';

type Params = Record<string, string | number>;

// Each reason the server (or this device) gives for a refused change, as the message a screen
// says; a reason whose field is empty names the record itself.
const REASON_SAID: Record<RefusalReason, (p: Params) => Message> = {
  record_invalid: (p) => ({ key: 'refusal.invalid', values: { detail: String(p.detail ?? '') } }),
  text_unstorable: (p) => (p.field ? { key: 'refusal.unstorable', values: { field: String(p.field) } } : { key: 'refusal.unstorableRecord' }),
  record_too_deep: (p): Message => {
    const depth = Number(p.depth) || 0;
    return p.field ? { key: 'refusal.tooDeep', values: { field: String(p.field), depth } } : { key: 'refusal.tooDeepRecord', values: { depth } };
  },
  deployment_server_only: () => ({ key: 'refusal.deploymentServerOnly' }),
  registry_server_only: () => ({ key: 'refusal.registryServerOnly' }),
  fields_unknown: (p) => ({ key: 'refusal.unknownFields', values: { fields: String(p.fields ?? '') } }),
  id_mismatch: () => ({ key: 'refusal.idMismatch' }),
  store_refused: (p) => ({ key: 'refusal.cannotStore', values: { detail: String(p.detail ?? '') } }),
  blob_too_large: (p) => ({ key: 'refusal.blobTooLarge', values: { mb: Number(p.mb) || 0 } }),
  change_too_large: (p) => ({ key: 'refusal.changeTooLarge', values: { mb: Number(p.mb) || 0 } }),
};

/**
 * A refused change's reason as a message in the person's language, from the reason's code and
 * values. Undefined for a refusal without one (an older server, or kept from before) or with a
 * code this app does not know (a newer server): show the server's English `message` then.
 */
export function refusalSaid(r: RejectedChange): Message | undefined {
  const code = r.reason?.code;
  if (!code || !Object.hasOwn(REASON_SAID, code)) return undefined;
  return REASON_SAID[code as RefusalReason](r.reason?.params ?? {});
}
