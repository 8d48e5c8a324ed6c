import en from './catalogues/en.js';
import { formatMessage } from './format.js';
import { speakWith } from './speaking.js';
import { isLocale, negotiateLocale, SOURCE_LOCALE, type Locale } from './locales.js';
import type { Catalogue, Message, MessageKey, Values } from './catalogue.js';

// Each language other than the source is a chunk of its own, fetched only when chosen (the service
// worker keeps them all for offline use), so the first screen carries one catalogue.
const LOADERS: Record<Exclude<Locale, 'en'>, () => Promise<{ default: Catalogue }>> = {
  fr: () => import('./catalogues/fr.js'),
  ha: () => import('./catalogues/ha.js'),
  yo: () => import('./catalogues/yo.js'),
  ig: () => import('./catalogues/ig.js'),
  pcm: () => import('./catalogues/pcm.js'),
  sw: () => import('./catalogues/sw.js'),
};

const STORAGE_KEY = 'outpost.language';

function saved(): Locale | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return isLocale(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * The language the screens speak. `t()` reads reactive state, so every message on screen changes
 * the moment another language is chosen, without a reload. The choice is kept on the device; with
 * none, the browser's languages decide.
 */
class I18n {
  locale = $state<Locale>(SOURCE_LOCALE);
  /** The language the person picked in Settings, or null to follow the browser. */
  chosen = $state<Locale | null>(null);
  #messages = $state.raw<Partial<Catalogue>>(en);

  t = (key: MessageKey, values?: Values): string => formatMessage(this.locale, this.#messages, en, key, values);
  /** A message handed over by TS code (a key and its values). */
  say = (m: Message): string => this.t(m.key, m.values);
  number = (n: number, options?: Intl.NumberFormatOptions): string => new Intl.NumberFormat(this.locale, options).format(n);
  percent = (x: number, digits = 0): string => this.number(x, { style: 'percent', maximumFractionDigits: digits });
  date = (at: number | Date, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string => new Intl.DateTimeFormat(this.locale, options).format(at);
  dateTime = (at: number | Date): string => this.date(at, { dateStyle: 'medium', timeStyle: 'short' });

  /** Start in the kept choice or the browser's language; resolves once its catalogue is here. */
  async start(): Promise<void> {
    this.chosen = saved();
    await this.#use(this.chosen ?? negotiateLocale(navigator.languages ?? [navigator.language]));
  }

  /** The person's choice (null: follow the browser), kept on this device and applied at once. */
  async choose(locale: Locale | null): Promise<void> {
    this.chosen = locale;
    try {
      if (locale) localStorage.setItem(STORAGE_KEY, locale);
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // Private mode or storage full: the choice holds until the page closes.
    }
    await this.#use(locale ?? negotiateLocale(navigator.languages ?? [navigator.language]));
  }

  async #use(locale: Locale): Promise<void> {
    let messages: Partial<Catalogue> = en;
    if (locale !== 'en') {
      try {
        messages = (await LOADERS[locale]()).default;
      } catch {
        // Not kept yet and no connection: stay in the language already on screen.
        return;
      }
    }
    this.#messages = messages;
    this.locale = locale;
    speakWith(locale, messages);
    document.documentElement.lang = locale;
  }
}

export const i18n = new I18n();
export const { t, say } = i18n;
