import { test, expect } from '@playwright/test';
import { projectWithDataset, trainAndRegister } from './steps.js';

// "Train more on newer data" from a version card: the child run starts from the version, finishes
// on the Train tab, and its registered version names the one it was trained more from.
test('a version is trained more, and the new version names its parent', async ({ page }) => {
  await projectWithDataset(page, 'Trained more', 'iris.csv', 'species');
  await trainAndRegister(page, 5);
  await page.getByRole('link', { name: 'Models' }).click();
  const v1 = page.getByRole('article', { name: /version 1/ });
  await v1.getByText('Train more on newer data').click();
  await expect(v1.getByLabel('Data to learn from')).toContainText(/iris.*version 1/);
  await expect(v1.getByLabel('Rounds of learning')).toHaveValue('5');
  await v1.getByLabel('Rounds of learning').fill('3');
  await v1.getByRole('button', { name: 'Train more' }).click();

  await page.getByRole('link', { name: 'Train' }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(2, { timeout: 120_000 });
  await page.getByRole('button', { name: 'Register model' }).click();
  await page.getByRole('link', { name: 'Models' }).click();
  const v2 = page.getByRole('article', { name: /version 2/ });
  await expect(v2).toContainText(/Trained more from .*v1/);
  await expect(v1).not.toContainText('Trained more from');
});
