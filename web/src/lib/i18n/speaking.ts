import en from './catalogues/en.js';
import { formatMessage } from './format.js';
import type { Catalogue, Message } from './catalogue.js';

// The language on screen, for code that speaks outside markup (an error caught in a handler and
// kept as a string). `i18n` sets it whenever a language is chosen; it is plain TS, so tests and
// modules that cannot load Svelte's runes use it too.
let locale = 'en';
let messages: Partial<Catalogue> = en;

/** Speak `code` with `catalogue` from now on (i18n calls this when a language is chosen). */
export function speakWith(code: string, catalogue: Partial<Catalogue>): void {
  locale = code;
  messages = catalogue;
}

/** A message in the language on screen now. */
export const sayNow = (m: Message): string => formatMessage(locale, messages, en, m.key, m.values);

/** A message in English, the source: an error's own `message`, for logs, the console and tests. */
export const english = (m: Message): string => formatMessage('en', en, en, m.key, m.values);
