import { test, expect, type Page } from '@playwright/test';
import { projectWithDataset, setEpochs } from './steps.js';

// A training cut off by the page closing carries on from its last saved epoch: after a reload the
// Train tab offers it, and Carry on finishes the same run (one run in the list, completed).
const checkpoints = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const keys = db.transaction('kv').objectStore('kv').getAllKeys();
          keys.onsuccess = () => {
            resolve(keys.result.filter((k) => String(k).startsWith('checkpoint.')).length);
            db.close();
          };
        };
      }),
  );

const runs = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ status: string; resumed?: { fromEpoch: number }[]; epochs: unknown[] }[]>((resolve, reject) => {
        const open = indexedDB.open('outpost');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('runs').objectStore('runs').getAll();
          all.onsuccess = () => {
            resolve(all.result);
            db.close();
          };
        };
      }),
  );

test('a training cut off by a reload carries on and finishes as the same run', async ({ page }) => {
  await projectWithDataset(page, 'Carried on', 'breast_cancer.csv', 'diagnosis');
  await setEpochs(page, 1000);
  // Wider layers than the default, so the training lasts past its first checkpoint (3 s) even on a
  // fast machine (the default network runs 1000 epochs of this data in a few seconds).
  await page.getByLabel('Hidden layers').fill('64, 64');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByLabel('Training progress')).toBeVisible();
  // A checkpoint is saved at most every 3 seconds: wait for the first, then close the page's work.
  await expect.poll(() => checkpoints(page), { timeout: 60_000 }).toBe(1);
  await page.reload();

  const offer = page.getByRole('region', { name: 'Training that stopped' });
  await expect(offer).toContainText(/stopped at step \d+ of 1000/, { timeout: 30_000 });
  const step = Number((await offer.textContent())!.match(/step (\d+) of/)![1]);
  expect(step).toBeGreaterThan(0);
  expect(step).toBeLessThan(1000);
  await offer.getByRole('button', { name: 'Carry on' }).click();
  await expect(offer).toHaveCount(0);
  await expect(page.getByText('completed', { exact: true })).toHaveCount(1, { timeout: 180_000 });
  await expect(page.getByRole('article')).toHaveCount(1);
  await expect(page.getByText('failed', { exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Register model' })).toBeVisible();
  expect(await checkpoints(page)).toBe(0);
  // The same run record carried on from where it stopped, with every epoch of the 1000.
  const [run] = await runs(page);
  expect(run.status).toBe('completed');
  expect(run.resumed?.map((r) => r.fromEpoch)).toEqual([step]);
  expect(run.epochs).toHaveLength(1000);
  // Its card says so.
  await expect(page.getByRole('article')).toContainText(`Stopped at step ${step}, then carried on.`);
});
