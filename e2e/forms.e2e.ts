import { test, expect, type Page } from '@playwright/test';
import { serverRecordCount } from './server.js';
import { connectDevice, serviceWorkerReady } from './steps.js';

// Collection forms as a nurse meets them at 360 px: a form built on one phone reaches a second;
// both fill it in offline (a value out of range is refused at once with its sentence); back
// online, the entries of both phones become one merged version, the same on both.

async function openTab(page: Page, project: string, tab: string) {
  await page.goto('/#/');
  await page.getByRole('link', { name: project }).click();
  await page.getByRole('link', { name: tab, exact: true }).click();
}

async function fillEntry(page: Page, temp: string, cough: 'Yes' | 'No') {
  await page.getByLabel(/Temperature/).fill(temp);
  await page.getByLabel(/Temperature/).press('Enter');
  // Enter went to the next field: the yes/no buttons, large enough for a thumb.
  const yes = page.getByRole('button', { name: cough, exact: true });
  const box = await yes.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  await yes.click();
  await page.getByRole('button', { name: 'Save entry' }).click();
  await expect(page.getByText('Saved. The form is ready for the next entry.')).toBeVisible();
  await expect(page.getByLabel(/Temperature/)).toHaveValue('');
}

test('a form filled offline on two phones merges into one version with the same rows on both', async ({ browser }) => {
  // The organisation is shared with the other files' tests: count what this test adds.
  const before = await serverRecordCount('dataset_versions');
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await connectDevice(a);
  await serviceWorkerReady(a);

  // Phone A: a project that lets rows sync, and a form built field by field.
  await a.goto('/#/');
  await a.getByLabel('Project name').fill('Fever clinic');
  await a.getByRole('button', { name: 'Create project' }).click();
  await a.getByRole('link', { name: 'Forms', exact: true }).click();
  await a.getByRole('button', { name: 'Build a new form' }).click();
  await a.getByLabel('Name of the new dataset').fill('Fever visits');
  await a.getByLabel('Column name').fill('temp');
  await a.getByLabel('Question shown (optional)').fill('Temperature');
  await a.getByLabel('Lowest allowed').fill('34');
  await a.getByLabel('Highest allowed').fill('43');
  await a.getByLabel('Unit').fill('°C');
  await a.getByRole('button', { name: 'Add field' }).click();
  await a.getByLabel('Column name').nth(1).fill('cough');
  await a.getByLabel('Type').nth(1).selectOption({ label: 'Yes or no' });
  await a.getByRole('button', { name: 'Save form' }).click();
  await expect(a.getByRole('button', { name: 'Fill in Fever visits' })).toBeVisible();
  await a.getByRole('link', { name: 'Data', exact: true }).click();
  await a.getByRole('checkbox', { name: /Send this project's rows/ }).check();
  await a.goto('/#/settings');
  await expect(a.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });

  // Phone B enrols and receives the project and its form.
  await connectDevice(b);
  await serviceWorkerReady(b);
  await openTab(b, 'Fever clinic', 'Forms');
  await expect(b.getByRole('button', { name: 'Fill in Fever visits' })).toBeVisible({ timeout: 30_000 });

  // Both offline: A enters two, B one. A value out of range is refused at once, with its sentence.
  await a.context().setOffline(true);
  await b.context().setOffline(true);
  await openTab(a, 'Fever clinic', 'Forms');
  await a.getByRole('button', { name: 'Fill in Fever visits' }).click();
  await a.getByLabel(/Temperature/).fill('44');
  await expect(a.getByText('Temperature must be between 34 and 43 °C.')).toBeVisible();
  await a.getByRole('button', { name: 'Save entry' }).click();
  await expect(a.getByText('Fix the fields marked in red, then save.')).toBeVisible();
  await expect(a.getByText('Saved. The form is ready for the next entry.')).toHaveCount(0);
  await expect(a.getByLabel(/Temperature/)).toHaveAttribute('inputmode', 'decimal');
  await fillEntry(a, '38,5', 'Yes');
  await fillEntry(a, '36.9', 'No');
  await b.getByRole('button', { name: 'Fill in Fever visits' }).click();
  await fillEntry(b, '40', 'Yes');
  // Nothing sideways at 360 px.
  for (const p of [a, b]) expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

  // Online again: A syncs, then B (which sees both and joins them), then A picks up the merge.
  await a.context().setOffline(false);
  await a.goto('/#/settings');
  await expect(a.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  await b.context().setOffline(false);
  await b.goto('/#/settings');
  await expect(b.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  await b.getByRole('button', { name: 'Sync now' }).click();
  await expect(b.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  // First version, A's two entries (one version: they were saved in one sitting), B's one, and one
  // merge: never two merges of the same versions.
  await expect.poll(() => serverRecordCount('dataset_versions'), { timeout: 30_000 }).toBe(before + 4);
  await a.getByRole('button', { name: 'Sync now' }).click();
  await expect(a.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });

  for (const p of [a, b]) {
    await openTab(p, 'Fever clinic', 'Data');
    await expect(p.getByText(/Version 3 \(current\)/)).toBeVisible({ timeout: 30_000 });
    await expect(p.getByText(/Joined 2 versions made on different phones/)).toBeVisible();
    await openTab(p, 'Fever clinic', 'Forms');
    await expect(p.getByText('3 rows')).toBeVisible();
  }
  // Syncing again makes no second merge.
  await b.goto('/#/settings');
  await b.getByRole('button', { name: 'Sync now' }).click();
  await expect(b.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  expect(await serverRecordCount('dataset_versions')).toBe(before + 4);
});
