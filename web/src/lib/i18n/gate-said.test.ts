import { describe, expect, it } from 'vitest';
import type { Said } from '@shared/said.js';
import { checkGates, gateFailure, type GateResult } from '@shared/registry/gates.js';
import { humanHeadline, humanHeadlineSaid } from '@shared/metrics/human.js';
import { formatMessage } from './format.js';
import type { MessageKey } from './catalogue.js';
import en from './catalogues/en.js';
import fr from './catalogues/fr.js';
import ha from './catalogues/ha.js';
import yo from './catalogues/yo.js';
import ig from './catalogues/ig.js';
import pcm from './catalogues/pcm.js';
import sw from './catalogues/sw.js';

// The promotion checks' sentences said from GateResult.said (as gate-words.ts does on screen): the
// English catalogue says what the English message says (in plainer words: a check, the slowest
// 5%), and every language says them all.
const catalogues = { en, fr, ha, yo, ig, pcm, sw };
type Locale = keyof typeof catalogues;
const say = (s: Said, locale: Locale) => formatMessage(locale, catalogues[locale], en, s.key as MessageKey, s.values);
const words = (r: GateResult, locale: Locale) =>
  say({ key: r.said.frame.key, values: { ...r.said.frame.values, what: r.said.what ? say(r.said.what, locale) : '' } }, locale);

const version = (accuracy: number, evaluated: boolean) =>
  ({
    metrics: { accuracy },
    weightsSize: 40 * 1024,
    ...(evaluated ? { evaluation: { evaluation: { task: 'classification', accuracy, macro: { precision: 0.7, recall: 0.7, f1: 0.7 } } } } : {}),
  }) as never;

describe('promotion checks in every language', () => {
  const results = [
    ...checkGates(
      { minMetric: { metric: 'accuracy', value: 0.9 }, maxDropVsProduction: 0.02, maxModelKb: 30, maxLatencyMs: 50 },
      { version: version(0.85, true), production: version(0.9, false) },
    ),
    ...checkGates(
      { maxDropVsProduction: 0.02, minFairnessScore: 0.8, maxMemoryMb: 100 },
      { version: version(0.85, false), fairnessScore: 0.95, measurements: { latencyP95Ms: 3, memoryMb: 20 } as never },
    ),
    ...checkGates({ minMetric: { metric: 'mae', value: 2 } }, { version: version(0.85, false) }),
  ];

  it('the English words are the console’s, sentence for sentence', () => {
    expect(results.length).toBeGreaterThanOrEqual(8);
    for (const r of results) expect(words(r, 'en').replace('check', 'gate').replace('slowest 5%', 'p95 latency')).toBe(r.message);
    expect(gateFailure(results)).toMatch(/^Not promoted: /);
  });

  it('every language says each one with nothing left unformatted', () => {
    for (const locale of Object.keys(catalogues) as Locale[])
      for (const r of results) {
        const w = words(r, locale);
        expect(w).not.toMatch(/⟦|\{|\}/);
        if (r.value !== null) expect(w).toContain(new Intl.NumberFormat(locale === 'pcm' ? 'en' : locale).format(+r.value.toPrecision(3)).slice(0, 1));
      }
    expect(words(results[0], 'fr')).toContain('lignes de test');
  });
});

describe('the human baseline headline in every language', () => {
  it('says what the English headline says, and every language says it', () => {
    const right = { task: 'classification' as const, n: 40, accuracy: 0.914, macroF1: 0.9 } as never;
    const off = { task: 'regression' as const, n: 2, mae: 3.2149, rmse: 4, r2: 0.5 } as never;
    for (const m of [right, off]) {
      expect(say(humanHeadlineSaid(m), 'en')).toBe(humanHeadline(m));
      for (const locale of Object.keys(catalogues) as Locale[]) expect(say(humanHeadlineSaid(m), locale)).not.toMatch(/⟦|\{|\}/);
    }
    expect(say(humanHeadlineSaid(right), 'fr')).toContain('91');
  });
});
