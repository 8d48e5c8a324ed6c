import type { MessageKey } from '../i18n/catalogue.js';

/** Separators a CSV file may use, in the order preferred on a tie, with their names for a screen. */
export const SEPARATORS = [',', ';', '\t', '|'] as const;
/** Their names in English (for English-only sentences; a screen says SEPARATOR_WORDS). */
export const SEPARATOR_NAMES: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'vertical bar' };
/** Each separator's name on a screen, in the plural ("values separated by commas"), as a message key. */
export const SEPARATOR_WORDS: Record<(typeof SEPARATORS)[number], MessageKey> = {
  ',': 'data.sep.comma',
  ';': 'data.sep.semicolon',
  '\t': 'data.sep.tab',
  '|': 'data.sep.bar',
};
/** Each text encoding a person can choose (decode.ts ENCODINGS, with its English label) named on a screen, as a message key. */
export const ENCODING_WORDS: Record<string, MessageKey> = {
  'windows-1252': 'data.enc.windows1252',
  'windows-1250': 'data.enc.windows1250',
  'windows-1251': 'data.enc.windows1251',
  macintosh: 'data.enc.macintosh',
  'utf-8': 'data.enc.utf8',
  // Found by a byte-order mark or the zero bytes of ASCII text (decode.ts), never offered as a choice.
  'utf-16le': 'data.enc.utf16le',
  'utf-16be': 'data.enc.utf16be',
};
