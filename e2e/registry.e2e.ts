import { test, expect } from '@playwright/test';
import { testOrgAdminKey } from './server.js';
import { connectDevice, projectWithDataset, setEpochs, signInConsole, trainAndRegister } from './steps.js';

// Trust before shipping: a gate blocks a version that misses it; a device of an organisation can
// only propose; an admin adds an ML lead, who approves in the console; the device then shows the
// new production version and its history.
test('a gate blocks a promotion; a device proposes; an ML lead approves in the console; history is kept', async ({ page, browser }) => {
  await projectWithDataset(page, 'Gated', 'iris.csv', 'species');
  await trainAndRegister(page, 5);
  await setEpochs(page, 6);
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(2, { timeout: 120_000 });
  await page.getByLabel('Make it the production version').uncheck();
  await page.getByRole('button', { name: 'Register model' }).click();
  await page.getByRole('link', { name: 'Models' }).click();
  const v2 = page.getByRole('article', { name: /version 2/ });
  await expect(v2).toBeVisible();

  // A check no version can pass: v2's promotion is blocked, and the card says by how much.
  await page.getByText('Promotion checks').click();
  await page.getByLabel('At least (at most for errors)').fill('1.01');
  await page.getByRole('button', { name: 'Save checks' }).click();
  await expect(v2.getByRole('list', { name: 'Promotion checks' })).toContainText(/✗ accuracy on held-out test rows: .*at least 1\.01 needed \(short by/);
  await expect(v2.getByRole('button', { name: 'Set as production' })).toBeDisabled();
  await page.getByLabel('At least (at most for errors)').fill('0.2');
  await page.getByRole('button', { name: 'Save checks' }).click();
  await expect(v2.getByRole('list', { name: 'Promotion checks' })).toContainText('✓');

  // Connected to the organisation, the device can only propose.
  await connectDevice(page);
  await page.goto('/#/');
  await page.getByRole('link', { name: 'Gated' }).click();
  await page.getByRole('link', { name: 'Models' }).click();
  await v2.getByRole('button', { name: 'Propose for production' }).click();
  await v2.getByLabel('Why (optional)').fill('slightly more epochs');
  await v2.getByRole('button', { name: 'Send proposal' }).click();
  await expect(v2.getByRole('status')).toContainText('waiting for an ML lead or an admin');
  await page.getByLabel('Sync status').click();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });

  // The admin adds an ML lead; the ML lead signs in with their own key and approves.
  const admin = await browser.newPage();
  await signInConsole(admin, await testOrgAdminKey());
  await admin.getByLabel('Name').fill('Ada');
  await admin.getByLabel('Role').selectOption('ml_lead');
  await admin.getByRole('button', { name: 'Add person' }).click();
  const key = (await admin.locator('.code').textContent())!.trim();
  const lead = await browser.newPage();
  await signInConsole(lead, key);
  await expect(lead.getByText('Signed in as Ada (ml lead).')).toBeVisible();
  const proposal = lead.getByRole('table', { name: 'Proposals' }).getByRole('row').filter({ hasText: 'slightly more epochs' });
  await proposal.getByLabel('Why').fill('checked the report');
  await proposal.getByRole('button', { name: 'Approve' }).click();
  // Version 1 (made production before the device joined) stays proposed; other tests' devices share the organisation.
  await expect(lead.getByRole('table', { name: 'Proposals' })).not.toContainText('slightly more epochs');

  // Back on the device: v2 is production, v1 archived, and the history says who and why.
  await page.getByLabel('Sync status').click();
  await page.getByRole('button', { name: 'Sync now' }).click();
  await expect(page.getByLabel('Sync status')).toHaveText('Synced', { timeout: 60_000 });
  await page.goto('/#/');
  await page.getByRole('link', { name: 'Gated' }).click();
  await page.getByRole('link', { name: 'Models' }).click();
  await expect(v2.getByText('production', { exact: true })).toBeVisible();
  await v2.getByText('History').click();
  await expect(v2.getByRole('list').last()).toContainText(/moved none → production by Ada — checked the report.*approved production by Ada/);
  await expect(v2.getByRole('list').last()).toContainText(/proposed none → production by device — slightly more epochs/);

  // Ada signs in on the device and decides version 1's proposal there, online.
  await page.goto('/#/settings');
  await page.getByLabel('Personal key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(/Signed in as Ada \(ML lead\)/)).toBeVisible();
  await page.goto('/#/');
  await page.getByRole('link', { name: 'Gated' }).click();
  await page.getByRole('link', { name: 'Models' }).click();
  const v1 = page.getByRole('article', { name: /version 1/ });
  await v1.getByPlaceholder('why').fill('the first one was fine after all');
  await v1.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByText('Approved: it is now the production version.')).toBeVisible();
  await expect(v1.getByText('production', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(v2.getByText('archived', { exact: true })).toBeVisible();
});
