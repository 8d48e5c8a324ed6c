import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { Rating, type Preferred, type RatingChoice } from '../schema/human.js';
import type { PredictionOutput } from '../schema/records.js';
import {
  agreementSentence,
  compareOutputs,
  latestRatings,
  MIN_AGREEMENT_ITEMS,
  outputText,
  preferenceSentence,
  preferredOf,
  ratingAnswer,
  scoreDecisions,
  shownFirstFor,
  studyResults,
  studyRows,
  wilsonInterval,
  Z95,
} from './human.js';

// References: fixtures/make-human-vectors.py wrote fixtures/human-vectors.json with statsmodels
// 0.13.5 (proportion_confint wilson, fleiss_kappa), scikit-learn 1.2.1 (cohen_kappa_score,
// precision_recall_fscore_support, confusion_matrix, regression metrics) and scipy 1.10.1.
const vectors = JSON.parse(readFileSync(new URL('./fixtures/human-vectors.json', import.meta.url), 'utf8'));
const near = (actual: number, expected: number, tol = 1e-12) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));

let seq = 0;
const rating = (studyId: string, itemIndex: number, rater: string, preferred: Preferred, createdAt = 1000): Rating => {
  // Whatever order the rater saw, pressing the button that meant `preferred`.
  const shownFirst = shownFirstFor(7, itemIndex, rater);
  const choice: RatingChoice = preferred === 'same' ? 'same' : preferred === shownFirst ? 'first' : 'second';
  return Rating.parse({ id: `r-${String(++seq).padStart(6, '0')}`, studyId, itemIndex, rater, ...ratingAnswer(choice, shownFirst), createdAt });
};
const study = (items: number, id = 's1') => ({ id, items: Array.from({ length: items }, () => ({})), seed: 7 });

describe('the preference interval', () => {
  it('uses scipy’s normal quantile', () => {
    expect(Z95).toBe(vectors.z95);
  });

  for (const c of vectors.wilson) {
    it(`Wilson ${c.count}/${c.nobs} as statsmodels: [${c.low}, ${c.high}]`, () => {
      const { low, high } = wilsonInterval(c.count, c.nobs);
      near(low, c.low, 1e-13);
      near(high, c.high, 1e-13);
    });
  }

  it('a study’s preference is A’s wins over A and B wins, ties left out, with that interval', () => {
    const ratings = [
      ...Array.from({ length: 7 }, (_, i) => rating('s1', i, 'ann', 'a')),
      ...Array.from({ length: 3 }, (_, i) => rating('s1', 7 + i, 'ann', 'b')),
      ...Array.from({ length: 5 }, (_, i) => rating('s1', 10 + i, 'ann', 'same')),
    ];
    const r = studyResults(study(20), ratings);
    expect(r.wins).toEqual({ a: 7, b: 3, same: 5 });
    const ref = vectors.wilson.find((w: { count: number; nobs: number }) => w.count === 7 && w.nobs === 10);
    expect(r.preference!.share).toBe(0.7);
    expect(r.preference!.n).toBe(10);
    near(r.preference!.low, ref.low, 1e-13);
    near(r.preference!.high, ref.high, 1e-13);
    expect(r).toMatchObject({ items: 20, ratedItems: 15, raters: 1, ratings: 15 });
    // The bootstrap over cases is seeded by the study: the same ratings give the same interval.
    expect(r.byItem).toEqual(studyResults(study(20), [...ratings].reverse()).byItem);
    expect(r.byItem!.share).toBe(0.7);
    expect(r.byItem!.low).toBeLessThan(0.7);
    expect(r.byItem!.high).toBeGreaterThan(0.7);
    expect(preferenceSentence(r, 'v1', 'v2')).toMatch(/No clear preference yet: v1 was chosen in 70% of 10 choices \(95% interval 40%–89%/);
  });

  it('says which version people preferred when the interval leaves out one half', () => {
    const ratings = Array.from({ length: 30 }, (_, i) => rating('s1', i, 'ann', i < 4 ? 'a' : 'b'));
    const r = studyResults(study(30), ratings);
    expect(preferenceSentence(r, 'v1', 'v2')).toMatch(/^People preferred v2: 87% of 30 choices/);
    expect(preferenceSentence(studyResults(study(3), []), 'v1', 'v2')).toBe('No ratings yet.');
  });

  it('counts each rater’s newest rating of a case once, and ignores other studies and cases past the study', () => {
    const ratings = [
      rating('s1', 0, 'ann', 'a', 1),
      rating('s1', 0, 'ann', 'b', 2),
      rating('s1', 0, 'bob', 'a', 1),
      rating('s2', 0, 'ann', 'a', 3),
      rating('s1', 9, 'ann', 'a', 3),
    ];
    const latest = latestRatings('s1', 5, ratings);
    expect(latest.map((r) => [r.rater, r.preferred]).sort()).toEqual([
      ['ann', 'b'],
      ['bob', 'a'],
    ]);
    expect(studyResults(study(5), ratings).wins).toEqual({ a: 1, b: 1, same: 0 });
  });
});

describe('blind order', () => {
  it('“first” means the version that was shown first, and the record refuses an answer that does not follow', () => {
    expect(preferredOf('first', 'a')).toBe('a');
    expect(preferredOf('first', 'b')).toBe('b');
    expect(preferredOf('second', 'a')).toBe('b');
    expect(preferredOf('second', 'b')).toBe('a');
    expect(preferredOf('same', 'b')).toBe('same');
    const ok = { id: 'r', studyId: 's', itemIndex: 0, rater: 'ann', choice: 'first', shownFirst: 'b', preferred: 'b', createdAt: 1 };
    expect(Rating.safeParse(ok).success).toBe(true);
    expect(Rating.safeParse({ ...ok, preferred: 'a' }).success).toBe(false);
  });

  it('is stable for a rater and a case, and varies across cases and raters about half and half', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 199 }), fc.string({ minLength: 1, maxLength: 30 }), (seed, item, rater) => {
        expect(shownFirstFor(seed, item, rater)).toBe(shownFirstFor(seed, item, rater));
      }),
    );
    const items = Array.from({ length: 200 }, (_, i) => shownFirstFor(12345, i, 'ann'));
    const firstA = items.filter((s) => s === 'a').length;
    expect(firstA).toBeGreaterThan(70);
    expect(firstA).toBeLessThan(130);
    const other = Array.from({ length: 200 }, (_, i) => shownFirstFor(12345, i, 'bob'));
    expect(other.filter((s, i) => s !== items[i]).length).toBeGreaterThan(60);
  });

  it('a rater who always presses “first” prefers neither version overall', () => {
    const ratings = Array.from({ length: 200 }, (_, i) => {
      const shownFirst = shownFirstFor(99, i, 'lazy');
      return Rating.parse({ id: `lazy-${i}`, studyId: 's', itemIndex: i, rater: 'lazy', ...ratingAnswer('first', shownFirst), createdAt: 1 });
    });
    const r = studyResults({ id: 's', items: new Array(200).fill({}), seed: 99 }, ratings);
    expect(r.preference!.low).toBeLessThan(0.5);
    expect(r.preference!.high).toBeGreaterThan(0.5);
  });
});

describe('agreement between raters', () => {
  for (const c of vectors.agreement) {
    it(`${c.name}: ${c.kind} kappa ${c.kappa}, from the same function the statistics use`, () => {
      const raters = c.answers.map((_: unknown, i: number) => `rater-${i}`);
      const ratings = c.answers.flatMap((row: Preferred[], j: number) => row.map((p, i) => rating('s1', i, raters[j], p)));
      const r = studyResults(study(c.answers[0].length), ratings);
      expect(r.agreement.kind).toBe(c.kind);
      if (r.agreement.kind === 'none') throw new Error('no agreement');
      near(r.agreement.kappa, c.kappa, 1e-12);
      expect(r.agreement.items).toBe(c.answers[0].length);
      expect(agreementSentence(r.agreement)).toMatch(new RegExp(`${c.kind === 'cohen' ? "Cohen's" : "Fleiss'"} kappa ${c.kappa.toFixed(2)}`));
    });
  }

  it('uses only the cases every rater rated, and says when there are too few or one rater', () => {
    const both = Array.from({ length: MIN_AGREEMENT_ITEMS - 1 }, (_, i) => [rating('s1', i, 'ann', 'a'), rating('s1', i, 'bob', 'a')]).flat();
    const onlyAnn = Array.from({ length: 20 }, (_, i) => rating('s1', 50 + i, 'ann', 'b'));
    const r = studyResults(study(100), [...both, ...onlyAnn]);
    expect(r.agreement).toEqual({ kind: 'none', reason: 'too_few_items', items: MIN_AGREEMENT_ITEMS - 1, raters: 2 });
    expect(agreementSentence(r.agreement)).toMatch(/at least 10 cases rated by every rater \(9 so far\)/);
    expect(studyResults(study(100), onlyAnn).agreement).toMatchObject({ kind: 'none', reason: 'one_rater' });
    const same = Array.from({ length: 12 }, (_, i) => [rating('s1', i, 'ann', 'a'), rating('s1', i, 'bob', 'a')]).flat();
    expect(studyResults(study(100), same).agreement).toMatchObject({ kind: 'none', reason: 'undefined', items: 12 });
  });
});

describe('two versions side by side', () => {
  const cls = (label: string, p = 0.9): PredictionOutput => ({ label, probabilities: { [label]: p } });
  it('lists the rows where the labels differ first, with agreement and accuracy on the known results', () => {
    const a = [cls('x'), cls('y'), cls('x'), cls('y'), cls('x')];
    const b = [cls('x'), cls('x'), cls('x'), cls('x'), cls('y')];
    const truth = ['x', 'y', 'x', 'y', 'unknown'];
    const c = compareOutputs({ task: 'classification', a, b, truth, labels: ['x', 'y'] });
    expect(c.rows.map((r) => r.index)).toEqual([1, 3, 4, 0, 2]);
    expect(c.agreed).toBe(2);
    expect(c.agreement).toBe(0.4);
    // Row 4's result is not a label: left out of the scores.
    expect(c.scoreA).toEqual({ n: 4, value: 1 });
    expect(c.scoreB).toEqual({ n: 4, value: 0.5 });
    expect(c.onDisagreements).toEqual({ n: 2, aRight: 2, bRight: 0 });
  });

  it('regression: the largest differences first, agreement within the tolerance, MAE of each', () => {
    const a = [10, 20, 30, 40].map((value) => ({ value }));
    const b = [10.5, 26, 30, 37].map((value) => ({ value }));
    const c = compareOutputs({ task: 'regression', a, b, truth: [10, 20, 33, null], tolerance: 1 });
    expect(c.rows.map((r) => [r.index, r.difference])).toEqual([
      [1, 6],
      [3, 3],
      [0, 0.5],
      [2, 0],
    ]);
    expect(c.agreed).toBe(2);
    expect(c.scoreA!.value).toBeCloseTo(1, 12);
    expect(c.scoreB!.value).toBeCloseTo((0.5 + 6 + 3) / 3, 12);
  });

  it('a study takes the disagreements first, shuffled by its seed, then tops up with agreements', () => {
    const a = Array.from({ length: 50 }, (_, i) => cls(i % 5 === 0 ? 'y' : 'x'));
    const b = Array.from({ length: 50 }, () => cls('x'));
    const c = compareOutputs({ task: 'classification', a, b });
    const rows = studyRows(c, 3, 15);
    expect(rows).toHaveLength(15);
    expect(new Set(rows.slice(0, 10).map((i) => i % 5))).toEqual(new Set([0]));
    expect(rows.slice(10).every((i) => i % 5 !== 0)).toBe(true);
    expect(studyRows(c, 3, 15)).toEqual(rows);
    expect(studyRows(c, 4, 15)).not.toEqual(rows);
    expect(outputText('classification', cls('malignant', 0.824))).toBe('malignant (82% sure)');
    expect(outputText('regression', { value: 123.456789 })).toBe('123.5');
    expect(outputText('regression', {})).toBe('(no answer)');
  });
});

describe('how people do', () => {
  for (const c of vectors.classification) {
    it(`${c.name}: as scikit-learn with labels=range(k)`, () => {
      const other = 'unsure';
      const truth = c.y.map((i: number) => c.labels[i]);
      const decisions = c.d.map((i: number) => (i === c.labels.length ? other : c.labels[i]));
      const s = scoreDecisions({ task: 'classification', labels: c.labels, truth, decisions });
      if (s.metrics.task !== 'classification') throw new Error('task');
      near(s.metrics.accuracy, c.accuracy);
      for (const avg of ['macro', 'weighted'] as const) for (const k of ['precision', 'recall', 'f1'] as const) near(s.metrics[avg][k], c[avg][k]);
      if (c.binary) for (const k of ['precision', 'recall', 'f1'] as const) near(s.metrics.binary![k], c.binary[k]);
      else expect(s.metrics.binary).toBeNull();
      expect(s.metrics.confusion).toEqual(c.confusion);
      expect(s.metrics.otherDecisions).toBe(c.d.filter((i: number) => i === c.labels.length).length);
      expect(s.rows).toBe(c.y.length);
    });
  }

  for (const c of vectors.regression) {
    it(`${c.name}: MAE, RMSE and R² as scikit-learn`, () => {
      const s = scoreDecisions({ task: 'regression', truth: c.y, decisions: c.d.map(String) });
      if (s.metrics.task !== 'regression') throw new Error('task');
      near(s.metrics.mae, c.mae);
      near(s.metrics.rmse, c.rmse);
      near(s.metrics.r2, c.r2);
    });
  }

  it('leaves out rows without a result or a decision, matches labels ignoring case, and scores the model on the same rows', () => {
    const s = scoreDecisions({
      task: 'classification',
      labels: ['benign', 'malignant'],
      truth: ['benign', 'malignant', '', 'malignant', 'other'],
      decisions: ['Benign', 'benign', 'benign', null, 'benign'],
      model: [{ label: 'benign' }, { label: 'malignant' }, { label: 'benign' }, { label: 'benign' }, { label: 'benign' }],
    });
    expect(s.rows).toBe(2);
    expect(s.skipped).toBe(3);
    expect(s.metrics).toMatchObject({ accuracy: 0.5, n: 2 });
    expect(s.model).toMatchObject({ accuracy: 1, n: 2 });
    expect(() => scoreDecisions({ task: 'regression', truth: ['a'], decisions: ['1'] })).toThrow(/No row has both a known result and a decision/);
  });
});
