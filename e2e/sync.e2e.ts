import { test, expect, type Page, type BrowserContext } from '@playwright/test';
import { createEnrollmentCode, serverRecordCount } from './server.js';
import { connectDevice, projectWithDataset, serviceWorkerReady, trainAndRegister } from './steps.js';

// Sync faults as they happen to a person: the page closed mid-push or mid-pull, two tabs open,
// a model download cut off. Each test names its case from docs/sync.md's fault list.

const connect = (page: Page) => connectDevice(page, 30_000);

async function createProjects(page: Page, names: string[]) {
  await page.goto('/#/');
  for (const n of names) {
    await page.getByLabel('Project name').fill(n);
    await page.getByRole('button', { name: 'Create project' }).click();
    // A person sees the new project open before going back to the list.
    await expect(page.getByLabel('Dataset file')).toBeVisible();
    await page.getByRole('link', { name: 'Projects' }).click();
  }
}

test('case 6: the page is closed after a local write and before the push; the outbox survives and is pushed on the next start', async ({ browser }) => {
  const ctx: BrowserContext = await browser.newContext();
  const page = await ctx.newPage();
  await connect(page);
  // The screens' code is what the service worker keeps; until it has it, nothing opens offline.
  await serviceWorkerReady(page);
  const before = await serverRecordCount('projects');
  await ctx.setOffline(true);
  await createProjects(page, ['Closed before push A', 'Closed before push B']);
  await expect(page.getByRole('link', { name: 'Closed before push B' })).toBeVisible();
  await page.close();
  await ctx.setOffline(false);
  const again = await ctx.newPage();
  await again.goto('/');
  await expect(again.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  expect(await serverRecordCount('projects')).toBe(before + 2);
  await ctx.close();
});

test('case 2 and 6: the page is closed while a push is on the wire (the server commits, the answer is lost); the re-push lands once', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await connect(page);
  const before = await serverRecordCount('projects');
  let cut = true;
  await ctx.route('**/api/sync/push', async (route) => {
    if (!cut) return route.continue();
    cut = false;
    await route.fetch(); // reaches the server and commits
    await page.close(); // ...but the page is gone before the answer arrives
  });
  await createProjects(page, ['Mid-push']).catch(() => {});
  await expect.poll(() => page.isClosed(), { timeout: 30_000 }).toBe(true);
  const again = await ctx.newPage();
  await again.goto('/');
  await expect(again.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  expect(await serverRecordCount('projects')).toBe(before + 1);
  await ctx.close();
});

test('case 7: the page is closed as a pull page arrives; the next start pulls again and applies it once', async ({ browser }) => {
  const writer = await browser.newContext();
  const w = await writer.newPage();
  await connect(w);
  await createProjects(w, ['Pulled after a close']);
  await expect(w.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });

  const reader = await browser.newContext();
  const r = await reader.newPage();
  let closeOnPull = false;
  await reader.route('**/api/sync/pull**', async (route) => {
    if (!closeOnPull) return route.continue();
    closeOnPull = false;
    const res = await route.fetch();
    await route.fulfill({ response: res });
    await r.close();
  });
  await r.goto('/#/settings');
  await r.getByLabel('Server URL').fill(new URL(r.url()).origin);
  await r.getByLabel('Enrollment code').fill(await createEnrollmentCode());
  closeOnPull = true;
  await r.getByRole('button', { name: 'Connect' }).click();
  await expect.poll(() => r.isClosed(), { timeout: 30_000 }).toBe(true);
  const again = await reader.newPage();
  await again.goto('/');
  await expect(again.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  await expect(again.getByRole('link', { name: 'Pulled after a close' })).toHaveCount(1);
  await writer.close();
  await reader.close();
});

test('case 8: two tabs of one device sync at once; one leads and nothing is sent twice', async ({ browser }) => {
  const ctx = await browser.newContext();
  const a = await ctx.newPage();
  await connect(a);
  await serviceWorkerReady(a);
  const b = await ctx.newPage();
  await b.goto('/');
  await expect(b.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  const before = await serverRecordCount('projects');
  let pushes = 0;
  await ctx.route('**/api/sync/push', async (route) => {
    pushes++;
    await route.continue();
  });
  await ctx.setOffline(true);
  await createProjects(a, ['Tab one', 'Tab two', 'Tab three']);
  await ctx.setOffline(false); // both tabs see `online` and try to sync at the same moment
  await expect(a.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  await expect(b.getByLabel('Sync status')).toHaveText(/Synced|waiting/, { timeout: 30_000 });
  expect(await serverRecordCount('projects')).toBe(before + 3);
  expect(pushes).toBe(1);
  await ctx.close();
});

test('case 17: a model download cut off is retried, verified, and the model then predicts offline', async ({ browser }) => {
  const trainer = await browser.newContext();
  const t = await trainer.newPage();
  await connect(t);
  await projectWithDataset(t, 'Download cut', 'iris.csv', 'species');
  await trainAndRegister(t, 5);
  await expect(t.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });

  const field = await browser.newContext();
  const f = await field.newPage();
  let cuts = 0;
  await field.route('**/api/blobs/*', async (route) => {
    if (route.request().method() === 'GET' && cuts++ === 0) return route.abort('connectionreset');
    return route.continue();
  });
  await connect(f).catch(() => {});
  await expect(f.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });
  expect(cuts).toBeGreaterThanOrEqual(2);
  await f.getByRole('link', { name: 'Projects' }).click();
  await f.getByRole('link', { name: 'Download cut' }).first().click();
  await f.getByRole('link', { name: 'Predict' }).click();
  await field.setOffline(true);
  await f.getByRole('button', { name: 'Predict' }).click();
  await expect(f.getByLabel('Prediction', { exact: true })).toHaveText(/setosa|versicolor|virginica/);
  await trainer.close();
  await field.close();
});
