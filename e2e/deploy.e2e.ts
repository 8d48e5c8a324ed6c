import { test, expect, type Page } from '@playwright/test';
import { testOrgAdminKey } from './server.js';
import { connectDevice, projectWithDataset, setEpochs, signInConsole, trainAndRegister } from './steps.js';

// Rolling out a new version as a clinic sees it on a 360 px phone: the central team changes the
// project's deployment in the console (shadow, canary, blue-green and its switch), the phone
// syncs and says in plain words what applies, and each level of automation (people decide, the
// model suggests, the model decides when sure, the model decides) behaves as it says.

/** Sync now (from Settings) and come back to where the person was. */
async function syncNow(page: Page) {
  const back = page.url();
  await page.getByLabel('Sync status').click();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });
  await page.goto(back);
}

/** The value of the console select's option whose text starts with `text` (option values are version ids). */
async function optionValue(console: Page, select: string, text: RegExp): Promise<string> {
  const option = console.locator(`#${select} option`).filter({ hasText: text }).first();
  return (await option.getAttribute('value'))!;
}

interface Plan {
  mode: string;
  champion: RegExp | null;
  challenger: RegExp | null;
  level: string;
  confidence?: string;
  keyColumn?: string;
  ramp?: string;
  why: string;
}

async function changeDeployment(console: Page, url: string, plan: Plan) {
  await console.goto(url);
  await console.getByLabel('Mode').selectOption({ label: plan.mode });
  await console.locator('#champion').selectOption(plan.champion ? await optionValue(console, 'champion', plan.champion) : '');
  await console.locator('#challenger').selectOption(plan.challenger ? await optionValue(console, 'challenger', plan.challenger) : '');
  await console.getByLabel('Level of automation').selectOption({ label: plan.level });
  if (plan.confidence) await console.getByLabel(/Partial: decides when/).fill(plan.confidence);
  if (plan.keyColumn) await console.getByLabel(/Key column/).fill(plan.keyColumn);
  if (plan.ramp) await console.getByLabel(/Ramp/).fill(plan.ramp);
  await console.locator('#why').fill(plan.why);
  await console.getByRole('button', { name: 'Save the deployment' }).click();
  await expect(console.getByRole('table', { name: 'Deployment history' })).toContainText(plan.why);
}

async function predictOne(page: Page) {
  await page.getByRole('link', { name: 'Predict' }).click();
  // With people deciding the button starts the case; otherwise it asks the model.
  await page.getByRole('button', { name: /^(Predict|Start case)$/ }).click();
}

test('shadow, canary and blue-green as a person sees them, at each level of automation', async ({ page, browser }) => {
  await projectWithDataset(page, 'Roll-out', 'iris.csv', 'species');
  await trainAndRegister(page, 5);
  await setEpochs(page, 8);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(2, { timeout: 120_000 });
  await page.getByLabel('Make it the production version').uncheck();
  await page.getByRole('button', { name: 'Register model' }).click();
  await expect(page.getByText(/Registered as/).nth(1)).toBeVisible();
  const projectId = decodeURIComponent(/#\/p\/([^/]+)/.exec(page.url())![1]);
  await connectDevice(page);

  const console = await browser.newPage();
  await signInConsole(console, await testOrgAdminKey());
  const url = `/console/projects/${encodeURIComponent(projectId)}/deployment`;

  // Shadow, people deciding: the new version's answer is kept, not shown; the person's decision is saved.
  await changeDeployment(console, url, {
    mode: 'Shadow',
    champion: /version 1\b/,
    challenger: /version 2\b/,
    level: 'Human only',
    why: 'watch version 2 quietly',
  });
  await page.goto(`/#/p/${encodeURIComponent(projectId)}/predict`);
  await syncNow(page);
  const banner = page.getByRole('region', { name: 'How the model is used' });
  await expect(banner).toContainText('is being tried quietly');
  await expect(banner).toContainText('You decide.');
  await predictOne(page);
  await expect(page.getByLabel('Your decision')).toBeVisible();
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveCount(0);
  await page.getByLabel('Your decision').selectOption('setosa');
  await page.getByRole('button', { name: 'Save decision' }).click();
  await expect(page.getByText('Saved. Your decision is kept as the result for this case.')).toBeVisible();

  // Canary, the model suggesting: half of the sepal lengths get version 2, the person decides.
  await changeDeployment(console, url, {
    mode: 'Canary',
    champion: /version 1\b/,
    challenger: /version 2\b/,
    level: 'Assistance',
    keyColumn: 'sepal length (cm)',
    ramp: '50, 100',
    why: 'half of the cases to version 2',
  });
  await syncNow(page);
  await expect(banner).toContainText(/answers 50% of sepal length \(cm\) values/);
  await expect(banner).toContainText('The model suggests an answer; you decide.');
  await predictOne(page);
  await expect(page.getByText('Suggestion')).toBeVisible();
  await expect(page.getByLabel('Your decision')).not.toHaveValue('');
  await page.getByRole('button', { name: 'Save decision' }).click();
  await expect(page.getByText('Saved. Your decision is kept as the result for this case.')).toBeVisible();

  // Blue-green, the model deciding when it is sure: version 2 is downloaded and kept ready.
  await changeDeployment(console, url, {
    mode: 'Blue-green',
    champion: /version 1\b/,
    challenger: /version 2\b/,
    level: 'Partial automation',
    confidence: '99.9',
    why: 'version 2 ready to take over',
  });
  await syncNow(page);
  await expect(banner).toContainText('is kept ready on every phone');
  await expect(banner).toContainText(/decides when it is at least 99\.9% sure/);
  await predictOne(page);
  await expect(page.getByText(/The model is not sure \(\d+(\.\d+)?%\)\. Please decide\.|Decided by the model/)).toBeVisible();

  // The switch is one change; the phone answers with version 2 at once (nothing to download).
  await console.goto(url);
  await console.getByLabel('Switch even if not every device is ready').check();
  await console.locator('#action-why').fill('version 2 is better');
  await console.getByRole('button', { name: 'Switch now' }).click();
  await expect(console.getByRole('table', { name: 'Deployment history' })).toContainText('version 2 is better');
  await changeDeployment(console, url, {
    mode: 'Blue-green',
    champion: /version 2\b/,
    challenger: /version 1\b/,
    level: 'Full automation',
    why: 'let the model decide',
  });
  await syncNow(page);
  await expect(banner).toContainText('Version 2 answers every case.');
  await expect(banner).toContainText('The model decides.');
  await predictOne(page);
  await expect(page.getByLabel('Prediction', { exact: true })).toHaveText(/setosa|versicolor|virginica/);
  await expect(page.getByLabel('Your decision')).toHaveCount(0);

  // The console's figures count the phone's predictions per arm once they arrive.
  await syncNow(page);
  await console.goto(url);
  await expect(console.getByRole('table', { name: 'Figures per arm' })).toBeVisible();
});
