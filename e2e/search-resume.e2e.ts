import { test, expect, type Page } from '@playwright/test';
import { projectWithDataset, setEpochs } from './steps.js';

// A hyperparameter search on a phone, closed midway: the page reloads during a try, the search
// carries on by itself, and at the end every try number is there once with one run of its own
// (the try cut off by the reload is asked again under its number, not added as another try).

interface Stored {
  studies: { id: string; status: string; projectId: string }[];
  trials: { number: number; studyId: string; runId?: string; state: string }[];
  runs: { id: string; status: string; studyId: string; trial: number; error?: string }[];
}

/** What the device's database holds of searches, straight from IndexedDB. */
async function stored(page: Page): Promise<Stored> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('outpost');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result as T[]);
        r.onerror = () => reject(r.error);
      });
    type Run = { id: string; status: string; error?: string; search?: { studyId: string; trial: number } };
    const [studies, trials, runs] = await Promise.all([all<Stored['studies'][number]>('studies'), all<Stored['trials'][number]>('trials'), all<Run>('runs')]);
    db.close();
    return {
      studies: studies.map((s) => ({ id: s.id, status: s.status, projectId: s.projectId })),
      trials: trials.map((t) => ({ number: t.number, studyId: t.studyId, runId: t.runId, state: t.state })),
      runs: runs.flatMap((r) => (r.search ? [{ id: r.id, status: r.status, studyId: r.search.studyId, trial: r.search.trial, error: r.error }] : [])),
    };
  });
}

async function openSearch(page: Page) {
  await page.getByRole('heading', { name: 'Find the best settings' }).click();
  await expect(page.getByLabel('Number of tries')).toBeVisible();
}

test('a search closed midway resumes after a reload with no try lost or run twice', async ({ page }) => {
  test.setTimeout(360_000);
  await projectWithDataset(page, 'Searched', 'iris.csv', 'species');
  // Enough rounds that a try lasts a few seconds, so the reload lands inside one.
  await setEpochs(page, 25);
  await openSearch(page);
  await page.getByLabel('Number of tries').fill('6');
  await page.getByRole('button', { name: 'Start the search' }).click();
  await expect(page.getByText('Trying settings number 1')).toBeVisible({ timeout: 60_000 });

  // Two tries recorded and the third one training: close the page now.
  await expect
    .poll(
      async () => {
        const s = await stored(page);
        return s.trials.length === 2 && s.runs.some((r) => r.trial === 2 && r.status === 'running');
      },
      { timeout: 180_000, intervals: [100] },
    )
    .toBe(true);
  await page.reload();
  const before = await stored(page);
  expect(before.trials.map((t) => t.number).sort()).toEqual([0, 1]);
  const [study] = before.studies;
  expect(before.studies).toHaveLength(1);

  // Nobody taps anything: the search carries on by itself and spends its budget.
  await expect.poll(async () => (await stored(page)).studies[0]?.status, { timeout: 300_000, intervals: [1000] }).toBe('finished');
  const after = await stored(page);
  const numbers = after.trials.filter((t) => t.studyId === study.id).map((t) => t.number);
  expect(numbers.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  // Each try has a run of its own, made for that try number.
  const runIds = after.trials.map((t) => t.runId);
  expect(new Set(runIds).size).toBe(6);
  for (const t of after.trials) expect(after.runs.find((r) => r.id === t.runId)).toMatchObject({ studyId: study.id, trial: t.number });
  // The try cut off left one run, marked interrupted, and was trained again once; no other try ran twice.
  const interrupted = after.runs.filter((r) => r.error?.startsWith('Interrupted'));
  expect(interrupted.map((r) => [r.trial, r.status])).toEqual([[2, 'failed']]);
  for (let n = 0; n < 6; n++) expect(after.runs.filter((r) => r.trial === n && !r.error?.startsWith('Interrupted'))).toHaveLength(1);

  // The screen says the same.
  await openSearch(page);
  await expect(page.getByText('6 of 6 tries done')).toBeVisible();
  await expect(page.locator('summary', { hasText: 'Search of' })).toContainText('finished');
  const tries = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Result' }) });
  await expect(tries.getByRole('row')).toHaveCount(7);
  // Newest first, each try once.
  await expect(tries.locator('tbody tr td:first-child')).toHaveText(['6', '5', '4', '3', '2', '1']);
});

test('a second search of the same project in another tab is refused with a sentence', async ({ page, context }) => {
  test.setTimeout(240_000);
  await projectWithDataset(page, 'Two tabs', 'iris.csv', 'species');
  await setEpochs(page, 25);
  await openSearch(page);
  await page.getByLabel('Number of tries').fill('3');
  await page.getByRole('button', { name: 'Start the search' }).click();
  await expect(page.getByText(/Trying settings number/)).toBeVisible({ timeout: 60_000 });

  const other = await context.newPage();
  await other.goto(page.url());
  await openSearch(other);
  await other.getByRole('button', { name: 'Start the search' }).click();
  await expect(other.getByRole('alert')).toHaveText(
    'A search of this project is already running in another tab or window. Let it finish or stop it there, then start this one.',
  );
  // The refused search was not saved; the first one runs on to its end.
  await expect.poll(async () => (await stored(page)).studies.map((s) => s.status), { timeout: 200_000, intervals: [1000] }).toEqual(['finished']);
  expect((await stored(page)).trials.map((t) => t.number).sort()).toEqual([0, 1, 2]);
  await other.close();
});

test('a search that chooses the kind of model trains each try as its kind, with that kind’s settings only', async ({ page }) => {
  test.setTimeout(240_000);
  await projectWithDataset(page, 'Kinds', 'iris.csv', 'species');
  await setEpochs(page, 10);
  await openSearch(page);
  await expect(page.getByLabel('Lowest Number of trees')).toHaveCount(0);
  await page.getByRole('checkbox', { name: 'Kind of model' }).check();
  const kinds = page.getByRole('group', { name: 'Kind of model' });
  await expect(kinds.getByRole('checkbox')).toHaveCount(3);
  // Each setting now says the kind it belongs to, and the forest's are offered.
  await expect(page.getByRole('checkbox', { name: 'Number of trees · Many decision trees (forest) only' })).toBeChecked();
  await page.getByLabel('Number of tries').fill('6');
  await page.getByRole('button', { name: 'Start the search' }).click();
  await expect.poll(async () => (await stored(page)).studies[0]?.status, { timeout: 200_000, intervals: [1000] }).toBe('finished');

  const trials = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve) => {
      const r = indexedDB.open('outpost');
      r.onsuccess = () => resolve(r.result);
    });
    const all = (store: string) =>
      new Promise<Record<string, unknown>[]>((resolve) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result as Record<string, unknown>[]);
      });
    const [trials, runs] = [await all('trials'), await all('runs')];
    db.close();
    return trials.map((t) => ({
      params: t.params as Record<string, unknown>,
      family: (runs.find((r) => r.id === t.runId)?.params as { family?: string })?.family,
    }));
  });
  expect(trials).toHaveLength(6);
  expect(new Set(trials.map((t) => t.params.family)).size).toBeGreaterThan(1);
  const own: Record<string, string[]> = {
    network: ['batchSize', 'family', 'layers', 'learningRate', 'units'],
    linear: ['family', 'l2'],
    forest: ['family', 'maxDepth', 'trees'],
  };
  for (const t of trials) {
    expect(Object.keys(t.params).sort()).toEqual(own[t.params.family as string]);
    expect(t.family ?? 'network').toBe(t.params.family);
  }
  const table = page.getByRole('table').filter({ has: page.getByRole('columnheader', { name: 'Result' }) });
  await expect(table.getByRole('columnheader', { name: 'Kind of model' })).toBeVisible();
  await expect(table.getByRole('cell', { name: /Neural network|Simple line \(linear\)|Many decision trees \(forest\)/ }).first()).toBeVisible();
});
