import { test, expect, type Page, type BrowserContext } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { fileURLToPath } from 'node:url';
import { createEnrollmentCode, serverRecordCount } from './server.js';
import { serviceWorkerReady, setEpochs } from './steps.js';

// The whole loop as a person does it, at a phone's size: import, train, register, predict,
// offline, sync, and a second device that receives the model and predicts with it offline.
const sample = fileURLToPath(new URL('../public/samples/breast_cancer.csv', import.meta.url));

async function connect(page: Page, code: string) {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Server URL').fill(new URL(page.url()).origin);
  await page.getByLabel('Enrollment code').fill(code);
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByText(/Connected to/)).toBeVisible();
}

async function expectNoSeriousA11yViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

test('import, train, register, predict, work offline, sync, and predict on a second device', async ({ browser, baseURL }) => {
  // The organisation is shared with the other files' tests: count what this test adds.
  const before = {
    predictions: await serverRecordCount('predictions'),
    versions: await serverRecordCount('model_versions'),
    runs: await serverRecordCount('runs'),
  };
  const device1: BrowserContext = await browser.newContext();
  const page = await device1.newPage();
  await page.goto('/');
  await expect(page.locator('link[rel="manifest"]')).toHaveCount(1);
  await serviceWorkerReady(page);

  // A project and a dataset.
  await page.getByLabel('Project name').fill('Clinic triage');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByLabel('Dataset file').setInputFiles(sample);
  await page.getByLabel('Target column').selectOption('diagnosis');
  await expect(page.getByRole('region', { name: 'Validation summary' })).toContainText('569');
  await expect(page.getByRole('list', { name: 'Class balance' })).toContainText('benign');
  await expectNoSeriousA11yViolations(page);
  await page.getByRole('button', { name: 'Import' }).click();

  // Train (fewer epochs than the default to keep the test short).
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();
  await setEpochs(page, 15);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByRole('progressbar')).toBeVisible();
  await expect(page.getByText('completed', { exact: true })).toBeVisible({ timeout: 120_000 });
  if (process.env.UPDATE_SCREENSHOT) {
    await page.getByRole('img', { name: /How the learning went/ }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: fileURLToPath(new URL('../docs/screenshot-train.png', import.meta.url)) });
  }
  await expectNoSeriousA11yViolations(page);
  await page.getByRole('button', { name: 'Register model' }).click();
  await expect(page.getByText(/Registered as/)).toBeVisible();

  // Predict from the form; the result is shown and logged.
  await page.getByRole('link', { name: 'Predict' }).click();
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/malignant|benign/);
  await expect(page.getByText('1 prediction logged')).toBeVisible();
  if (process.env.UPDATE_SCREENSHOT) {
    await page.getByLabel('Prediction', { exact: true }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: fileURLToPath(new URL('../docs/screenshot.png', import.meta.url)) });
  }
  await expectNoSeriousA11yViolations(page);

  // Offline: reload, and everything made so far is still there and works.
  await device1.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Clinic triage' })).toBeVisible();
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/malignant|benign/);
  await expect(page.getByText('2 predictions logged')).toBeVisible();
  await expect(page.getByLabel('Sync status')).toHaveText(/Not connected/);

  // Back online: connect and sync.
  await device1.setOffline(false);
  await connect(page, await createEnrollmentCode());
  await expect(page.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });
  expect(await serverRecordCount('predictions')).toBe(before.predictions + 2);
  expect(await serverRecordCount('model_versions')).toBe(before.versions + 1);
  expect(await serverRecordCount('runs')).toBe(before.runs + 1);

  // A second device of the same organisation receives the model and predicts offline.
  const device2 = await browser.newContext();
  const page2 = await device2.newPage();
  await page2.goto('/');
  await serviceWorkerReady(page2);
  await connect(page2, await createEnrollmentCode());
  await expect(page2.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });
  await page2.getByRole('link', { name: 'Projects' }).click();
  await page2.getByRole('link', { name: 'Clinic triage' }).click();
  await page2.getByRole('link', { name: 'Predict' }).click();
  await device2.setOffline(true);
  await page2.getByRole('button', { name: 'Predict' }).click();
  await expect(page2.getByLabel('Prediction', { exact: true })).toHaveText(/malignant|benign/);
  await device2.setOffline(false);
  await expect(page2.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });
  expect(await serverRecordCount('predictions')).toBe(before.predictions + 3);

  await device1.close();
  await device2.close();
  void baseURL;
});
