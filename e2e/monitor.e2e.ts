import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { testOrgAdminKey } from './server.js';
import { connectDevice, projectWithDataset, samplePath, signInConsole, trainAndRegister } from './steps.js';

// The feedback loop as a clinic lives it: predict offline, record the real results later from a
// file, see quality; a batch of changed cases shows as drift; after sync the console shows the
// same figures the phone does.

const sample = readFileSync(samplePath('breast_cancer.csv'), 'utf8').trim().split('\n');
const header = sample[0].split(',');
const target = header.indexOf('diagnosis');
/** The sample with every measurement scaled up by 60%: the same patients, measured differently. */
const shifted =
  [
    sample[0],
    ...sample.slice(1).map((l) =>
      l
        .split(',')
        .map((v, i) => (i === target ? v : String(Number(v) * 1.6)))
        .join(','),
    ),
  ].join('\n') + '\n';

async function scoreFile(page: Page, name: string, csv: string): Promise<string[]> {
  await page.getByRole('link', { name: 'Predict' }).click();
  await page.getByLabel('Batch file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Score file' }).click();
  await expect(page.getByText(`Scored ${sample.length - 1} rows`)).toBeVisible({ timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download results' }).click()]);
  return readFileSync(await download.path(), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
}

/** Record the real diagnosis of each scored row through the Monitor tab's file import. */
async function recordResults(page: Page, results: string[]) {
  const lines = ['prediction_id,outcome', ...results.map((r, i) => `${r.split(',')[0]},${sample[i + 1].split(',')[target]}`)];
  await page.getByRole('link', { name: 'Monitor' }).click();
  await page.getByLabel('Outcomes file').setInputFiles({ name: 'lab-results.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await expect(page.getByLabel('Which prediction')).toHaveValue('prediction_id');
  await expect(page.getByLabel('Real result', { exact: true })).toHaveValue('outcome');
  await page.getByRole('button', { name: 'Record results' }).click();
  await expect(page.getByText(`Recorded ${results.length} results.`)).toBeVisible({ timeout: 30_000 });
}

const quality = async (page: Page) => Number(await page.getByLabel('Live quality').textContent());

test('outcomes recorded offline show quality, a shifted batch shows drift, and the console shows the same figures after sync', async ({ page, context }) => {
  await projectWithDataset(page, 'Field check', 'breast_cancer.csv', 'diagnosis');
  await trainAndRegister(page, 15);
  await context.setOffline(true);

  // One case by hand, its real result recorded from the prediction log, and why the model said so.
  await page.getByRole('link', { name: 'Predict' }).click();
  await page.getByRole('button', { name: 'Predict' }).click();
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/benign|malignant/);
  await page.getByRole('button', { name: 'Why?' }).click();
  await expect(page.getByRole('img', { name: /^Biggest effects: / })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Record outcome' }).first().click();
  await page.getByRole('button', { name: /Real result: benign/ }).click();
  await expect(page.getByRole('button', { name: 'Change' })).toBeVisible();
  await page.getByRole('button', { name: 'Change' }).click();
  await page.getByRole('button', { name: /^Why did it say/ }).click();
  await expect(page.getByRole('img', { name: /^Biggest effects: / })).toHaveCount(2, { timeout: 30_000 });

  const first = await scoreFile(page, 'clinic-week-1.csv', sample.join('\n') + '\n');
  await recordResults(page, first);
  await expect(page.getByLabel('Live quality')).toBeVisible();
  const before = await quality(page);
  expect(before).toBeGreaterThan(0.9);
  await expect(page.getByLabel('Drift verdict')).toHaveText(/look like the training data/, { timeout: 30_000 });

  const second = await scoreFile(page, 'clinic-week-2.csv', shifted);
  await recordResults(page, second);
  await expect(page.getByLabel('Drift verdict')).toHaveText(/differ from the training data/, { timeout: 30_000 });
  const after = await quality(page);
  expect(after).toBeLessThan(before);
  await expect(page.getByText('Change in the cases seen').first()).toBeVisible();
  const deviceQuality = (await page.getByLabel('Live quality').textContent())!.trim();
  const predictions = 2 * (sample.length - 1) + 1;

  // Back online: connect and sync; the console's fleet view shows what the phone showed.
  await context.setOffline(false);
  await connectDevice(page);

  const consolePage = await context.newPage();
  await signInConsole(consolePage, await testOrgAdminKey());
  // Other tests' devices share the organisation: this version's row is the one with this many predictions.
  const row = consolePage
    .getByRole('table', { name: 'Monitoring' })
    .getByRole('row')
    .filter({ hasText: new RegExp(`\\b${predictions}\\b`) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`auc ${deviceQuality}`);
  await row.getByRole('link', { name: 'Details' }).click();
  await expect(consolePage.getByRole('img', { name: /Predictions a day/ })).toBeVisible();
  await expect(consolePage.getByRole('table', { name: 'Devices of this version' })).toContainText(/drifted \(\d+\/30\)/);

  // Enough real results for the default rule: a retrain is proposed, and its model is registered like any other.
  await page.goto(page.url().replace(/#.*$/, '') + '#/');
  await page.getByRole('link', { name: 'Field check' }).click();
  await page.getByRole('link', { name: 'Monitor' }).click();
  await expect(page.getByRole('heading', { name: 'Time to retrain' })).toBeVisible();
  await expect(page.getByText(/real results have been recorded since this version was made/)).toBeVisible();
  await page.getByRole('button', { name: 'Retrain with the newest data' }).click();
  await expect(page.getByLabel('Dataset').locator('option:checked')).toHaveText(/field results/);
  await trainAndRegister(page, 5);
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(page.getByRole('article', { name: /version 2/ })).toBeVisible();
});
