import { test, expect, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { encodePng } from '../shared/src/images/png.js';
import { setEpochs } from './steps.js';

// Photos from the field at 360 px, with Chromium's fake camera (a moving test pattern): photos
// taken with the camera and chosen as files are made 64×64 on the phone and labelled, one is
// labelled afterwards (a new version), a small network trains on them, is registered, and answers
// a photo taken with the camera, logged like any prediction. A file that is not a picture and a
// camera the person did not allow are each answered with a sentence that says what to do.

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  },
  permissions: ['camera'],
});

/** A 400×300 phone-sized picture: a red square of its own size and place on noisy grey. */
function redSquare(i: number): Buffer {
  const [w, h] = [400, 300];
  const rgb = new Uint8Array(w * h * 3);
  let seed = i * 7919 + 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 60;
  for (let p = 0; p < w * h; p++) rgb.fill(90 + rnd(), p * 3, p * 3 + 3);
  const size = 120 + i * 10;
  const [x0, y0] = [100 + i * 8, 40 + i * 5];
  for (let y = y0; y < y0 + size; y++) for (let x = x0; x < x0 + size; x++) rgb.set([220, 30, 30], (y * w + x) * 3);
  return Buffer.from(encodePng(rgb, w, h));
}

async function takePhotos(page: Page, n: number) {
  for (let i = 0; i < n; i++) {
    const before = await page.getByRole('img', { name: /^Photo \d+$/ }).count();
    await page.getByRole('button', { name: 'Take photo', exact: true }).click();
    await expect(page.getByRole('img', { name: /^Photo \d+$/ })).toHaveCount(before + 1);
  }
}

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

function count(page: Page, table: string): Promise<number> {
  return page.evaluate(
    (t) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction(t).objectStore(t).count();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => reject(req.error);
        };
      }),
    table,
  );
}

test('photos taken with the camera and chosen as files are labelled, trained on, registered and predicted from the camera', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => r.resourceType() === 'script' && scripts.push(r.url()));
  await page.goto('/');
  await page.getByLabel('Project name').fill('Cassava leaves');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('button', { name: 'Take or add photos' })).toBeVisible();
  // The camera and photo screens are not loaded until asked for.
  expect(scripts.filter((u) => /PhotoCollect|Camera/.test(u))).toEqual([]);
  await page.getByRole('button', { name: 'Take or add photos' }).click();

  await page.getByLabel('Name of the photo dataset').fill('Leaves');
  await page.getByLabel('Labels, separated by commas').fill('healthy, mosaic');
  await page.getByLabel('healthy', { exact: true }).check();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByLabel('Camera', { exact: true })).toBeVisible();
  await takePhotos(page, 8);
  await expect(page.getByText('Made 64×64 from 640×480.').first()).toBeVisible();

  // Files: red squares for the other label, and one file that is not a picture.
  await page.getByLabel('mosaic', { exact: true }).check();
  await page
    .getByLabel('Choose photos')
    .setInputFiles([
      ...Array.from({ length: 8 }, (_, i) => ({ name: `leaf-${i}.png`, mimeType: 'image/png', buffer: redSquare(i) })),
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('muac 11.5\n') },
    ]);
  await expect(page.getByRole('alert').filter({ hasText: '“notes.txt” is not a picture. Choose a photo (JPEG, PNG or WebP).' })).toBeVisible();
  await expect(page.getByText('16 photos not saved yet')).toBeVisible();
  // One more from the camera with no label yet: it is labelled after saving.
  await page.getByLabel('No label yet', { exact: true }).check();
  await takePhotos(page, 1);
  await page.getByRole('button', { name: 'Save 17 photos' }).click();
  await expect(page.getByRole('status').filter({ hasText: '17 photos saved as version 1.' })).toBeVisible();
  await expect(page.getByText('1 photo has no label yet.')).toBeVisible();
  await page.getByLabel('Label of photo 17', { exact: true }).selectOption('healthy');
  await expect(page.getByRole('status').filter({ hasText: 'Label saved as version 2.' })).toBeVisible();
  await page.getByRole('button', { name: 'Stop camera' }).click();
  // Each photo is a 64×64 PNG blob of a few KB, held on the phone: the project does not share rows,
  // and a photo can show a patient.
  const blobs = await stored<{ size: number; upload: string }>(page, 'blobState');
  expect(blobs).toHaveLength(17);
  expect(blobs.every((b) => b.upload === 'held' && b.size < 13_000)).toBe(true);
  console.log(`photo blobs: ${blobs.map((b) => b.size).join(' ')} bytes`);

  await page.getByRole('link', { name: 'Train' }).click();
  await expect(page.getByText('17 labelled photos, 2 labels.')).toBeVisible();
  await setEpochs(page, 8);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Right on \d+% of the photos it had not seen\./ })).toBeVisible({ timeout: 150_000 });
  await page.getByRole('button', { name: 'Register model' }).click();
  await expect(page.getByText(/Registered as/).first()).toBeVisible();
  const [run] = await stored<{ durationMs: number; backend: string; trainRows: number; metrics: { accuracy: number }; split: { test: number } }>(page, 'runs');
  expect(run.split.test).toBeGreaterThan(0);
  console.log(
    `photo run: ${run.trainRows} photos trained on, ${Math.round(run.durationMs)} ms on ${run.backend}, accuracy ${run.metrics.accuracy} on ${run.split.test} held apart`,
  );

  await page.getByRole('link', { name: 'Predict' }).click();
  await expect(page.getByText('This model reads an image of shape [64, 64, 3].', { exact: false })).toBeVisible();
  await page.getByRole('button', { name: 'Use the camera' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await page.getByRole('button', { name: 'Take photo and predict' }).click();
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText('healthy');
  expect(await count(page, 'predictions')).toBe(1);
  // A red square chosen as a file is the other label.
  await page.getByLabel('Choose photos').setInputFiles({ name: 'leaf.png', mimeType: 'image/png', buffer: redSquare(3) });
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText('mosaic');
  expect(await count(page, 'predictions')).toBe(2);
});

test('a camera the person did not allow says how to allow it and offers the file picker', async ({ browser }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  const page = await context.newPage();
  await page.goto('/');
  await page.getByLabel('Project name').fill('Wounds');
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('button', { name: 'Take or add photos' }).click();
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByRole('alert')).toContainText('Outpost may not use the camera. To allow it, tap the lock beside the address');
  const picker = page.getByLabel('Choose photos');
  await expect(picker).toHaveAttribute('capture', 'environment');
  await picker.setInputFiles({ name: 'wound.png', mimeType: 'image/png', buffer: redSquare(1) });
  await expect(page.getByText('1 photo not saved yet')).toBeVisible();
  await context.close();
});
