import { afterEach, describe, expect, it } from 'vitest';
import { speakWith } from '../i18n/speaking.js';
import en from '../i18n/catalogues/en.js';
import fr from '../i18n/catalogues/fr.js';
import { deviceParts, deviceWords } from './device-words.js';

// User agents as these browsers send them (their documented forms, versions as of 2024–2026).
const UA = {
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
  samsung: 'Mozilla/5.0 (Linux; Android 13; SM-A515F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.68',
  firefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chromeIos: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  chromebook: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  opera: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 OPR/115.0.0.0',
};

afterEach(() => speakWith('en', en));

describe('where a run trained', () => {
  it('names the browser, its major version and the system, the most specific browser first', () => {
    expect(deviceParts({ userAgent: UA.chromeAndroid })).toEqual({ browser: 'Chrome', version: '156', os: 'Android' });
    expect(deviceParts({ userAgent: UA.samsung })).toEqual({ browser: 'Samsung Internet', version: '25', os: 'Android' });
    expect(deviceParts({ userAgent: UA.edge })).toEqual({ browser: 'Edge', version: '130', os: 'Windows' });
    expect(deviceParts({ userAgent: UA.opera })).toEqual({ browser: 'Opera', version: '115', os: 'Windows' });
    expect(deviceParts({ userAgent: UA.firefox })).toEqual({ browser: 'Firefox', version: '133', os: 'Linux' });
    expect(deviceParts({ userAgent: UA.safariIphone })).toEqual({ browser: 'Safari', version: '17', os: 'iOS' });
    expect(deviceParts({ userAgent: UA.chromeIos })).toEqual({ browser: 'Chrome', version: '126', os: 'iOS' });
    expect(deviceParts({ userAgent: UA.safariMac })).toEqual({ browser: 'Safari', version: '18', os: 'macOS' });
    expect(deviceParts({ userAgent: UA.chromebook })).toEqual({ browser: 'Chrome', version: '126', os: 'ChromeOS' });
  });

  it('falls back to the platform the browser told, and names nothing it cannot tell', () => {
    expect(deviceParts({ userAgent: 'Node.js/22', platform: 'Linux armv8l' })).toEqual({ browser: 'Node.js', version: '22', os: 'Linux' });
    expect(deviceParts({ userAgent: 'unknown' })).toEqual({});
  });

  it('says it in the language on screen, with cores and memory when the browser told them', () => {
    expect(deviceWords({ userAgent: UA.chromeAndroid, cores: 8 })).toBe('Chrome 156 on Android, 8 cores');
    expect(deviceWords({ userAgent: UA.firefox, cores: 1, memoryGb: 4 })).toBe('Firefox 133 on Linux, 1 core, 4 GB of memory');
    expect(deviceWords({ userAgent: 'unknown' })).toBe('a browser it could not name');
    speakWith('fr', fr);
    expect(deviceWords({ userAgent: UA.chromeAndroid, cores: 8, memoryGb: 2 })).toBe('Chrome 156 sous Android, 8 cœurs, 2 Go de mémoire');
  });
});
