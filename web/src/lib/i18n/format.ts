import { IntlMessageFormat } from 'intl-messageformat';
import type { Catalogue, MessageKey, Values } from './catalogue.js';
import { CODED_VALUES } from './words.js';

const compiled = new Map<string, IntlMessageFormat>();

/** What a screen shows for a key it cannot say: visible, so a test (and a person) can spot it. */
export const missing = (key: string) => `⟦${key}⟧`;

/**
 * A catalogue's message in words: its ICU pattern compiled once per locale (plurals through
 * Intl.PluralRules, `{n, number}` through Intl.NumberFormat), falling back to the source text
 * when the catalogue lacks the key.
 */
export function formatMessage(locale: string, messages: Partial<Catalogue>, fallback: Catalogue, key: MessageKey, values?: Values): string {
  const own = messages[key];
  const pattern = own ?? fallback[key];
  if (pattern === undefined) return missing(key);
  const id = `${own === undefined ? 'en' : locale}\u0000${key}`;
  let f = compiled.get(id);
  try {
    if (!f) {
      f = new IntlMessageFormat(pattern, own === undefined ? 'en' : locale);
      compiled.set(id, f);
    }
    return String(f.format(coded(locale, messages, fallback, key, values)));
  } catch {
    return missing(key);
  }
}

/**
 * The values of a message whose placeholders hold codes (a stage, a reason's code) with each
 * known code said by its own key in the same language; a value with no key stays as it is.
 */
function coded(locale: string, messages: Partial<Catalogue>, fallback: Catalogue, key: MessageKey, values?: Values): Values | undefined {
  const words = CODED_VALUES[key];
  if (!words || !values) return values;
  const out: Values = { ...values };
  for (const [name, map] of Object.entries(words)) {
    const v = out[name];
    const word = typeof v === 'string' && Object.hasOwn(map, v) ? map[v] : undefined;
    if (word) out[name] = formatMessage(locale, messages, fallback, word);
  }
  return out;
}
