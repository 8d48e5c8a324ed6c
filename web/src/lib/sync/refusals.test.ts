import { afterEach, describe, expect, it } from 'vitest';
import en from '../i18n/catalogues/en.js';
import fr from '../i18n/catalogues/fr.js';
import ha from '../i18n/catalogues/ha.js';
import sw from '../i18n/catalogues/sw.js';
import { english, sayNow, speakWith } from '../i18n/speaking.js';
import { saidOf } from '../said-error.js';
import { runErrorSaid, INTERRUPTED_RUN } from '../i18n/run-words.js';
import { refusalSaid } from './refusals.js';

afterEach(() => speakWith('en', en));

describe('a refused change is said in the language on screen', () => {
  it('by its reason code and values; the server’s English only for a code this app does not know', () => {
    const r = { table: 'predictions', id: 'p1', code: 'invalid_body', message: 'Unknown field(s) for predictions: sneaky.' };
    const known = { ...r, reason: { code: 'fields_unknown', params: { table: 'predictions', fields: 'sneaky' } } };
    speakWith('fr', fr);
    expect(sayNow(refusalSaid(known)!)).toBe(
      'Le serveur ne connaît pas certains champs de cet enregistrement (sneaky) ; il est peut-être plus ancien que cette application. Demandez à votre coordinateur de mettre le serveur à jour.',
    );
    expect(refusalSaid(r)).toBeUndefined();
    expect(refusalSaid({ ...r, reason: { code: 'from_a_newer_server' } })).toBeUndefined();
    speakWith('ha', ha);
    expect(sayNow(refusalSaid({ ...r, reason: { code: 'text_unstorable', params: { field: 'name' } } })!)).toMatch(/^“name” yana da harafin/);
    expect(sayNow(refusalSaid({ ...r, reason: { code: 'text_unstorable', params: { field: '' } } })!)).toMatch(/^Bayanin yana da harafin/);
  });

  it('the device’s own refusal of a model too large keeps its English for the console', () => {
    expect(
      english(
        refusalSaid({ table: 'model weights', id: 'h', code: 'payload_too_large', message: '', reason: { code: 'blob_too_large', params: { mb: 2.5 } } })!,
      ),
    ).toMatch(/^A model \(2\.5 MB\) is larger than the server accepts/);
    speakWith('sw', sw);
    expect(
      sayNow(refusalSaid({ table: 'runs', id: 'r', code: 'payload_too_large', message: '', reason: { code: 'change_too_large', params: { mb: 3 } } })!),
    ).toBe('Badiliko hili ni MB 3, kubwa kuliko kundi la usawazishaji linavyoweza kuwa; linabaki kwenye kifaa hiki pekee.');
  });
});

describe('codes inside sentences are said too', () => {
  it('a refused stage move names both stages in the language', () => {
    speakWith('fr', fr);
    expect(sayNow({ key: 'error.stageMove', values: { from: 'archived', to: 'production' } })).toBe(
      fr['error.stageMove'].replace('{from}', fr['stage.archived']).replace('{to}', fr['stage.production']),
    );
    expect(english({ key: 'error.stageMove', values: { from: 'staging', to: 'odd' } })).toBe('A version cannot move from “on trial” to “odd”.');
  });

  it('the reason inside "Training failed" is said when it is a known one, else kept', () => {
    speakWith('fr', fr);
    const oom = saidOf({ said: { key: 'error.trainFailed', values: { reason: 'Aborted(OOM)' } } })!;
    expect(sayNow(oom)).toMatch(/^L’entraînement a échoué : le téléphone manque de mémoire\./);
    const other = saidOf({ said: { key: 'error.predictFailed', values: { reason: 'shape [3] is not [4]' } } })!;
    expect(sayNow(other)).toMatch(/shape \[3\] is not \[4\]/);
  });

  it('an interrupted run’s stored English has its key', () => {
    speakWith('fr', fr);
    expect(sayNow(runErrorSaid(INTERRUPTED_RUN)!)).toBe('Interrompu : l’application a été fermée pendant l’entraînement.');
    expect(runErrorSaid('Training failed: x')).toBeUndefined();
  });
});
