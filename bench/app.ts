// Figures 4 (in the browser) and 5: the built app in headless Chromium, as a person uses it.
import { chromium, type Browser } from 'playwright-core';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.js';
import { CHROMIUM_ARGS } from '../scripts/chromium.mjs';

const dist = fileURLToPath(new URL('../web/dist/', import.meta.url));
const ARGS = CHROMIUM_ARGS;

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
}

/** Gzipped size of the JavaScript the first screen needs: index.html's scripts and module preloads. */
export function initialJsGzipKb(): number {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const srcs = [...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)].map((m) => m[1]);
  return srcs.reduce((kb, s) => kb + gzipSync(readFileSync(join(dist, s.replace(/^\//, '')))).length / 1024, 0);
}

/** The files the service worker precaches (its manifest, as built into sw.js). */
export function precacheUrls(): string[] {
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  return [...new Set([...sw.matchAll(/url:"([^"]+)"/g), ...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]))];
}

/** Everything the service worker precaches, in MB. */
export function precacheMb(): number {
  return precacheUrls().reduce((mb, u) => mb + statSync(join(dist, u)).size / 2 ** 20, 0);
}

/** Offline cold start: a new page, no network, until the first screen can be used. Median of n. */
export async function coldOfflineMs(browser: Browser, baseUrl: string, n: number): Promise<number> {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const first = await ctx.newPage();
  await first.goto(baseUrl);
  await first.evaluate(() => navigator.serviceWorker.ready);
  await first.waitForFunction(() => !!navigator.serviceWorker.controller);
  await first.close();
  await ctx.setOffline(true);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const page = await ctx.newPage();
    const t0 = performance.now();
    await page.goto(baseUrl);
    await page.getByRole('button', { name: 'Create project' }).waitFor();
    times.push(performance.now() - t0);
    await page.close();
  }
  await ctx.close();
  return median(times);
}

/**
 * Chrome DevTools' "Regular 2G" profile: 250 kbit/s down, 50 kbit/s up, 300 ms latency per
 * request; with a CPU four times slower and a 360 px phone screen.
 */
export const TWO_G = { latency: 300, downloadThroughput: 250_000 / 8, uploadThroughput: 50_000 / 8 };
const CPU_SLOWDOWN = 4;
const PHONE = { width: 360, height: 640 };

/**
 * "Usable": the projects screen's heading, the project-name field and an enabled "Create project"
 * button are laid out, and a frame has been produced after that. Runs in the page from its first
 * byte and reports the page's own clock (milliseconds since the navigation started).
 */
// A string, not a function: the page must not depend on how this file was compiled (tsx adds helpers).
const USABLE_PROBE = `(() => {
  const shown = (el) => !!el && el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility !== 'hidden';
  const usable = () => {
    const button = [...document.querySelectorAll('main button')].find((b) => b.textContent.trim() === 'Create project');
    const input = document.getElementById('project-name');
    return shown(document.querySelector('main h1')) && shown(button) && !button.disabled && shown(input) && !input.disabled;
  };
  const seen = new MutationObserver(() => {
    if (!usable()) return;
    seen.disconnect();
    requestAnimationFrame(() => window.__outpostUsable(performance.now()));
  });
  seen.observe(document, { childList: true, subtree: true, attributes: true });
})();`;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} was not usable within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

interface Request {
  url: string;
  startMs: number;
  endMs: number;
  bytes: number;
}

export interface FirstVisit {
  /** Navigation start to the first screen being usable (the page's clock). */
  usableMs: number;
  /** Navigation start to the load event. */
  loadMs: number;
  /** The page's requests until it was usable, in the order they started; bytes as on the wire. */
  waterfall: Request[];
  /** Bytes on the wire for the page's own requests (document, scripts, styles, images, API). */
  pageBytes: number;
  /** The service worker's requests (its script and the precache): when the first began, relative to usable, and their bytes. */
  swStartVsUsableMs: number | null;
  swBytes: number;
  swRequests: number;
}

/**
 * A first visit in a new browser context (no cache, no service worker) over 2G with a 4× slower
 * CPU; then, once the service worker has installed, repeat visits with no network at the same CPU.
 */
export async function firstVisit2g(browser: Browser, baseUrl: string, offlineRepeats: number): Promise<{ first: FirstVisit; offlineMs: number[] }> {
  const ctx = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const t0 = performance.now();
  const waiting = new Map<unknown, (at: { ms: number; node: number }) => void>();
  await ctx.exposeBinding('__outpostUsable', ({ page }, ms: number) => waiting.get(page)?.({ ms, node: performance.now() - t0 }));
  await ctx.addInitScript({ content: USABLE_PROBE });
  const open = async (network: boolean) => {
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    await cdp.send('Network.enable');
    if (network) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...TWO_G });
    const usable = new Promise<{ ms: number; node: number }>((resolve) => waiting.set(page, resolve));
    return { page, cdp, usable };
  };

  // The service worker's own fetches are not throttled by the page's emulation: they are timed
  // and counted here to show whether they start before the first screen is usable.
  let swFirst: number | null = null;
  let swBytes = 0;
  let swRequests = 0;
  ctx.on('request', (r) => {
    if (r.serviceWorker() && swFirst === null) swFirst = performance.now() - t0;
  });
  ctx.on('requestfinished', async (r) => {
    if (!r.serviceWorker()) return;
    swRequests++;
    swBytes += await r
      .sizes()
      .then((s) => s.responseBodySize + s.responseHeadersSize)
      .catch(() => 0);
  });

  const { page, cdp, usable } = await open(true);
  const requests = new Map<string, Request>();
  let origin: number | null = null;
  cdp.on('Network.requestWillBeSent', (e) => {
    origin ??= e.timestamp;
    requests.set(e.requestId, { url: e.request.url.replace(baseUrl, ''), startMs: (e.timestamp - origin) * 1000, endMs: NaN, bytes: 0 });
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = requests.get(e.requestId);
    if (r && origin !== null) Object.assign(r, { endMs: (e.timestamp - origin) * 1000, bytes: e.encodedDataLength });
  });
  await page.goto(baseUrl, { waitUntil: 'commit', timeout: 120_000 });
  const { ms: usableMs, node: usableNode } = await within(usable, 120_000, 'the first screen over 2G');
  await page.waitForLoadState('load', { timeout: 120_000 });
  const loadMs = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventStart);
  const waterfall = [...requests.values()].filter((r) => r.startMs <= usableMs).sort((a, b) => a.startMs - b.startMs);
  const pageBytes = [...requests.values()].reduce((n, r) => n + r.bytes, 0);
  // Offline needs the precache complete; the network stays emulated for the page only.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, undefined, { timeout: 300_000 });
  const first: FirstVisit = {
    usableMs,
    loadMs,
    waterfall,
    pageBytes,
    swStartVsUsableMs: swFirst === null ? null : swFirst - usableNode,
    swBytes,
    swRequests,
  };
  await page.close();

  await ctx.setOffline(true);
  const offlineMs: number[] = [];
  for (let i = 0; i < offlineRepeats; i++) {
    const again = await open(false);
    await again.page.goto(baseUrl, { waitUntil: 'commit' });
    offlineMs.push((await within(again.usable, 30_000, 'the first screen offline')).ms);
    await again.page.close();
  }
  await ctx.close();
  return { first, offlineMs };
}

/** Train the breast-cancer network through the app (WASM backend in a worker) and read the run. */
export async function trainInBrowser(
  browser: Browser,
  baseUrl: string,
  epochs: number,
  backend: 'wasm' | 'webgl' | 'cpu' = 'wasm',
): Promise<{ seconds: number; accuracy: number; backend: string }> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  // The ML view: the network's settings, the backend and the figures in the run's card are shown, not folded away.
  await page.goto(new URL('#/settings', baseUrl).href);
  await page.getByLabel('Show ML details').check();
  await page.goto(baseUrl);
  await page.getByLabel('Project name').fill('bench');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByLabel('Dataset file').setInputFiles(fileURLToPath(new URL('../public/samples/breast_cancer.csv', import.meta.url)));
  await page.getByLabel('Target column').selectOption('diagnosis');
  await page.getByRole('button', { name: 'Import' }).click();
  const settings = page.locator('details', { has: page.getByLabel('Epochs') });
  if ((await settings.count()) && !(await settings.evaluate((d) => (d as HTMLDetailsElement).open))) await settings.locator('summary').click();
  await page.getByLabel('Epochs').fill(String(epochs));
  await page.getByLabel('Learning rate').fill('0.001');
  await page.getByLabel('Compute backend').selectOption(backend);
  await page.getByRole('button', { name: 'Train' }).click();
  await page.getByText('completed', { exact: true }).waitFor({ timeout: 600_000 });
  const card = page.getByRole('article').first();
  const text = (await card.textContent()) ?? '';
  const secs = /(\d+(?:\.\d+)?) s/.exec(text);
  const acc = /Accuracy\s*([\d.]+)/.exec(text);
  const used = /· (wasm|webgl|cpu|webgpu) ·/.exec(text);
  // The card rounds to a tenth of a second; the run record keeps the milliseconds it shows.
  const ms = await page.evaluate(
    () =>
      new Promise<number | null>((resolve) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => resolve(null);
        open.onsuccess = () => {
          const all = open.result.transaction('runs').objectStore('runs').getAll();
          all.onerror = () => resolve(null);
          all.onsuccess = () => {
            const runs = (all.result as { status: string; durationMs?: number; startedAt: number }[]).filter((r) => r.status === 'completed');
            runs.sort((a, b) => b.startedAt - a.startedAt);
            resolve(runs[0]?.durationMs ?? null);
          };
        };
      }),
  );
  await ctx.close();
  const seconds = ms !== null ? ms / 1000 : secs ? Number(secs[1]) : NaN;
  return { seconds, accuracy: acc ? Number(acc[1]) : NaN, backend: used?.[1] ?? 'unknown' };
}
