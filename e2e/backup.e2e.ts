import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { serverRecordCount } from './server.js';
import { connectDevice, projectWithDataset, serviceWorkerReady } from './steps.js';

// A phone that worked offline is backed up to one file; a new phone restores it, connects with its
// own code and syncs: the server ends with everything once, and the old phone syncing later adds
// nothing twice. At 360 px, as a person does it in Settings.
test('a backup restored on a new phone syncs without losing or duplicating anything', async ({ browser }) => {
  const oldCtx = await browser.newContext();
  const oldPhone = await oldCtx.newPage();
  await connectDevice(oldPhone);
  await serviceWorkerReady(oldPhone);
  const projectsBefore = await serverRecordCount('projects');
  const datasetsBefore = await serverRecordCount('datasets');
  await oldCtx.setOffline(true);
  await projectWithDataset(oldPhone, 'Backed up clinic', 'iris.csv', 'species');

  await oldPhone.goto('/#/settings');
  const [download] = await Promise.all([oldPhone.waitForEvent('download'), oldPhone.getByRole('button', { name: 'Save a backup' }).click()]);
  await expect(oldPhone.getByText(/Backup saved/)).toBeVisible();
  expect(download.suggestedFilename()).toMatch(/^outpost-backup-\d{4}-\d{2}-\d{2}\.outpost\.gz$/);
  const file = (await download.path())!;

  const newCtx = await browser.newContext();
  const newPhone = await newCtx.newPage();
  await newPhone.goto('/#/settings');
  // A half-written file is refused, and nothing is restored.
  await newPhone
    .getByLabel(/Restore a backup on this phone/)
    .setInputFiles({ name: 'cut.outpost.gz', mimeType: 'application/gzip', buffer: (await readFile(file)).subarray(0, 400) });
  await newPhone.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(newPhone.getByRole('alert')).toContainText('This backup file is incomplete');
  await newPhone.getByLabel(/Restore a backup on this phone/).setInputFiles(file);
  await newPhone.getByRole('button', { name: 'Restore', exact: true }).click();
  await expect(newPhone.getByRole('status').filter({ hasText: /Restored \d+ records/ })).toBeVisible();
  await newPhone.goto('/#/');
  await expect(newPhone.getByRole('link', { name: 'Backed up clinic' })).toBeVisible();

  await connectDevice(newPhone);
  expect(await serverRecordCount('projects')).toBe(projectsBefore + 1);
  expect(await serverRecordCount('datasets')).toBe(datasetsBefore + 1);

  // The old phone comes back online and syncs its own copy: still once.
  await oldCtx.setOffline(false);
  await oldPhone.goto('/');
  await expect(oldPhone.getByLabel('Sync status')).toHaveText('Synced', { timeout: 30_000 });
  expect(await serverRecordCount('projects')).toBe(projectsBefore + 1);
  expect(await serverRecordCount('datasets')).toBe(datasetsBefore + 1);
  await oldCtx.close();
  await newCtx.close();
});
