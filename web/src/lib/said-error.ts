import { OutpostError, type ErrorCode } from '@shared/errors.js';
import type { Message } from './i18n/catalogue.js';
import en from './i18n/catalogues/en.js';
import { english } from './i18n/speaking.js';

/**
 * An error a person reads in their own language. It carries its sentence as a message (a key of
 * the catalogues and its values) beside the English words of `message`, which logs, the console
 * and tests read; `userMessage` says the message in the language on screen. Like every
 * `OutpostError` it has a code, and its JSON (`toJSON`) carries only the code and the English.
 */
export class SaidError extends OutpostError {
  readonly said: Message;
  constructor(code: ErrorCode, said: Message, details?: unknown) {
    super(code, english(said), details);
    this.said = said;
  }
}

/** The message an error carries for the person (a `SaidError`'s, or any error's `said` field naming a known key). */
export function saidOf(err: unknown): Message | undefined {
  const said = (err as { said?: Partial<Message> } | null | undefined)?.said;
  return typeof said?.key === 'string' && Object.hasOwn(en, said.key) ? withReasonCode(said as Message) : undefined;
}

// The runtimes' and browsers' own words for failures a person can do something about, as the
// reason codes the catalogues say (FAILURE_REASON in i18n/words.ts). They are the engines' stable
// texts (TensorFlow.js, ONNX Runtime's WASM, the browser's quota) and this app's own.
const REASONS: [RegExp, string][] = [
  [/out of memory|\bOOM\b|allocation failed|maximum memory size|memory access out of bounds/i, 'out_of_memory'],
  [/QuotaExceeded|quota (has been )?exceeded/i, 'storage_full'],
  [/context (was )?lost|CONTEXT_LOST/i, 'gpu_lost'],
  [/^no model is loaded$/, 'no_model'],
];

/** An unexpected error's reason as a code when it is one of the known ones, else its own words. */
export function failureReason(err: unknown): string {
  const e = err as { name?: unknown; message?: unknown } | null | undefined;
  if (e?.name === 'QuotaExceededError') return 'storage_full';
  const text = typeof e?.message === 'string' ? e.message : String(err);
  if (e?.name === 'RangeError' && /memory|alloc|buffer/i.test(text)) return 'out_of_memory';
  return REASONS.find(([re]) => re.test(text))?.[1] ?? text;
}

// "Training failed: {reason}" and "Prediction failed: {reason}" made before the reason's code was
// known (an older worker, a run kept from before) carry the engine's words: find the code there.
function withReasonCode(said: Message): Message {
  const reason = said.values?.reason;
  if ((said.key !== 'error.trainFailed' && said.key !== 'error.predictFailed') || typeof reason !== 'string') return said;
  const code = failureReason({ message: reason });
  return code === reason ? said : { ...said, values: { ...said.values, reason: code } };
}
