import '../../runs/runes.testing.js';
import { afterEach, describe, expect, it } from 'vitest';
import { compareRerun } from '@shared/runs/reproduce.js';
import { testRun } from '@shared/runs/run.testing.js';
import type { Run } from '@shared/schema/records.js';

// The sentences and details of "Run again" as the cards say them, in the field view and with ML
// details (the i18n and prefs classes run unchanged, their runes stood in for by runes.testing.ts).
const { conditionName, conditionValues, verdictSentence } = await import('./rerun-words.js');
const { i18n } = await import('../../i18n/i18n.svelte.js');
const { prefs } = await import('../../prefs.svelte.js');

const android = 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36';
const first = (accuracy: number) => {
  const r = testRun('0190a000-0000-7000-8000-000000000001', { startedAt: Date.UTC(2026, 5, 1, 9), device: { userAgent: android, cores: 8 } });
  return { ...r, metrics: { ...(r.metrics as Extract<Run['metrics'], { task: 'classification' }>), accuracy } };
};
const again = (run: Run, accuracy: number, over: Partial<Run> = {}): Run => ({
  ...first(accuracy),
  id: '0190a000-0000-7000-8000-000000000002',
  startedAt: Date.UTC(2026, 5, 2, 9),
  rerunOf: run.id,
  ...over,
});

afterEach(() => {
  prefs.mlDetails = false;
});

describe('what a re-run says', () => {
  it('names the first figure that differs with both values, on either card, plain or with ML details', () => {
    const a = first(0.93);
    const b = again(a, 0.91);
    const r = compareRerun(a, b);
    const day1 = i18n.dateTime(a.startedAt);
    const day2 = i18n.dateTime(b.startedAt);
    expect(verdictSentence(r, a, b, 'rerun')).toBe(`Different from the run of ${day1}: how often right 91% instead of 93%.`);
    expect(verdictSentence(r, a, b, 'original')).toBe(`Run again on ${day2}: different, how often right 91% instead of 93%.`);
    prefs.mlDetails = true;
    expect(verdictSentence(r, a, b, 'rerun')).toBe(`Different from the run of ${day1}: Accuracy 0.91 instead of 0.93.`);
  });

  it('says same or close without a figure', () => {
    const a = first(0.9);
    expect(verdictSentence(compareRerun(a, again(a, 0.9)), a, again(a, 0.9), 'rerun')).toBe(`Same results as the run of ${i18n.dateTime(a.startedAt)}.`);
    const close = again(a, 0.902);
    expect(verdictSentence(compareRerun(a, close), a, close, 'original')).toBe(
      `Run again on ${i18n.dateTime(close.startedAt)}: close, the figures differ only by rounding.`,
    );
  });

  it('lists a changed device and browser in words, a setting by its name, and no ids', () => {
    const a = first(0.9);
    const b = again(a, 0.9, {
      backend: 'webgl',
      device: { userAgent: android.replace('156.0', '157.0'), cores: 4 },
      datasetVersionId: '0190a000-0000-7000-8000-0000000000d2',
      params: { ...a.params, epochs: 20 },
    });
    const said = compareRerun(a, b).conditions.map((c) => [conditionName(c), conditionValues(c, a, b)]);
    expect(said).toEqual([
      ['Data version', undefined],
      ['Setting: Rounds of learning', '10, then 20'],
      ['Backend', 'wasm, then webgl'],
      ['Browser', 'Chrome 156, then Chrome 157'],
      ['Device', 'Chrome 156 on Android, 8 cores, then Chrome 157 on Android, 4 cores'],
    ]);
  });
});
