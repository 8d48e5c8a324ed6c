import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { projectWithDataset, serviceWorkerReady } from './steps.js';

// The app is cross-origin isolated (COOP/COEP from the server, kept by the service worker), so the
// page and its workers have SharedArrayBuffer and ONNX Runtime runs on WebAssembly threads; online
// and after an offline reload served from the service worker's caches alike.

const modelPath = fileURLToPath(new URL('../models/breast_cancer_mlp.onnx', import.meta.url));
const meta = JSON.parse(readFileSync(modelPath.replace(/onnx$/, 'json'), 'utf8')) as {
  labels: string[];
  standardised_inputs: number[][];
  probabilities: number[][];
};

/** Whether the page and a worker it starts (as the app starts its own) are cross-origin isolated. */
const isolation = (page: Page) =>
  page.evaluate(async () => {
    const worker = new Worker(URL.createObjectURL(new Blob(['postMessage([crossOriginIsolated, typeof SharedArrayBuffer])'], { type: 'text/javascript' })));
    const inWorker = await new Promise<[boolean, string]>((resolve) => (worker.onmessage = (e) => resolve(e.data)));
    worker.terminate();
    return { page: crossOriginIsolated, sharedMemory: typeof SharedArrayBuffer, worker: inWorker[0], workerSharedMemory: inWorker[1] };
  });

const ISOLATED = { page: true, sharedMemory: 'function', worker: true, workerSharedMemory: 'function' };

/** The tensor version's answers to the reference rows, as the prediction log keeps them. */
async function predictReferenceRows(page: Page): Promise<number> {
  await page.getByRole('link', { name: 'Predict' }).click();
  await page
    .getByTestId('tensor-file')
    .setInputFiles({ name: 'inputs.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(meta.standardised_inputs)) });
  await expect(page.getByTestId('tensor-results').locator('li')).toHaveCount(meta.standardised_inputs.length, { timeout: 60_000 });
  const logged = await page.evaluate(
    () =>
      new Promise<{ output: { probabilities?: Record<string, number> } }[]>((resolve, reject) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('predictions').objectStore('predictions').getAll();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        };
      }),
  );
  const last = logged.slice(-meta.standardised_inputs.length);
  let worst = 0;
  last.forEach((p, i) => meta.labels.forEach((l, j) => (worst = Math.max(worst, Math.abs(p.output.probabilities![l] - meta.probabilities[i][j])))));
  return worst;
}

/** The prediction worker is isolated, and with two cores or more ONNX Runtime has started a thread. */
async function expectOnnxThreads(page: Page) {
  // A prediction worker that is still running (one opened earlier, e.g. to read the file, may
  // have closed since and still be listed a moment): the newest answers.
  const isolatedWorker = async () => {
    for (const w of page
      .workers()
      .filter((x) => /predict\.worker/.test(x.url()))
      .reverse()) {
      try {
        return await w.evaluate(() => crossOriginIsolated);
      } catch {
        // closed: the next older one
      }
    }
    return null;
  };
  await expect.poll(isolatedWorker).toBe(true);
  // Each extra thread is a worker started from ONNX Runtime's loader (ort-wasm-simd-threaded.mjs).
  if ((await page.evaluate(() => navigator.hardwareConcurrency)) > 1)
    await expect.poll(() => page.workers().filter((w) => /\/ort-wasm-simd-threaded[^/]*\.mjs$/.test(w.url())).length).toBe(1);
}

test('the app and its workers are cross-origin isolated online and offline, and an ONNX model predicts on threads', async ({ page, context }) => {
  const response = await page.goto('/');
  expect(response!.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response!.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  await projectWithDataset(page, 'Isolated', 'breast_cancer.csv', 'diagnosis');
  await serviceWorkerReady(page);
  expect(await isolation(page)).toEqual(ISOLATED);

  await page.getByRole('link', { name: 'Models' }).click();
  await page.getByText('Bring in a model made elsewhere').click();
  await page.getByTestId('import-model-file').setInputFiles(modelPath);
  await expect(page.getByText(/This model reads “features” \[batch, 30\]/)).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('Name', { exact: true }).fill('Cancer tensor');
  await page.getByLabel('An array of numbers or an image').check();
  await page.getByLabel(/Classes, in the model's output order/).fill(meta.labels.join(', '));
  await page.getByRole('button', { name: 'Add to this project' }).click();
  await expect(page.getByText(/Added as Cancer tensor version 1/)).toBeVisible();
  expect(await predictReferenceRows(page)).toBeLessThan(1e-5);
  await expectOnnxThreads(page);

  // Offline, the reload is answered by the service worker from its caches: still isolated, and
  // ONNX Runtime (its WASM and loader, kept on first use) starts again with its threads.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('link', { name: 'Predict' })).toBeVisible();
  expect(await isolation(page)).toEqual(ISOLATED);
  expect(await predictReferenceRows(page)).toBeLessThan(1e-5);
  await expectOnnxThreads(page);
  await context.setOffline(false);
});
