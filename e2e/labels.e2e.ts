import { test, expect, type Page } from '@playwright/test';
import { encodePng } from '../shared/src/images/png.js';
import { connectDevice } from './steps.js';

// Labeling at 360 px on two phones: each person labels the same rows with one tap each; after a
// sync both phones show the same agreement in plain words (Cohen's kappa one tap away) and the
// same disagreement to review; the reviewer's choice and the agreed labels go into the dataset as
// one new version.

const ROWS = [
  ...Array.from({ length: 8 }, (_, i) => [String(10 + i * 0.5), i % 3 ? 'no' : 'yes', i < 3 ? 'sam' : 'ok']),
  ['10.2', 'yes', ''],
  ['14.1', 'no', ''],
  ['11.6', 'no', ''],
  ['13.2', 'no', ''],
];
const CSV = ['muac,oedema,status', ...ROWS.map((r) => r.join(','))].join('\n');

async function noSidewaysScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

/** Label the rows the queue shows, one tap each, in order. */
async function labelAll(page: Page, values: string[]) {
  for (const [i, v] of values.entries()) {
    await expect(page.getByText(`${values.length - i} ${values.length - i === 1 ? 'item waits' : 'items wait'} for your label.`)).toBeVisible();
    await page.getByRole('button', { name: v, exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `Saved “${v}” for row ${i + 9}.` })).toBeVisible();
  }
  await expect(page.getByText('Nothing in this column waits for your label.')).toBeVisible();
}

test('two people label the same rows with one tap each and see the same agreement and disagreement', async ({ browser }) => {
  const phoneA = await browser.newContext();
  const a = await phoneA.newPage();
  await connectDevice(a);
  await a.goto('/');
  await a.getByLabel('Project name').fill('Screening labels');
  await a.getByRole('button', { name: 'Create project' }).click();
  await a.getByLabel(/Send this project's rows to the organisation/).check();
  await a.getByLabel('Dataset file').setInputFiles({ name: 'muac.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await a.getByLabel('Target column').selectOption('status');
  await a.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(a.getByRole('button', { name: 'Train' })).toBeVisible();

  await a.getByRole('link', { name: 'Label', exact: true }).click();
  await expect(a.getByRole('heading', { name: 'Labeling' })).toBeVisible();
  // The row's values are shown with the big buttons: one tap labels it and the next row comes.
  await expect(a.getByLabel('Row 9')).toContainText('10.2');
  await noSidewaysScroll(a);
  await labelAll(a, ['sam', 'ok', 'ok', 'ok']);
  await expect(a.getByText('No item has labels from two people yet.')).toBeVisible();
  await expect(a.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });

  const phoneB = await browser.newContext();
  const b = await phoneB.newPage();
  await connectDevice(b);
  await b.goto('/');
  await b.getByRole('link', { name: 'Screening labels' }).click();
  await b.getByRole('link', { name: 'Label', exact: true }).click();
  await expect(b.getByLabel('Row 9')).toContainText('10.2', { timeout: 60_000 });
  // Several people may share a phone: each labels under a name of their own.
  await b.getByLabel(/Your name/).fill('Bola');
  await b.getByRole('button', { name: 'Label as this name' }).click();
  await expect(b.getByText('You label as Bola.')).toBeVisible();
  await labelAll(b, ['sam', 'ok', 'sam', 'ok']);
  const plain = 'People agreed on 3 of 4 rows. Agreement beyond chance: 0.5 (Cohen’s kappa).';
  await expect(b.getByText(plain)).toBeVisible();
  await b.getByText('Details', { exact: true }).click();
  await expect(b.getByText('Cohen’s kappa: 0.5 over 4 items with 2 labels each.')).toBeVisible();
  const review = b.getByRole('region', { name: 'To review' });
  await expect(review.getByText('Row 11', { exact: true })).toBeVisible();
  await expect(review.getByText('No majority: this item waits for a review.')).toBeVisible();
  await expect(review.getByText('Bola: sam')).toBeVisible();
  await noSidewaysScroll(b);
  await expect(b.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });

  // The first phone, after its next sync, shows the same figures and the same row to review.
  await a.reload();
  await expect(a.getByText(plain)).toBeVisible({ timeout: 60_000 });
  const reviewA = a.getByRole('region', { name: 'To review' });
  await expect(reviewA.getByText('Row 11', { exact: true })).toBeVisible();
  await reviewA.getByRole('button', { name: 'Choose “sam”' }).click();
  await expect(reviewA.getByText(/Reviewed: “sam”/)).toBeVisible();
  await a.getByRole('button', { name: 'Put 4 decided labels into the dataset' }).click();
  await expect(a.getByText('Version 2 made: 4 rows labelled.')).toBeVisible();
  await expect(a.getByText('The dataset already holds every decided label.').first()).toBeVisible();
  await a.getByRole('link', { name: 'Data', exact: true }).click();
  await expect(a.getByText('Changed 4 rows (labels).').first()).toBeVisible();
  await phoneA.close();
  await phoneB.close();
});

/** A small picture: a square of one colour on grey. */
function picture(i: number): Buffer {
  const [w, h] = [80, 60];
  const rgb = new Uint8Array(w * h * 3).fill(120);
  for (let y = 10; y < 50; y++) for (let x = 20 + i * 5; x < 60; x++) rgb.set(i % 2 ? [30, 160, 40] : [200, 40, 30], (y * w + x) * 3);
  return Buffer.from(encodePng(rgb, w, h));
}

test('photos without a label are shown one at a time and labelled with one tap each', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Project name').fill('Cassava labels');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('button', { name: 'Take or add photos' }).click();
  await page.getByLabel('Name of the photo dataset').fill('Leaves');
  await page.getByLabel('Labels, separated by commas').fill('healthy, mosaic');
  await page.getByLabel('No label yet', { exact: true }).check();
  await page
    .getByLabel('Choose photos')
    .setInputFiles(Array.from({ length: 3 }, (_, i) => ({ name: `leaf-${i}.png`, mimeType: 'image/png', buffer: picture(i) })));
  await page.getByRole('button', { name: 'Save 3 photos' }).click();
  await expect(page.getByRole('status').filter({ hasText: '3 photos saved as version 1.' })).toBeVisible();

  await page.getByRole('link', { name: 'Label', exact: true }).click();
  for (const [i, v] of ['mosaic', 'healthy', 'mosaic'].entries()) {
    // The photo itself, with the dataset's own labels as big buttons.
    await expect(page.getByRole('img', { name: `Photo of row ${i + 1}` })).toBeVisible();
    await page.getByRole('button', { name: v, exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: `Saved “${v}” for row ${i + 1}.` })).toBeVisible();
  }
  await expect(page.getByText('Nothing in this column waits for your label.')).toBeVisible();
  await noSidewaysScroll(page);
  await page.getByRole('button', { name: 'Put 3 decided labels into the dataset' }).click();
  await expect(page.getByText('Version 2 made: 3 rows labelled.')).toBeVisible();
  await page.getByRole('link', { name: 'Train', exact: true }).click();
  await expect(page.getByText('3 labelled photos, 2 labels.')).toBeVisible();
});
