import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { projectWithDataset, serviceWorkerReady } from './steps.js';

// A model trained elsewhere (PyTorch, exported to ONNX) brought onto a phone with no network:
// declared once with its columns and scaling, and once as a plain tensor input, it answers in
// Chromium's ONNX Runtime Web exactly as native onnxruntime did (within 1e-5).

const modelPath = fileURLToPath(new URL('../models/breast_cancer_mlp.onnx', import.meta.url));
const metaPath = fileURLToPath(new URL('../models/breast_cancer_mlp.json', import.meta.url));
const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as {
  columns: string[];
  labels: string[];
  raw_rows: number[][];
  standardised_inputs: number[][];
  probabilities: number[][];
};

async function importOnnx(page: Page, name: string, declare: () => Promise<void>) {
  await page.getByRole('link', { name: 'Models' }).click();
  await page.getByText('Bring in a model made elsewhere').click();
  await page.getByTestId('import-model-file').setInputFiles(modelPath);
  await expect(page.getByText(/This model reads “features” \[batch, 30\]/)).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('Name', { exact: true }).fill(name);
  await declare();
  await page.getByRole('button', { name: 'Add to this project' }).click();
  await expect(page.getByText(new RegExp(`Added as ${name} version 1`))).toBeVisible();
}

/** Every logged prediction of the device, read from its IndexedDB. */
async function logged(page: Page): Promise<{ modelVersionId: string; inputs: Record<string, unknown>; output: { probabilities?: Record<string, number> } }[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('predictions').objectStore('predictions').getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

function maxDiff(probs: Record<string, number>[]): number {
  let m = 0;
  probs.forEach((p, i) => meta.labels.forEach((l, j) => (m = Math.max(m, Math.abs(p[l] - meta.probabilities[i][j])))));
  return m;
}

test('an ONNX model imported on the device answers as native onnxruntime, from rows and from a tensor', async ({ page, context }) => {
  await projectWithDataset(page, 'Imported models', 'breast_cancer.csv', 'diagnosis');
  await serviceWorkerReady(page);

  // Rows of columns, scaled as the model was trained (mean and std from the file saved beside it).
  // ONNX Runtime's WASM is fetched on this first use and kept by the service worker; from then on
  // everything happens offline.
  await importOnnx(page, 'Cancer rows', async () => {
    await page.getByLabel('Column list and scaling from a file').setInputFiles(metaPath);
    await expect(page.getByLabel(/Classes, in the model's output order/)).toHaveValue(meta.labels.join(', '));
  });
  await context.setOffline(true);

  // An imported version has no test rows of its own: tested on the project's dataset, the report is kept.
  const card = page.getByRole('article', { name: 'Cancer rows version 1' });
  await expect(card.getByText('This version has no test results yet')).toBeVisible();
  await card.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(card.getByRole('region', { name: 'Evaluation report' })).toBeVisible({ timeout: 60_000 });
  await expect(card.getByText(/The report above is on “.+” \(569 rows\)/)).toBeVisible();

  await page.getByRole('link', { name: 'Predict' }).click();
  const csv = [meta.columns.map((c) => `"${c}"`).join(','), ...meta.raw_rows.map((r) => r.join(','))].join('\n') + '\n';
  await page.getByLabel('Batch file').setInputFiles({ name: 'cases.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Score file' }).click();
  await expect(page.getByText(`Scored ${meta.raw_rows.length} rows`)).toBeVisible({ timeout: 60_000 });
  const rows = (await logged(page)).filter((p) => 'mean radius' in p.inputs);
  expect(rows).toHaveLength(meta.raw_rows.length);
  // The log is in the order scored (ids are time-ordered UUIDv7).
  expect(maxDiff(rows.map((p) => p.output.probabilities!))).toBeLessThan(1e-5);

  // The same file declared as a tensor of 30 values, fed the already standardised inputs.
  await importOnnx(page, 'Cancer tensor', async () => {
    await page.getByLabel('An array of numbers or an image').check();
    await expect(page.getByLabel('Shape of one item')).toHaveValue('30');
    await page.getByLabel(/Classes, in the model's output order/).fill(meta.labels.join(', '));
  });
  await page.getByRole('link', { name: 'Predict' }).click();
  const select = page.getByLabel('Model version');
  await select.selectOption((await select.locator('option', { hasText: 'Cancer tensor' }).getAttribute('value'))!);
  await page
    .getByTestId('tensor-file')
    .setInputFiles({ name: 'inputs.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(meta.standardised_inputs)) });
  await expect(page.getByTestId('tensor-results').locator('li')).toHaveCount(meta.standardised_inputs.length, { timeout: 60_000 });
  const tensors = (await logged(page)).filter((p) => typeof p.inputs.features === 'string');
  expect(tensors).toHaveLength(meta.standardised_inputs.length);
  expect(String(tensors[0].inputs.features)).toMatch(/^tensor \[30\] sha256:[0-9a-f]{64}$/);
  expect(maxDiff(tensors.map((p) => p.output.probabilities!))).toBeLessThan(1e-5);

  // A small image model (a convolutional network) fed grey pixels 0–255 scaled by 1/255, channels first.
  const cnnPath = fileURLToPath(new URL('../shared/src/runtime/fixtures/image_cnn.onnx', import.meta.url));
  const cnn = JSON.parse(readFileSync(cnnPath.replace(/onnx$/, 'json'), 'utf8')) as { labels: string[]; items: unknown[]; probabilities: number[][] };
  await page.getByRole('link', { name: 'Models' }).click();
  await page.getByText('Bring in a model made elsewhere').click();
  await page.getByTestId('import-model-file').setInputFiles(cnnPath);
  await expect(page.getByText(/This model reads “pixels” \[batch, 1, 8, 8\]/)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByLabel('An array of numbers or an image')).toBeChecked();
  await page.getByLabel(/Classes, in the model's output order/).fill(cnn.labels.join(', '));
  await page.getByText('Scaling').click();
  await page.getByLabel('Scale').fill(String(1 / 255));
  await page.getByRole('button', { name: 'Add to this project' }).click();
  await expect(page.getByText(/Added as image_cnn version 1/)).toBeVisible();
  await page.getByRole('link', { name: 'Predict' }).click();
  await select.selectOption((await select.locator('option', { hasText: 'image_cnn' }).getAttribute('value'))!);
  await page.getByTestId('tensor-file').setInputFiles({ name: 'pictures.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(cnn.items)) });
  await expect(page.getByTestId('tensor-results').locator('li')).toHaveCount(cnn.items.length, { timeout: 60_000 });
  const pictures = (await logged(page)).filter((p) => typeof p.inputs.pixels === 'string');
  let worst = 0;
  pictures.forEach((p, i) => cnn.labels.forEach((l, j) => (worst = Math.max(worst, Math.abs(p.output.probabilities![l] - cnn.probabilities[i][j])))));
  expect(worst).toBeLessThan(1e-5);
  // A photo is drawn down to 8×8 grey pixels on the phone and answered like the rest.
  await page.getByTestId('tensor-file').setInputFiles(fileURLToPath(new URL('../public/icons/icon-192.png', import.meta.url)));
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(new RegExp(cnn.labels.join('|')), { timeout: 30_000 });

  // A file that is not a model is refused with a sentence, and nothing is added.
  await page.getByRole('link', { name: 'Models' }).click();
  await page.getByText('Bring in a model made elsewhere').click();
  await page
    .getByTestId('import-model-file')
    .setInputFiles({ name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: readFileSync(modelPath).subarray(0, 1500) });
  await expect(page.getByRole('alert')).toHaveText(/damaged or cut short|cannot run this model/, { timeout: 60_000 });
});
