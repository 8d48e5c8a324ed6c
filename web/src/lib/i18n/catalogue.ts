import type en from './catalogues/en.js';

/** Every message key, as the English source catalogue defines it. */
export type MessageKey = keyof typeof en;
/** A language's catalogue: every key, as an ICU MessageFormat string. */
export type Catalogue = Record<MessageKey, string>;
/** What a placeholder may be given. */
export type Values = Record<string, string | number>;
/** A sentence not yet in words: a key and its placeholders (what TS code hands a screen). */
export interface Message {
  key: MessageKey;
  values?: Values;
}
