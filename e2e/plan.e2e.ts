import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { serviceWorkerReady } from './steps.js';

// The project's plan (machine learning canvas) at 360 px: a block written and saved, kept across
// an offline reload, the figures the project has beside the blocks, the plan downloaded, and the
// project deleted after a question.
test('write the plan of a project offline, keep it across a reload, download it, and delete the project after a question', async ({ page, context }) => {
  await page.goto('/');
  await serviceWorkerReady(page);
  await page.getByLabel('Project name').fill('Child referrals');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('link', { name: 'Plan' }).click();
  await expect(page.getByRole('heading', { name: 'What this project is for' })).toBeVisible();
  await expect(page.getByText('0 of 10 answered.')).toBeVisible();
  await expect(page.getByText('On this phone: 0 datasets, 0 rows.').first()).toBeVisible();

  await context.setOffline(true);
  const task = page.getByLabel(/What should the model tell you about each case/);
  await task.fill('Does the child need to go to the district hospital today?');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await expect(page.getByText('1 of 10 answered.')).toBeVisible();
  await page.getByLabel(/Which figures show that it helps/).fill('Children referred a week; children sent home who came back worse.');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('2 of 10 answered.')).toBeVisible();
  // Nothing is left to save, so no Save button waits.
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);

  await page.reload();
  await expect(page.getByLabel(/What should the model tell you about each case/)).toHaveValue('Does the child need to go to the district hospital today?');
  await expect(page.getByText('2 of 10 answered.')).toBeVisible();
  await expect(page.getByText('No figures are counted yet.').first()).toBeVisible();

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the plan' }).click()]);
  expect(download.suggestedFilename()).toBe('Child referrals-canvas.md');
  const text = await readFile((await download.path())!, 'utf8');
  expect(text).toContain('# Child referrals');
  expect(text).toContain('## What to predict\n\nDoes the child need to go to the district hospital today?');
  expect(text).toContain('## Watching it work\n\nChildren referred a week; children sent home who came back worse.');
  expect(text).toContain('## Who it helps\n\n—');

  // The project takes some space here; deleting it asks first, and Keep keeps it.
  await expect(page.getByText(/This project takes about .* on this phone\./)).toBeVisible();
  await page.getByRole('button', { name: 'Delete this project' }).click();
  await expect(page.getByRole('alertdialog')).toContainText('Delete “Child referrals” with its 0 datasets, 0 training runs and 0 model versions?');
  await page.getByRole('button', { name: 'No, keep it' }).click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete this project' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.getByRole('heading', { name: 'Projects' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Child referrals' })).toHaveCount(0);
  await context.setOffline(false);
});
