import { test, expect } from '@playwright/test';
import { projectWithDataset, setEpochs, trainAndRegister } from './steps.js';

// Two runs with different settings compared on a phone: the table marks the setting that differs,
// the curves and the parallel-coordinates view draw both runs; a tag and a note kept on one run
// survive a reload and find it again.
test('two runs are compared, and a tagged run is found again after a reload', async ({ page }) => {
  await projectWithDataset(page, 'Compared', 'iris.csv', 'species');
  await setEpochs(page, 3);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(1, { timeout: 120_000 });
  // The settings are shown again (and editable) once the first run has ended.
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  await setEpochs(page, 6);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(2, { timeout: 120_000 });

  const open = page.getByRole('button', { name: 'Compare 2 runs' });
  await expect(page.getByRole('button', { name: 'Compare 0 runs' })).toBeDisabled();
  const cards = page.getByRole('article');
  await cards.nth(0).getByRole('checkbox', { name: 'Compare', exact: true }).check();
  await cards.nth(1).getByRole('checkbox', { name: 'Compare', exact: true }).check();
  await open.click();

  const view = page.getByRole('region', { name: 'Comparing runs' });
  await expect(view.getByRole('list', { name: 'Runs compared' }).getByRole('listitem')).toHaveCount(2);
  await expect(view.getByRole('listitem').first()).toContainText('Run 1');
  // One chart per curve, each drawn by uPlot on a canvas with a series per run.
  await expect(view.locator('[data-series="2"] canvas').first()).toBeVisible();
  await expect(view.locator('[data-series="2"]')).toHaveCount(2);

  const table = view.getByRole('table', { name: 'Settings and results' });
  await expect(table.getByRole('row', { name: /Rounds of learning/ })).toContainText('differs');
  await expect(table.getByRole('row', { name: /Rounds of learning/ })).toContainText(/6.*3|3.*6/);
  await expect(table.getByRole('row', { name: /Cases per step/ })).not.toContainText('differs');
  await expect(table.getByText('best').first()).toBeAttached();

  const parallel = view.getByRole('img', { name: /^2 lines, one for each run/ });
  await expect(parallel).toBeVisible();
  await expect(parallel.locator('path.line')).toHaveCount(2);
  await expect(view.getByRole('table', { name: /^Run 1/ })).toBeVisible();
  await view.getByRole('button', { name: 'Close the comparison' }).click();
  await expect(view).toHaveCount(0);

  // A tag and a note on the newest run (listed first).
  const newest = cards.nth(0);
  await newest.getByText('Tags and note').click();
  await newest.getByLabel('Tags (commas between them)').fill('longer, clinic');
  await newest.getByLabel('Note', { exact: true }).fill('Six rounds instead of three.');
  await newest.getByRole('button', { name: 'Save tags and note' }).click();
  await expect(newest.getByRole('status')).toHaveText('Saved.');
  await expect(newest.getByRole('list', { name: 'Tags' })).toContainText('longer');

  await page.reload();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(2);
  await page.getByLabel('Tag', { exact: true }).selectOption('longer');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Six rounds instead of three.');
  await page.getByLabel('Tag', { exact: true }).selectOption('');
  await expect(cards).toHaveCount(2);
  await page.getByLabel('Words in the note').fill('instead');
  await expect(cards).toHaveCount(1);
  await page.getByLabel('Order').selectOption({ label: 'Oldest first' });
  await page.getByLabel('Words in the note').fill('');
  await expect(cards.first()).not.toContainText('Six rounds');
});

// A network and a forest compared: the kind of model is a setting that differs, each kind's own
// settings show "—" for the other run and are no difference, and the parallel view draws the kind
// as an axis with both lines.
test('a network and a forest are compared by their kind of model', async ({ page }) => {
  await projectWithDataset(page, 'Kinds', 'iris.csv', 'species');
  await setEpochs(page, 3);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(1, { timeout: 120_000 });
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  // Opens the settings again (they fold once a run has ended).
  await setEpochs(page, 3);
  await page.getByLabel('Kind of model').selectOption('forest');
  await page.getByLabel('Number of trees').fill('5');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(2, { timeout: 120_000 });

  const cards = page.getByRole('article');
  await cards.nth(0).getByRole('checkbox', { name: 'Compare', exact: true }).check();
  await cards.nth(1).getByRole('checkbox', { name: 'Compare', exact: true }).check();
  await page.getByRole('button', { name: 'Compare 2 runs' }).click();
  const view = page.getByRole('region', { name: 'Comparing runs' });
  const table = view.getByRole('table', { name: 'Settings and results' });
  const kind = table.getByRole('row', { name: /Kind of model/ });
  await expect(kind).toContainText('differs');
  await expect(kind).toContainText('Neural network');
  await expect(kind).toContainText('Many decision trees');
  const rounds = table.getByRole('row', { name: /Rounds of learning/ });
  await expect(rounds).not.toContainText('differs');
  await expect(rounds).toContainText('—');
  const trees = table.getByRole('row', { name: /Number of trees/ });
  await expect(trees).toContainText('5');
  await expect(trees).not.toContainText('differs');

  const parallel = view.getByRole('img', { name: /^2 lines, one for each run/ });
  await expect(parallel.locator('path.line')).toHaveCount(2);
  await expect(parallel.locator('text.name').first()).toContainText('Kind of model');
  await expect(view.getByText(/A line with no dot on an axis/)).toBeVisible();
});

// A run trained more from a registered version says which run's model it started from, and that
// run joins the comparison with one tap.
test('a fine-tuned run names its parent run, which is added to the comparison with one tap', async ({ page }) => {
  await projectWithDataset(page, 'Parents', 'iris.csv', 'species');
  await trainAndRegister(page, 5);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  await setEpochs(page, 3);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(2, { timeout: 120_000 });
  await page.getByRole('link', { name: 'Models' }).click();
  const v1 = page.getByRole('article', { name: /version 1/ });
  await v1.getByText('Train more on newer data').click();
  await v1.getByRole('button', { name: 'Train more' }).click();
  await page.getByRole('link', { name: 'Train' }).click();
  await expect(page.getByText('completed', { exact: true })).toHaveCount(3, { timeout: 120_000 });

  // Newest first: the fine-tuned run, the plain run, the parent.
  const cards = page.getByRole('article');
  await cards.nth(0).getByRole('checkbox', { name: 'Compare', exact: true }).check();
  await cards.nth(1).getByRole('checkbox', { name: 'Compare', exact: true }).check();
  await page.getByRole('button', { name: 'Compare 2 runs' }).click();
  const view = page.getByRole('region', { name: 'Comparing runs' });
  const lineage = view.getByRole('list', { name: 'Runs that started from a saved model' });
  await expect(lineage).toContainText(/Run 1 started from the model of the run of /);
  await lineage.getByRole('button', { name: 'Add that run to the comparison' }).click();
  await expect(view.getByRole('list', { name: 'Runs compared' }).getByRole('listitem')).toHaveCount(3);
  await expect(lineage).toHaveText('Run 1 started from the model of Run 3.');
  await expect(view.getByRole('table', { name: 'Settings and results' }).getByRole('columnheader', { name: 'Run 3' })).toBeVisible();
});
