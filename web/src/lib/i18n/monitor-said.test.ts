import { describe, expect, it } from 'vitest';
import type { Said } from '@shared/said.js';
import { MONITOR_DEFAULTS, monitorStates, thresholdsFor, type StateInputs } from '@shared/monitor/states.js';
import { columnDrift, datasetDrift } from '@shared/monitor/drift.js';
import type { VersionFigures } from '@shared/monitor/figures.js';
import {
  agreementSaid,
  agreementSentence,
  outputSaid,
  outputText,
  preferenceSaid,
  preferenceSentence,
  type RaterAgreement,
  type StudyResult,
} from '@shared/metrics/human.js';
import { formatMessage } from './format.js';
import type { MessageKey } from './catalogue.js';
import en from './catalogues/en.js';
import fr from './catalogues/fr.js';
import ha from './catalogues/ha.js';
import yo from './catalogues/yo.js';
import ig from './catalogues/ig.js';
import pcm from './catalogues/pcm.js';
import sw from './catalogues/sw.js';

// The monitor states' measure lines, an untested drift column's sentence and the rating studies'
// sentences, said from their `Said` (as the Monitor tab and the rating studies do on screen): the
// English catalogue says what the console's English says, and every language says them all.
const catalogues = { en, fr, ha, yo, ig, pcm, sw };
type Locale = keyof typeof catalogues;
const locales = Object.keys(catalogues) as Locale[];
const say = (s: Said, locale: Locale) => formatMessage(locale, catalogues[locale], en, s.key as MessageKey, s.values);
// The console writes "1.0%", "12.0" and "Cohen's"; the catalogue's numbers drop trailing zeros and its apostrophes curl.
const plain = (s: string) =>
  s
    .replace(/’/g, "'")
    .replace(/(\d)\.0+(?!\d)/g, '$1')
    .replace(/(\.\d*?[1-9])0+(?!\d)/g, '$1');
const unformatted = /⟦|\{|\}/;

const figures = (over: Partial<VersionFigures> = {}): VersionFigures => ({
  predictions: 240,
  errors: 3,
  errorRate: 0.0125,
  latencyP50Ms: 12.5,
  latencyP95Ms: 41.2,
  latencyMeanMs: 15,
  missingShare: 0.034,
  outOfRangeShare: 0.21,
  unseenShare: 0,
  invalidShare: 0.004,
  inputs: [],
  classShares: {},
  referenceClassShares: {},
  meanConfidence: 0.812,
  referenceMeanConfidence: 0.874,
  predictionPsi: null,
  outcomePsi: null,
  quality: { metric: 'auc', value: 0.912, outcomes: 25, accuracy: 0.9 } as VersionFigures['quality'],
  fairness: { attribute: 'sex', privileged: 'male', favourable: 'yes', score: 85.5, privilegedRows: 12, unprivilegedRows: 14 } as VersionFigures['fairness'],
  waiting: 0,
  ...over,
});

const inputs: StateInputs[] = [
  { figures: figures(), thresholds: thresholdsFor(undefined, 'auc'), perDay: 3.25, drift: { drifted: true, driftedColumns: 3, testedColumns: 5 } },
  {
    figures: figures({
      quality: { metric: 'mae', value: null, outcomes: 0 } as unknown as VersionFigures['quality'],
      fairness: { attribute: 'sex', privileged: 'male', favourable: 'yes', score: NaN, privilegedRows: 0, unprivilegedRows: 0 } as VersionFigures['fairness'],
    }),
    thresholds: { ...MONITOR_DEFAULTS, minPerDay: { warning: 5, alert: 2 }, quality: { warning: 2.5, alert: 4 } },
    perDay: 12.5,
    drift: { drifted: false, driftedColumns: 0, testedColumns: 2 },
  },
];

describe('the monitor states’ measure lines in every language', () => {
  const states = inputs.flatMap(monitorStates);

  it('the English words are the console’s, line for line', () => {
    expect(states.length).toBeGreaterThanOrEqual(20);
    expect(new Set(states.map((s) => s.measureSaid.key)).size).toBe(13);
    for (const s of states) expect(plain(say(s.measureSaid, 'en'))).toBe(plain(s.measure));
  });

  it('every language says each one with nothing left unformatted', () => {
    for (const locale of locales) for (const s of states) expect(say(s.measureSaid, locale)).not.toMatch(unformatted);
    expect(say(states[0].measureSaid, 'fr')).toContain('latence p95');
  });

  it('the dataset verdict with no tested column is said too', () => {
    const d = datasetDrift([]);
    expect(say(d.said!, 'en')).toBe(d.message);
    const [drift] = monitorStates({ ...inputs[0], drift: d }).filter((s) => s.key === 'drift');
    expect(drift.said.key).toBe('monitor.detail.noVerdict');
    for (const locale of locales) expect(say(drift.said, locale)).not.toMatch(unformatted);
  });
});

describe('a drift column that cannot be tested, in every language', () => {
  const numbers = (n: number) => Array.from({ length: n }, (_, i) => i);
  const results = [
    columnDrift([], numbers(10), { kind: 'numeric' }),
    columnDrift(numbers(10), [null, null, null], { kind: 'numeric' }),
    columnDrift(numbers(10), [null], { kind: 'numeric' }),
    columnDrift(numbers(10), [], { kind: 'numeric' }),
    columnDrift([1], numbers(10), { kind: 'numeric' }),
    columnDrift(numbers(10), [1, 2, 3], { kind: 'numeric' }),
  ];

  it('says what the English message says', () => {
    const keys = new Set<string>();
    for (const r of results) {
      if (r.test !== 'none') throw new Error('tested');
      keys.add(r.said!.key);
      expect(say(r.said!, 'en')).toBe(r.message);
    }
    expect(keys.size).toBe(5);
  });

  it('every language says each one with nothing left unformatted', () => {
    for (const locale of locales) for (const r of results) if (r.test === 'none') expect(say(r.said!, locale)).not.toMatch(unformatted);
  });
});

describe('the rating studies’ sentences in every language', () => {
  const study = (preference: StudyResult['preference'], ratings = 30): StudyResult => ({
    items: 40,
    ratedItems: 30,
    raters: 2,
    ratings,
    wins: { a: 10, b: 10, same: 10 },
    preference,
    byItem: null,
    agreement: { kind: 'none', reason: 'one_rater', items: 0, raters: 1 },
  });
  const studies = [
    study(null, 0),
    study(null, 12),
    study({ share: 0.8, low: 0.62, high: 0.91, n: 25 }),
    study({ share: 0.2, low: 0.09, high: 0.38, n: 25 }),
    study({ share: 0.55, low: 0.36, high: 0.72, n: 20 }),
  ];
  const agreements: RaterAgreement[] = [
    { kind: 'none', reason: 'one_rater', items: 12, raters: 1 },
    { kind: 'none', reason: 'too_few_items', items: 4, raters: 3 },
    { kind: 'none', reason: 'undefined', items: 12, raters: 2 },
    ...[-0.1, 0.15, 0.35, 0.55, 0.75, 0.93].map((kappa, i): RaterAgreement => ({
      kind: i % 2 ? 'fleiss' : 'cohen',
      kappa,
      observed: 0.64,
      items: 18,
      raters: i % 2 ? 3 : 2,
    })),
  ];

  it('says what the English sentences say', () => {
    for (const r of studies) expect(say(preferenceSaid(r, 'A (v1)', 'B (v2)'), 'en')).toBe(preferenceSentence(r, 'A (v1)', 'B (v2)'));
    for (const a of agreements) expect(plain(say(agreementSaid(a), 'en'))).toBe(plain(agreementSentence(a)));
  });

  it('every language says each one with nothing left unformatted', () => {
    for (const locale of locales) {
      for (const r of studies) expect(say(preferenceSaid(r, 'A (v1)', 'B (v2)'), locale)).not.toMatch(unformatted);
      for (const a of agreements) expect(say(agreementSaid(a), locale)).not.toMatch(unformatted);
    }
    expect(say(preferenceSaid(studies[3], 'A (v1)', 'B (v2)'), 'fr')).toContain('B (v2)');
    expect(say(agreementSaid(agreements[8]), 'sw')).toContain('karibu kamili');
  });
});

describe('a version’s answer in a comparison, in every language', () => {
  const answers = [
    ['classification', { label: 'urgent', probabilities: { urgent: 0.824 } }],
    ['classification', { label: 'routine' }],
    ['classification', {}],
    ['regression', { value: 12.34567 }],
    ['regression', {}],
  ] as const;

  it('says what outputText says, and every language says it', () => {
    for (const [task, o] of answers) {
      expect(say(outputSaid(task, o as never), 'en')).toBe(outputText(task, o as never));
      for (const locale of locales) expect(say(outputSaid(task, o as never), locale)).not.toMatch(unformatted);
    }
    expect(say(outputSaid('classification', answers[0][1] as never), 'fr')).toContain('82');
  });
});
