import type { RunDevice } from '@shared/schema/records.js';
import type { Message } from '../i18n/catalogue.js';
import { sayNow } from '../i18n/speaking.js';

/** What a user-agent string tells of a browser and its system (each part left out when it does not). */
export interface DeviceParts {
  browser?: string;
  /** The browser's major version. */
  version?: string;
  os?: string;
}

// Most specific first: Edge, Opera and Samsung Internet also say "Chrome", Chrome also says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/\bOPR\/(\d+)/, 'Opera'],
  [/\bSamsungBrowser\/(\d+)/, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/\bHeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/\b(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/\bVersion\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  [/\bNode\.js\/v?(\d+)/, 'Node.js'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, 'Android'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh|^Mac/, 'macOS'],
  [/Linux|X11/, 'Linux'],
];

/**
 * The browser, its major version and the system from a run's recorded user agent, by the tokens
 * browsers have kept stable for years (a small table rather than a user-agent library). The
 * platform the browser told (navigator.platform, or its user-agent data) names the system when the
 * user agent does not.
 */
export function deviceParts(d: RunDevice): DeviceParts {
  const ua = d.userAgent;
  const browser = BROWSERS.find(([re]) => re.test(ua));
  const os = SYSTEMS.find(([re]) => re.test(ua)) ?? SYSTEMS.find(([re]) => re.test(d.platform ?? ''));
  return {
    ...(browser ? { browser: browser[1], version: ua.match(browser[0])![1] } : {}),
    ...(os ? { os: os[1] } : {}),
  };
}

/** Where a run trained in a person's words: "Chrome 126 on Android, 8 cores, 4 GB of memory". */
export function deviceWords(d: RunDevice, say: (m: Message) => string = sayNow): string {
  const p = deviceParts(d);
  const browser = p.browser ? `${p.browser} ${p.version}` : say({ key: 'rerun.device.unknown' });
  const parts = [p.os ? say({ key: 'rerun.device.browserOn', values: { browser, os: p.os } }) : browser];
  if (d.cores !== undefined) parts.push(say({ key: 'rerun.device.cores', values: { count: d.cores } }));
  if (d.memoryGb !== undefined) parts.push(say({ key: 'rerun.device.memory', values: { gb: d.memoryGb } }));
  return parts.join(', ');
}
