import { describe, expect, it } from 'vitest';
import { negotiateLocale } from './locales.js';

describe('negotiateLocale', () => {
  it('takes the first preferred language Outpost speaks, by its primary subtag', () => {
    expect(negotiateLocale(['ha-NG', 'en-NG'])).toBe('ha');
    expect(negotiateLocale(['de-DE', 'yo', 'en'])).toBe('yo');
    expect(negotiateLocale(['fr-CI'])).toBe('fr');
    expect(negotiateLocale(['pcm-NG', 'en'])).toBe('pcm');
    expect(negotiateLocale(['sw_KE'])).toBe('sw');
  });
  it('falls back to English', () => {
    expect(negotiateLocale([])).toBe('en');
    expect(negotiateLocale(['de', 'zh-CN'])).toBe('en');
    expect(negotiateLocale(['en-NG', 'ig'])).toBe('en');
  });
});
