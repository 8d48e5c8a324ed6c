import { test, expect } from '@playwright/test';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What makes it installable and offline-capable, checked the way a browser sees it.
test('the web manifest is installable: name, icons 192 and 512, standalone, theme colour', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const res = await request.get(new URL(href!, page.url()).toString());
  expect(res.ok()).toBe(true);
  const m = await res.json();
  expect(m.name).toMatch(/Outpost/);
  expect(m.short_name).toBe('Outpost');
  expect(m.display).toBe('standalone');
  expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  const sizes = m.icons.map((i: { sizes: string }) => i.sizes);
  expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
  for (const icon of m.icons) {
    const r = await request.get(new URL(icon.src, res.url()).toString());
    expect(r.headers()['content-type']).toBe('image/png');
  }
});

test('the service worker precaches the app shell, the TensorFlow.js WASM files and the samples', async ({ page }) => {
  await page.goto('/');
  const cached = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    for (let i = 0; i < 100; i++) {
      const keys = await caches.keys();
      const urls: string[] = [];
      for (const k of keys) for (const r of await (await caches.open(k)).keys()) urls.push(r.url);
      if (urls.some((u) => u.endsWith('.wasm'))) return urls;
      await new Promise((r) => setTimeout(r, 200));
    }
    return [];
  });
  expect(cached.some((u) => /index\.html/.test(u))).toBe(true);
  expect(cached.filter((u) => /tfjs-backend-wasm.*\.wasm/.test(u)).length).toBeGreaterThanOrEqual(1);
  expect(cached.some((u) => /samples\/breast_cancer\.csv/.test(u))).toBe(true);
});

test('a malformed or empty file gets a clear message and changes nothing', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Project name').fill('Bad input');
  await page.getByRole('button', { name: 'Create project' }).click();
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bad-'));
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  await page.getByLabel('Dataset file').setInputFiles(empty);
  await expect(page.getByRole('alert')).toContainText(/empty/i);
  const ragged = join(dir, 'ragged.csv');
  writeFileSync(ragged, 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n');
  await page.getByLabel('Dataset file').setInputFiles(ragged);
  await expect(page.getByRole('alert')).toContainText(/row/i);
  await expect(page.getByRole('button', { name: 'Import' })).toHaveCount(0);
  await expect(page.getByText('None yet.')).toBeVisible();
});

test('a new release announces itself and updates when the person chooses, keeping their data', async ({ page }) => {
  // The build the server serves (E2E_WEB_DIR when the suite runs against another build).
  const swPath = process.env.E2E_WEB_DIR ? join(process.env.E2E_WEB_DIR, 'sw.js') : new URL('../web/dist/sw.js', import.meta.url);
  const original = readFileSync(swPath, 'utf8');
  try {
    await page.goto('/');
    await page.evaluate(() => navigator.serviceWorker.ready);
    // The first service worker claims the page at once, so it works offline without a reload.
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
    await page.getByLabel('Project name').fill('Kept across updates');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('link', { name: 'Projects' }).click();
    // A new build: a different service worker script.
    writeFileSync(swPath, `${original}\n// release ${Date.now()}\n`);
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await expect(page.getByText('A new version of Outpost is ready')).toBeVisible({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Reload to update' }).click();
    await expect(page.getByRole('link', { name: 'Kept across updates' })).toBeVisible();
    await expect(page.getByText('A new version of Outpost is ready')).toHaveCount(0);
  } finally {
    writeFileSync(swPath, original);
  }
});

test('Background Sync only wakes the page: a sync event from the browser asks open pages to sync', async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await page.evaluate(() => {
    (window as unknown as { wakes: number }).wakes = 0;
    navigator.serviceWorker.addEventListener('message', (e) => {
      if (e.data?.type === 'outpost-sync-wake') (window as unknown as { wakes: number }).wakes++;
    });
  });
  const cdp = await page.context().newCDPSession(page);
  const registrations = new Promise<{ registrationId: string; scopeURL: string }[]>((resolve) =>
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => e.registrations.length && resolve(e.registrations)),
  );
  await cdp.send('ServiceWorker.enable');
  const [reg] = await registrations;
  await cdp.send('ServiceWorker.dispatchSyncEvent', {
    origin: new URL(page.url()).origin,
    registrationId: reg.registrationId,
    tag: 'outpost-sync',
    lastChance: false,
  });
  await expect.poll(() => page.evaluate(() => (window as unknown as { wakes: number }).wakes)).toBe(1);
});

test('offline before the app has been kept for offline use, a screen that cannot load says so instead of doing nothing', async ({ browser }) => {
  // No service worker, and every script the first paint does not need is cut off, as on a first
  // visit that loses its connection before "ready to work offline".
  const ctx = await browser.newContext({ serviceWorkers: 'block' });
  const page = await ctx.newPage();
  const html = await (await page.request.get('/')).text();
  const first = new Set([...html.matchAll(/(?:src|href)="\/?([^"]+\.js)"/g)].map((m) => m[1]));
  expect(first.size).toBeGreaterThan(0);
  await page.route('**/*.js', (route) => {
    const path = new URL(route.request().url()).pathname.slice(1);
    return first.has(path) ? route.continue() : route.abort('internetdisconnected');
  });
  await page.goto('/');
  const said = page.getByRole('alert').filter({ hasText: 'This screen could not be loaded without a connection' });
  await expect(said).toBeVisible();
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(said).toBeVisible();
  await ctx.close();
});
