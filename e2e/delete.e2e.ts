import { expect, test } from '@playwright/test';
import { connectDevice, projectWithDataset } from './steps.js';

// A dataset deleted on one phone disappears on the other at its next sync. At 360 px.
test('a dataset deleted on one phone disappears on the other', async ({ browser }) => {
  const aCtx = await browser.newContext();
  const a = await aCtx.newPage();
  await connectDevice(a);
  await projectWithDataset(a, 'Shared register', 'iris.csv', 'species');
  await a.goto('/');
  await expect(a.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });

  const bCtx = await browser.newContext();
  const b = await bCtx.newPage();
  await connectDevice(b);
  await b.goto('/#/');
  await b.getByRole('link', { name: 'Shared register' }).click();
  await expect(b.getByRole('cell', { name: 'iris', exact: true })).toBeVisible();

  await a.goto('/#/');
  await a.getByRole('link', { name: 'Shared register' }).click();
  await a.getByRole('button', { name: 'Delete this dataset' }).click();
  await expect(a.getByRole('alertdialog')).toContainText('Delete “iris” and all its versions? No training run used it.');
  await a.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(a.getByRole('cell', { name: 'iris', exact: true })).toHaveCount(0);
  await a.reload();
  await expect(a.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });

  await b.reload();
  await expect(b.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  await expect(b.getByRole('cell', { name: 'iris', exact: true })).toHaveCount(0);
  await aCtx.close();
  await bCtx.close();
});
