import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { projectWithDataset, samplePath, setEpochs, trainAndRegister } from './steps.js';

test('training shows progress and can be cancelled; the run says so', async ({ page }) => {
  await projectWithDataset(page, 'Cancel me', 'breast_cancer.csv', 'diagnosis');
  // Long enough that it is still running when Cancel is pressed, on any machine.
  await setEpochs(page, 10000);
  await page.getByLabel('Hidden layers').fill('64, 64');
  await page.getByRole('button', { name: 'Train' }).click();
  const bar = page.getByRole('progressbar', { name: 'Training progress' });
  await expect(bar).toBeVisible();
  await expect.poll(async () => Number(await bar.getAttribute('value'))).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Cancel training' }).click();
  await expect(page.getByText('cancelled', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Register model' })).toHaveCount(0);
});

test('the training settings a person opened stay open, with what they typed, while the screen around them changes', async ({ page }) => {
  await projectWithDataset(page, 'Settings kept', 'breast_cancer.csv', 'diagnosis');
  await setEpochs(page, 7);
  // Leaving a column out re-renders the form around the settings.
  await page.getByText(/Columns it learns from/).click();
  await page.getByRole('checkbox', { name: 'mean radius' }).uncheck();
  await expect(page.getByText(/Columns it learns from \(29 of 30\)/)).toBeVisible();
  await expect(page.getByLabel('Epochs')).toBeVisible();
  await expect(page.getByLabel('Epochs')).toHaveValue('7');
});

test('a regression model predicts a number, and a whole file is scored and downloaded with every prediction logged', async ({ page }) => {
  await projectWithDataset(page, 'Progression', 'diabetes.csv', 'progression');
  await expect(page.getByLabel('Task')).toHaveValue('regression');
  await trainAndRegister(page, 20);
  await expect(page.getByText(/Usually off by about/).first()).toBeVisible();
  await page.getByRole('link', { name: 'Predict' }).click();
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/^-?\d+(\.\d+)?$/);

  await page.getByLabel('Batch file').setInputFiles(samplePath('diabetes.csv'));
  await page.getByRole('button', { name: 'Score file' }).click();
  await expect(page.getByText('Scored 442 rows')).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download results' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8')
    .trim()
    .split('\n');
  expect(csv).toHaveLength(443);
  expect(csv[0]).toMatch(/^prediction_id,age,sex,bmi,.*,prediction$/);
  expect(csv[1]).toMatch(/^[0-9a-f-]{36},/);
  expect(Number(csv[1].split(',').pop())).toBeGreaterThan(0);
  await expect(page.getByText('443 predictions logged')).toBeVisible();
});

test('a model version can be exported as one zip with its model card', async ({ page }) => {
  await projectWithDataset(page, 'Export', 'iris.csv', 'species');
  await trainAndRegister(page, 5);
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByText('production', { exact: true })).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export model' }).click()]);
  expect(download.suggestedFilename()).toMatch(/-v1\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
  const manifest = JSON.parse(strFromU8(files['outpost-model.json']));
  expect(manifest.version.pipeline.target.labels).toEqual(['setosa', 'versicolor', 'virginica']);
  expect(files['weights.bin'].length).toBe(manifest.version.weightsSize);
  expect(strFromU8(files['labels.txt'])).toBe('setosa\nversicolor\nvirginica\n');
  expect(strFromU8(files['model-card.html'])).toContain('Export');
});

test('case 18: storage full: the person is told what to do and nothing already stored is lost', async ({ page }) => {
  await projectWithDataset(page, 'Kept when full', 'iris.csv', 'species');
  // Chromium's quota cannot be shrunk from here (the DevTools override is refused in this build),
  // so the browser's own QuotaExceededError is raised by IndexedDB's put for dataset rows.
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'datasetRows') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await page.getByRole('link', { name: 'Data' }).click();
  await page.getByLabel('Dataset file').setInputFiles(samplePath('breast_cancer.csv'));
  await page.getByLabel('Target column').selectOption('diagnosis');
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText(/out of storage space/);
  await page.reload();
  await expect(page.getByRole('cell', { name: 'iris', exact: true })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'breast_cancer', exact: true })).toHaveCount(0);
  // The outbox holds exactly what was stored before (the project, the iris dataset and its first
  // version), nothing half-written.
  await expect(page.getByLabel('Sync status')).toHaveText('Not connected · 3 kept on device');
});

test('the prices of a missed case and a false alarm propose a threshold, which the version keeps', async ({ page }) => {
  await projectWithDataset(page, 'Costs', 'breast_cancer.csv', 'diagnosis');
  await setEpochs(page, 10);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByText('completed', { exact: true })).toBeVisible({ timeout: 120_000 });
  // A version not in production can still have its threshold chosen.
  await page.getByLabel('Make it the production version').uncheck();
  await page.getByRole('button', { name: 'Register model' }).click();
  await page.getByRole('link', { name: 'Models' }).click();
  await page.getByText('When to say “malignant”').click();
  await page.getByLabel('A missed “malignant” case costs').fill('20');
  await page.getByLabel('A false alarm costs').fill('1');
  await expect(page.getByLabel('Proposed threshold')).toHaveText(/Say “malignant” from \d+(\.\d)?% sure: expected cost [\d.e-]+ per case \(at 50%: [\d.e-]+\)/);
  await expect(page.getByRole('img', { name: /Cost by threshold: lowest at/ })).toBeVisible();
  await page.getByRole('button', { name: 'Use this threshold' }).click();
  await expect(page.getByText('Saved with this version.')).toBeVisible();
  await page.reload();
  await page.getByText('When to say “malignant”').click();
  await expect(page.getByText(/Kept: from \d+(\.\d)?% \(miss 20, false alarm 1\)/)).toBeVisible();
});
