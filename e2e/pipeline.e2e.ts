import { test, expect } from '@playwright/test';
import { projectWithDataset, setEpochs } from './steps.js';

// A person declares the project's pipeline on the Train tab and taps "Run now" twice: the first
// run does all seven steps (a real training and a registered version), the second reuses all of
// them; a check that cannot pass stops the next run before registering, with its sentence.
test('a pipeline runs all its steps, then reuses them, and stops at a failing check with the reason', async ({ page }) => {
  await projectWithDataset(page, 'Piped', 'iris.csv', 'species');
  await setEpochs(page, 4);
  await page.getByText('Train again when the data changes').click();
  await page.getByLabel('Register as').fill('flowers');

  await page.getByRole('button', { name: 'Run now' }).click();
  await expect(page.getByLabel('Pipeline progress')).toBeVisible();
  const runs = page.locator('ul.runs > li');
  await expect(runs.first()).toContainText('Finished', { timeout: 120_000 });
  await expect(runs.first()).toContainText('ran 7 steps, reused 0');
  await expect(runs.first().getByLabel('Train: done')).toBeVisible();
  await expect(runs.first().getByLabel('Register the model: done')).toBeVisible();
  // The pipeline's training is a run like any other, and its model is registered.
  await expect(page.getByText('completed', { exact: true })).toHaveCount(1);
  await expect(page.getByText(/Registered as flowers/)).toBeVisible();

  await page.getByRole('button', { name: 'Run now' }).click();
  await expect(runs).toHaveCount(2, { timeout: 60_000 });
  await expect(runs.first()).toContainText('Finished', { timeout: 60_000 });
  await expect(runs.first()).toContainText('ran 0 steps, reused 7');
  await expect(runs.first().getByLabel('Train: reused, nothing changed')).toBeVisible();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(1);

  await page.getByLabel('Register only if right at least this often on the test rows (%)').fill('101');
  await page.getByRole('button', { name: 'Run now' }).click();
  await expect(runs).toHaveCount(3, { timeout: 60_000 });
  await expect(runs.first()).toContainText('Stopped', { timeout: 60_000 });
  await expect(runs.first().getByLabel('Checks before registering: failed')).toBeVisible();
  await expect(runs.first().getByLabel('Register the model: skipped')).toBeVisible();
  await expect(runs.first()).toContainText(/Stopped at “Checks before registering”: accuracy on held-out test rows: [\d.]+, at least 1\.01 needed/);
});
