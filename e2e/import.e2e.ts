import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { projectWithDataset, serviceWorkerReady, trainAndRegister } from './steps.js';

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

test('a semicolon file with decimal commas from Excel in Windows-1252 is imported after the person confirms its accents', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Project name').fill('Field data');
  await page.getByRole('button', { name: 'Create project' }).click();

  // As Excel in French saves "CSV (separated by semicolons)": Windows-1252 bytes, CRLF, decimal commas, day-first dates.
  const lines = ['nom;ville;température;visite;issue'];
  const towns = ['Kaduna', 'Abéokuta', 'Ìbàdàn', 'Zaria'];
  for (let i = 0; i < 24; i++)
    lines.push(
      `${['Amélie', 'François', 'Çelik', 'Adé'][i % 4]} Okonkwo ${i};${towns[i % 4]};${36 + (i % 5)},${i % 10};0${1 + (i % 9)}/0${1 + (i % 8)}/2024;${i % 2 ? 'guéri' : 'suivi'}`,
    );
  const text = lines.join('\r\n') + '\r\n';
  const buffer = Buffer.from(Uint8Array.from([...text].map((c) => c.charCodeAt(0))));
  await page.getByLabel('Dataset file').setInputFiles({ name: 'patients.csv', mimeType: 'text/csv', buffer });

  const question = page.getByRole('alert').filter({ hasText: 'This file is not UTF-8' });
  await expect(question).toContainText('It looks like Western European (Windows-1252, Latin-1). Accents shown below: é ç');
  await expect(question).toContainText('For example: température, Amélie, François');
  await expect(page.getByText(/Read as CSV, values separated by semicolons/)).toBeVisible();
  await expect(page.getByLabel('Values are separated by')).toHaveValue(';');
  await expect(page.getByLabel(/Dates such as 03\/04\/2024/)).toHaveValue('dmy');
  await expect(page.getByText('“visite”: from 1 January 2024 to 8 August 2024')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();

  // Read with commas instead, the file has one column: said, and the reading before stays on screen.
  await page.getByLabel('Values are separated by').selectOption(',');
  await expect(page.getByRole('alert').filter({ hasText: 'Only one column was found' })).toBeVisible();
  await expect(page.getByLabel('Values are separated by')).toHaveValue(';');

  // Another encoding shows other characters; going back and saying yes lets the import go ahead.
  await page.getByLabel('Text encoding').selectOption('windows-1251');
  await expect(question).toContainText('tempйrature, Amйlie');
  await page.getByLabel('Text encoding').selectOption('windows-1252');
  await expect(question).toContainText('For example: température');
  await page.getByRole('button', { name: 'Yes, the accents look right' }).click();
  await expect(question).toBeHidden();

  await page.getByText('Columns: types, missing values and type problems').click();
  const table = page.getByRole('region', { name: 'Scrollable table' });
  await expect(table.getByRole('row', { name: /température number \(decimal comma\)/ })).toBeVisible();
  await expect(table.getByRole('row', { name: /visite date \(day first\)/ })).toBeVisible();
  await page.getByLabel('Target column').selectOption('issue');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();

  const stored = await page.evaluate(
    () =>
      new Promise<{ source: unknown; columns: { name: string; type: string }[] }[]>((resolve, reject) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('datasets').objectStore('datasets').getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        };
      }),
  );
  const dataset = stored.find((d) => d.columns.some((c) => c.name === 'température'))!;
  expect(dataset.source).toEqual({ format: 'csv', encoding: 'windows-1252', separator: ';' });
  expect(dataset.columns.map((c) => c.type)).toEqual(['text', 'categorical', 'numeric', 'date', 'categorical']);
});

test('rows that do not fit are named by line and can be left out', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Project name').fill('Ragged');
  await page.getByRole('button', { name: 'Create project' }).click();
  const rows = [
    'age,sex,outcome',
    ...Array.from({ length: 14 }, (_, i) => (i === 3 ? `${20 + i},F` : `${20 + i},${i % 2 ? 'F' : 'M'},${i % 3 ? 'well' : 'ill'}`)),
  ];
  await page.getByLabel('Dataset file').setInputFiles({ name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await expect(page.getByRole('alert')).toHaveText(/One row does not fit \(line 5: too few values \(2 of 3\)\)/);
  await page.getByRole('button', { name: 'Leave that row out and continue' }).click();
  await expect(page.getByText('One row was left out: line 5 (too few values (2 of 3)).')).toBeVisible();
  await expect(page.getByText(/13.*rows, .*3.* columns/)).toBeVisible();
});

test('a JSON Lines file with a nested object and a broken line is read after the broken line is left out', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Project name').fill('Forms');
  await page.getByRole('button', { name: 'Create project' }).click();
  const lines = Array.from({ length: 16 }, (_, i) =>
    JSON.stringify({ age: 20 + i, visit: { temp: 36 + (i % 4) / 2, date: `2024-05-${String(1 + i).padStart(2, '0')}` }, outcome: i % 2 ? 'well' : 'ill' }),
  );
  lines.splice(6, 0, '{"age": 41, "visit": ');
  await page.getByLabel('Dataset file').setInputFiles({ name: 'forms.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n')) });
  await expect(page.getByRole('alert')).toHaveText(/One row does not fit \(line 7: not valid JSON\)/);
  await page.getByRole('button', { name: 'Leave that row out and continue' }).click();
  await expect(page.getByText('Read as JSON Lines, text in UTF-8')).toBeVisible();
  await expect(page.getByText('One row was left out: line 7 (not valid JSON).')).toBeVisible();
  await page.getByText('Columns: types, missing values and type problems').click();
  await expect(page.getByRole('row', { name: /visit\.temp number/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /visit\.date date/ })).toBeVisible();
  await page.getByLabel('Target column').selectOption('outcome');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();

  // Trained on the date's parts, the model is asked with one date, as a person knows it.
  await trainAndRegister(page, 5);
  await page.getByRole('link', { name: 'Predict' }).click();
  const date = page.getByLabel('visit.date', { exact: true });
  await expect(date).toHaveAttribute('type', 'date');
  await expect(page.getByLabel('visit.date (year)')).toHaveCount(0);
  await date.fill('2024-05-03');
  await page.getByRole('button', { name: 'Predict', exact: true }).click();
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/well|ill/);
  const [prediction] = await logged(page);
  // 3 May 2024 was a Friday, day 124 of the year: logged as the model read it.
  expect(prediction.inputs).toMatchObject({
    'visit.date (year)': 2024,
    'visit.date (month)': 5,
    'visit.date (weekday)': 5,
    'visit.date (yearday)': 124,
    age: expect.any(Number),
  });
});
