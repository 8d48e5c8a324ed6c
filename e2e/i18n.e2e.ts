import { test, expect, type Page } from '@playwright/test';
import en from '../web/src/lib/i18n/catalogues/en.js';
import fr from '../web/src/lib/i18n/catalogues/fr.js';
import ha from '../web/src/lib/i18n/catalogues/ha.js';
import yo from '../web/src/lib/i18n/catalogues/yo.js';
import ig from '../web/src/lib/i18n/catalogues/ig.js';
import pcm from '../web/src/lib/i18n/catalogues/pcm.js';
import sw from '../web/src/lib/i18n/catalogues/sw.js';
import { projectWithDataset, trainAndRegister } from './steps.js';

// Every language, chosen in Settings as a person would, on every main screen at 360 px: the words
// come from that language's catalogue, and no raw key or missing-message marker shows anywhere a
// person reads or a screen reader speaks.
const catalogues = { en, fr, ha, yo, ig, pcm, sw } as const;
const keys = Object.keys(en);

/** All that a person reads or hears on the page: its text and the labels, titles and placeholders. */
const readable = (page: Page) =>
  page.evaluate(() => {
    const attrs = [...document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')].flatMap((el) =>
      ['aria-label', 'title', 'placeholder', 'alt'].map((a) => el.getAttribute(a) ?? ''),
    );
    const options = [...document.querySelectorAll('option')].map((o) => o.textContent ?? '');
    return [document.body.innerText, ...attrs, ...options].join('\n');
  });

async function expectNoRawKeys(page: Page, where: string) {
  const text = await readable(page);
  expect({ where, markers: text.match(/⟦[^⟧]*⟧/g) ?? [] }).toEqual({ where, markers: [] });
  expect({ where, keys: keys.filter((k) => text.includes(k)) }).toEqual({ where, keys: [] });
  // Longer words must wrap, not push the page sideways on a 360 px phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect({ where, overflow }).toEqual({ where, overflow: 0 });
}

test('the app in each language: chosen in Settings, applied at once, kept, and no raw key on the main screens', async ({ page }) => {
  test.setTimeout(300_000);
  await projectWithDataset(page, 'Languages', 'iris.csv', 'species');
  await trainAndRegister(page, 3);
  const project = page.url();

  for (const [locale, c] of Object.entries(catalogues)) {
    await page.goto('/#/settings');
    await page.locator('#language').selectOption(locale);
    // Applied at once, without a reload.
    await expect(page.locator('html')).toHaveAttribute('lang', locale);
    await expect(page.getByRole('heading', { name: c['settings.language.title'] })).toBeVisible();
    await expectNoRawKeys(page, `${locale} settings`);
    // Kept on this device.
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('lang', locale);
    await expect(page.getByRole('link', { name: c['nav.settings'] })).toBeVisible();

    await page.getByRole('link', { name: c['nav.projects'] }).click();
    await expect(page.getByRole('heading', { name: c['projects.title'], level: 1 })).toBeVisible();
    await expectNoRawKeys(page, `${locale} projects`);

    await page.goto(project);
    for (const tab of ['tabs.data', 'tabs.forms', 'tabs.label', 'tabs.train', 'tabs.models', 'tabs.predict', 'tabs.monitor'] as const) {
      await page.getByRole('navigation', { name: c['project.sections'] }).getByRole('link', { name: c[tab] }).click();
      await expect(page.getByText(c['common.loading'])).toHaveCount(0);
      await expectNoRawKeys(page, `${locale} ${tab}`);
    }
    // The field view's words on the Monitor tab, in this language.
    await expect(page.getByRole('heading', { name: c['monitor.qualityTitle'] })).toBeVisible();
  }

  // Back to following the phone's language: English here.
  await page.goto('/#/settings');
  await page.locator('#language').selectOption('browser');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('link', { name: 'Settings' })).toBeVisible();
});

test('Show ML details brings the specialists’ words; off, the figures are one tap away', async ({ page }) => {
  await projectWithDataset(page, 'Details', 'iris.csv', 'species');
  await trainAndRegister(page, 3);
  // Field view: plain words, the F1 score folded away.
  await expect(page.getByText(/Right \d+% of the time on cases it had not seen/).first()).toBeVisible();
  await expect(page.getByText('F1 (macro)').first()).toBeHidden();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByLabel('Show ML details').check();
  await page.goBack();
  await expect(page.getByText('F1 (macro)').first()).toBeVisible();
  await expect(page.getByText(/epochs, batch/).first()).toBeVisible();
  await expect(page.getByLabel('Epochs')).toBeVisible();
});
