import { test, expect } from '@playwright/test';
import { projectWithDataset, setEpochs } from './steps.js';

// A run trained on a phone, then "Run again": the new run repeats it (same version, split, seed and
// backend on the same browser), says its results are the same as the first one's, and leads back
// to it; the first run says it was run again with the same results; both say where they trained.
test('a run run again gives the same results and leads back to the first run', async ({ page }) => {
  await projectWithDataset(page, 'Repeated', 'iris.csv', 'species');
  await setEpochs(page, 4);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(1, { timeout: 120_000 });
  const cards = page.getByRole('article');
  await expect(cards.first()).toContainText(/Trained on (Headless )?Chrome \d+ on Linux, \d+ cores?/);

  await cards.first().getByRole('button', { name: 'Run again', exact: true }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(2, { timeout: 120_000 });
  const rerun = cards.nth(0);
  const original = cards.nth(1);
  await expect(rerun.getByText(/^Same results as the run of /)).toBeVisible();
  await expect(original.getByText(/^Run again on .*: same results\.$/)).toBeVisible();

  // Figure by figure: every figure the same, and nothing about the conditions differed.
  await rerun.getByText('Figure by figure, and what was not the same').click();
  const table = rerun.getByRole('table');
  await expect(table).toContainText('On cases kept aside');
  await expect(table).toContainText('On test cases');
  const right = table
    .getByRole('row', { name: /^how often right / })
    .first()
    .getByRole('cell');
  await expect(right).toHaveCount(3);
  expect(await right.nth(1).textContent()).toBe(await right.nth(0).textContent());
  await expect(rerun.getByText(/^Same data version, rows kept aside, random start/)).toBeVisible();

  await rerun.getByRole('button', { name: /^Run again of / }).click();
  await expect(original).toBeFocused();
});
