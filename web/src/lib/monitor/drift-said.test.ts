import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { binaryModel, modelVersionOf } from '@shared/monitor/model.testing.js';
import { OutpostDb } from '../db/db.js';
import { formatMessage } from '../i18n/format.js';
import en from '../i18n/catalogues/en.js';
import fr from '../i18n/catalogues/fr.js';
import ha from '../i18n/catalogues/ha.js';
import yo from '../i18n/catalogues/yo.js';
import ig from '../i18n/catalogues/ig.js';
import pcm from '../i18n/catalogues/pcm.js';
import sw from '../i18n/catalogues/sw.js';
import { checkDrift } from './drift.js';

// Why a drift check cannot run, said from its key: the English catalogue says the English words,
// and every language says it.
const catalogues = { en, fr, ha, yo, ig, pcm, sw };

describe('a drift check that cannot run', () => {
  it('says why in every language', async () => {
    const db = new OutpostDb('drift-said');
    const old = modelVersionOf(binaryModel);
    delete (old as { reference?: unknown }).reference;
    const notHere = modelVersionOf(binaryModel, { reference: { blob: { hash: 'a'.repeat(64), size: 10 }, rows: 10 } as never });
    for (const mv of [old, notHere]) {
      const c = await checkDrift(db, mv);
      if (!('unavailable' in c)) throw new Error('expected no check');
      expect(formatMessage('en', en, en, c.said.key, {})).toBe(c.unavailable);
      for (const [locale, cat] of Object.entries(catalogues)) expect(formatMessage(locale, cat, en, c.said.key, {})).not.toMatch(/⟦|\{|\}/);
    }
    db.close();
  });
});
