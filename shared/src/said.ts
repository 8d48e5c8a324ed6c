/**
 * A sentence not yet in words: a message key and its placeholders, so that each screen says it in
 * its person's language (the device's catalogues, web/src/lib/i18n) while shared code stays pure
 * and knows no language. Numbers travel as numbers (shares as fractions, formatted by the
 * catalogue's ICU pattern, e.g. `{share, number, ::percent .#}`); names travel as they are.
 * The key is a literal type, so the device's compiler checks every key shared code can say
 * against its source catalogue.
 */
export interface Said<K extends string = string> {
  key: K;
  values?: Record<string, string | number>;
}

/** A share (0–1) rounded as Outpost shows one: to a tenth of a percent below 10%, else to a percent. */
export const shareValue = (x: number): number => +x.toFixed(x < 0.1 ? 3 : 2);
