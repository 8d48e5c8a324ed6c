import { expect, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { createEnrollmentCode } from './server.js';

export const samplePath = (name: string) => fileURLToPath(new URL(`../public/samples/${name}`, import.meta.url));

/** Create a project, import a sample with its target, and land on the Train tab. */
export async function projectWithDataset(page: Page, project: string, sample: string, target: string) {
  await page.goto('/');
  await page.getByLabel('Project name').fill(project);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByLabel('Dataset file').setInputFiles(samplePath(sample));
  await page.getByLabel('Target column').selectOption(target);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('button', { name: 'Train' })).toBeVisible();
}

/** The network's settings sit in a disclosure in the field view: open it and set the epochs. */
export async function setEpochs(page: Page, epochs: number) {
  const settings = page.locator('details', { has: page.getByLabel('Epochs') });
  if (!(await settings.evaluate((d) => (d as HTMLDetailsElement).open))) await settings.locator('summary').click();
  await page.getByLabel('Epochs').fill(String(epochs));
}

export async function trainAndRegister(page: Page, epochs: number) {
  await setEpochs(page, epochs);
  await page.getByRole('button', { name: 'Train' }).click();
  // Runs are listed newest first; an earlier run of the project may be there too.
  await expect(page.getByRole('button', { name: 'Register model' })).toBeVisible({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Register model' }).click();
  await expect(page.getByText(/Registered as/).first()).toBeVisible();
}

/** Connect this page's device to the test organisation with a new code, and wait for its first sync. */
export async function connectDevice(page: Page, timeout = 60_000) {
  await page.goto('/#/settings');
  await page.getByLabel('Server URL').fill(new URL(page.url()).origin);
  await page.getByLabel('Enrollment code').fill(await createEnrollmentCode());
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByLabel('Sync status')).toHaveText('Synced', { timeout });
}

/** Sign in to the console with the organisation's admin key or a person's key. */
export async function signInConsole(page: Page, key: string) {
  await page.goto('/console');
  await page.getByLabel('Organisation admin key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Wait until the service worker controls the page (precache done), so lazy screens load offline. */
export async function serviceWorkerReady(page: Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  // The first load is not controlled by the service worker until it claims the page or reloads.
  if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
    await page.reload();
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  }
}
