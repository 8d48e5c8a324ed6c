/**
 * The languages Outpost speaks, in the order Settings lists them. English is the source: every key
 * is written there first, and a message another catalogue lacks falls back to it.
 */
export const LOCALES = ['en', 'fr', 'ha', 'yo', 'ig', 'pcm', 'sw'] as const;
export type Locale = (typeof LOCALES)[number];
export const SOURCE_LOCALE: Locale = 'en';

/** Each language named in itself, so a person finds theirs whatever the screen is in now. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  fr: 'Français',
  ha: 'Hausa',
  yo: 'Yorùbá',
  ig: 'Igbo',
  pcm: 'Naijá (Pidgin)',
  sw: 'Kiswahili',
};

export const isLocale = (x: unknown): x is Locale => typeof x === 'string' && (LOCALES as readonly string[]).includes(x);

/**
 * The first of the browser's preferred languages (navigator.languages, best first) that Outpost
 * speaks, matched on the primary subtag ("ha-NG" is Hausa, "fr-CI" French); English otherwise.
 * Nigerian English ("en-NG") stays English: Pidgin is chosen only when the browser asks for it.
 */
export function negotiateLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split(/[-_]/)[0];
    if (isLocale(primary)) return primary;
  }
  return SOURCE_LOCALE;
}
