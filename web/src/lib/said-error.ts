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
  return typeof said?.key === 'string' && Object.hasOwn(en, said.key) ? (said as Message) : undefined;
}
