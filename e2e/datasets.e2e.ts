import { test, expect, type Page } from '@playwright/test';
import { connectDevice, setEpochs } from './steps.js';

// Data from the field at 360 px: a file with names and phone numbers is flagged at import and the
// person marks them personal; a cleaning step makes version 2; a data test stops training until
// the person ticks "Train anyway"; the model walks back to its version and rows; with row sharing
// on, a second phone gets the rows and trains on them, and the server's copy of the rows holds no
// name or phone number.

const FIRST = ['Amina', 'Ngozi', 'Halima', 'Chidi', 'Musa', 'Bola', 'Zainab', 'Emeka'];
const ROWS = Array.from({ length: 30 }, (_, i) => ({
  name: `${FIRST[i % 8]} Okoro${String.fromCharCode(65 + i)}`,
  phone: `0803${String(1234000 + i * 37)}`,
  age: i === 4 ? 150 : 1 + (i % 5),
  muac: i === 7 ? '' : String(10 + (i % 7) * 0.5),
  status: i % 3 === 0 ? 'sam' : 'ok',
}));
const CSV = ['name,phone,age,muac,status', ...ROWS.map((r) => `${r.name},${r.phone},${r.age},${r.muac},${r.status}`)].join('\n');

/** What the page's database holds in one table (read with IndexedDB itself). */
function stored<T>(page: Page, table: string): Promise<T[]> {
  return page.evaluate(
    (t) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction(t).objectStore(t).getAll();
          req.onsuccess = () => resolve(req.result as T[]);
          req.onerror = () => reject(req.error);
        };
      }),
    table,
  );
}

test('personal columns are marked at import, versions and data tests guard training, and synced rows carry no personal value', async ({ browser }) => {
  const phoneA = await browser.newContext();
  const a = await phoneA.newPage();
  await connectDevice(a);
  await a.goto('/');
  await a.getByLabel('Project name').fill('Nutrition screening');
  await a.getByRole('button', { name: 'Create project' }).click();
  await a.getByLabel(/Send this project's rows to the organisation/).check();
  await expect(a.getByRole('status').filter({ hasText: 'Rows will be sent at the next sync' })).toBeVisible();

  await a.getByLabel('Dataset file').setInputFiles({ name: 'muac.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await expect(a.getByText(/“name” looks like it holds people’s names\./)).toBeVisible();
  await expect(a.getByText('“phone” looks like it holds phone numbers.')).toBeVisible();
  await a.getByLabel('“phone” is personal').selectOption('never');
  await a.getByLabel('“name” is personal').selectOption('hash');
  await expect(a.getByText('“phone” looks like it holds phone numbers.')).toBeHidden();
  await a.getByLabel('Target column').selectOption('status');
  await a.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(a.getByRole('button', { name: 'Train' })).toBeVisible();

  // Cleaning makes version 2; a data test on it fails.
  await a.getByRole('link', { name: 'Data' }).click();
  await expect(a.getByRole('listitem').filter({ hasText: 'Version 1 (current)' })).toContainText('Imported 30 rows and 5 columns.');
  await a.getByRole('button', { name: 'Remove rows with missing values' }).click();
  await expect(a.getByRole('status').filter({ hasText: 'Version 2: Removed 1 row with missing values.' })).toBeVisible();
  await a.getByText('Add a test').click();
  await a.getByLabel('Test', { exact: true }).selectOption('range');
  await a.getByLabel('Column', { exact: true }).selectOption('age');
  await a.getByLabel('Smallest allowed').fill('0');
  await a.getByLabel('Largest allowed').fill('120');
  await a.getByRole('button', { name: 'Add test' }).click();
  await expect(a.getByRole('listitem').filter({ hasText: 'age between 0 and 120' })).toContainText('1 row has age above 120. Allowed: 0–120.');

  // Training refuses until the person ticks the override, and the run says so.
  await a.getByRole('link', { name: 'Train' }).click();
  const alert = a.getByRole('alert').filter({ hasText: 'This version fails a data test' });
  await expect(alert).toContainText('1 row has age above 120. Allowed: 0–120.');
  await setEpochs(a, 3);
  await a.getByRole('button', { name: 'Train' }).click();
  await expect(a.getByText(/Fix the data, or tick “Train anyway”/)).toBeVisible();
  await alert.getByLabel(/Train anyway/).check();
  await a.getByRole('button', { name: 'Train' }).click();
  await expect(a.getByRole('button', { name: 'Register model' })).toBeVisible({ timeout: 120_000 });
  await a.getByRole('button', { name: 'Register model' }).click();
  await expect(a.getByText(/Registered as/).first()).toBeVisible();
  const runs = await stored<{ datasetVersionId?: string; checksOverride?: { failed: string[] }; split?: { train: number } }>(a, 'runs');
  expect(runs[0].checksOverride?.failed).toEqual(['1 row has age above 120; allowed 0–120.']);
  expect(runs[0].split?.train).toBeGreaterThan(10);

  // Walk back from the model to its version and its rows.
  await a.getByRole('link', { name: 'Data' }).click();
  const model = a.getByLabel('Model', { exact: true });
  await model.selectOption({ index: 1 });
  const trained = a.getByRole('region', { name: 'Trained on' });
  await expect(trained.getByText(/Version 2 of its dataset, 29 rows: Removed 1 row with missing values\./)).toBeVisible();
  await expect(trained.getByText(/Trained although it failed 1 data test/)).toBeVisible();
  await trained.getByRole('button', { name: /Tested on/ }).click();
  await expect(trained.getByRole('region', { name: 'Rows of the split' })).toContainText('Okoro');
  await expect(a.getByRole('listitem').filter({ hasText: 'Trained on by 1 run; models: muac v1' }).last()).toBeVisible();
  await expect(a.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });

  // The server's copy of version 2's rows: through the blob API, with this phone's credential.
  const [cred] = (await stored<{ key: string; value: { token: string } }>(a, 'kv')).filter((k) => k.key === 'sync:credential');
  const [v2] = (await stored<{ number: number; rows?: { hash: string } }>(a, 'dataset_versions')).filter((v) => v.number === 2);
  const res = await a.request.get(`/api/blobs/${v2.rows!.hash}`, { headers: { authorization: `Bearer ${cred.value.token}`, 'x-outpost-protocol': '6' } });
  expect(res.status()).toBe(200);
  const onServer = await res.text();
  expect(onServer).toContain('"columns":["age","muac","name","status"]');
  for (const r of ROWS) {
    expect(onServer).not.toContain(r.name);
    expect(onServer).not.toContain(r.phone);
  }

  // A second phone gets the versions and the rows (without personal values) and can train on them.
  const phoneB = await browser.newContext();
  const b = await phoneB.newPage();
  await connectDevice(b);
  await b.goto('/');
  await b.getByRole('link', { name: 'Nutrition screening' }).click();
  await b.getByRole('link', { name: 'Data' }).click();
  await expect(b.getByText('Rows: 29, synced here (personal columns left out)')).toBeVisible({ timeout: 60_000 });
  await b.getByRole('link', { name: 'Train' }).click();
  await b
    .getByRole('alert')
    .filter({ hasText: 'This version fails a data test' })
    .getByLabel(/Train anyway/)
    .check();
  await setEpochs(b, 2);
  await b.getByRole('button', { name: 'Train' }).click();
  await expect(b.getByRole('button', { name: 'Register model' }).first()).toBeVisible({ timeout: 120_000 });
  const there = JSON.stringify(await stored(b, 'datasetRows')) + JSON.stringify(await stored(b, 'outbox'));
  expect(there).not.toContain('Amina');
  await phoneA.close();
  await phoneB.close();
});
