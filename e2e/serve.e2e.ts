import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectDevice, projectWithDataset, samplePath, serviceWorkerReady, trainAndRegister } from './steps.js';

// The same version answers the same on the phone and on the server: a network trained on the
// phone (TensorFlow.js: WASM in Chromium, CPU in Node) and an imported ONNX model (ONNX Runtime
// Web in both), each scored on the phone, synced, and asked again through the server's predict
// route with the device's own credential. Probabilities agree within 1e-5.

const modelPath = fileURLToPath(new URL('../models/breast_cancer_mlp.onnx', import.meta.url));
const metaPath = fileURLToPath(new URL('../models/breast_cancer_mlp.json', import.meta.url));
const csv = readFileSync(samplePath('breast_cancer.csv'), 'utf8');
const rowsCsv = csv.trim().split('\n').slice(0, 41).join('\n') + '\n';

type Logged = { modelVersionId: string; inputs: Record<string, string | number | null>; output: { probabilities?: Record<string, number> }; createdAt: number };

/** Read one object store of the device's IndexedDB. */
function readStore<T>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction(name).objectStore(name).getAll();
          req.onsuccess = () => resolve(req.result as T[]);
          req.onerror = () => reject(req.error);
        };
      }),
    store,
  );
}

async function scoreOnPhone(page: Page, versionLabel: string) {
  await page.getByRole('link', { name: 'Predict' }).click();
  const select = page.getByLabel('Model version');
  await select.selectOption((await select.locator('option:not([value=""])', { hasText: versionLabel }).getAttribute('value'))!);
  await page.getByLabel('Batch file').setInputFiles({ name: 'cases.csv', mimeType: 'text/csv', buffer: Buffer.from(rowsCsv) });
  await page.getByRole('button', { name: 'Score file' }).click();
  await expect(page.getByText('Scored 40 rows')).toBeVisible({ timeout: 60_000 });
}

test('a trained TensorFlow.js version and an imported ONNX version answer alike on the phone and on the server', async ({ page }) => {
  await projectWithDataset(page, 'Served models', 'breast_cancer.csv', 'diagnosis');
  await serviceWorkerReady(page);
  await trainAndRegister(page, 5);

  await page.getByRole('link', { name: 'Models' }).click();
  await page.getByText('Bring in a model made elsewhere').click();
  await page.getByTestId('import-model-file').setInputFiles(modelPath);
  await expect(page.getByText(/This model reads “features”/)).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('Name', { exact: true }).fill('Imported cancer');
  await page.getByLabel('Column list and scaling from a file').setInputFiles(metaPath);
  await page.getByRole('button', { name: 'Add to this project' }).click();
  await expect(page.getByText(/Added as Imported cancer version 1/)).toBeVisible();

  const versions = await readStore<{ id: string; modelName: string; artifacts: { format: string } }>(page, 'model_versions');
  expect(versions.map((v) => v.artifacts.format).sort()).toEqual(['onnx', 'tfjs-layers']);
  for (const v of versions) await scoreOnPhone(page, v.modelName);

  await connectDevice(page);
  const cred = (await readStore<{ key: string; value: { token: string } }>(page, 'kv')).find((r) => r.key === 'sync:credential')!.value;
  const logged = await readStore<Logged>(page, 'predictions');
  for (const v of versions) {
    const mine = logged.filter((p) => p.modelVersionId === v.id).sort((a, b) => a.createdAt - b.createdAt);
    expect(mine).toHaveLength(40);
    const res = await page.request.post(`/api/models/versions/${v.id}/predict`, {
      headers: { authorization: `Bearer ${cred.token}`, 'x-outpost-protocol': '4' },
      data: { rows: mine.map((p) => p.inputs) },
    });
    expect(res.status(), await res.text()).toBe(200);
    const served = (await res.json()) as { predictions: { probabilities: Record<string, number> }[] };
    let worst = 0;
    served.predictions.forEach((s, i) => {
      for (const [label, p] of Object.entries(mine[i].output.probabilities!)) worst = Math.max(worst, Math.abs(p - s.probabilities[label]));
    });
    expect(worst, `${v.artifacts.format}: phone and server differ by ${worst}`).toBeLessThan(1e-5);
  }
});
