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

/** Everything the service worker precaches, in MB. */
export function precacheMb(): number {
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  const urls = [...sw.matchAll(/url:"([^"]+)"/g), ...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
  return [...new Set(urls)].reduce((mb, u) => mb + statSync(join(dist, u)).size / 2 ** 20, 0);
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
  await ctx.close();
  return { seconds: secs ? Number(secs[1]) : NaN, accuracy: acc ? Number(acc[1]) : NaN, backend: used?.[1] ?? 'unknown' };
}
