import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { lcsLength, rouge, rougeL, rougeN, rougeTokenize } from './rouge.js';

// rouge-score cannot be installed here, so there is no oracle run. Three kinds of check instead:
// rouge-score's own unit tests (rouge_scorer_test.py) and its ROUGE-1.5.5 ground-truth cases
// (fixtures/rouge-cases.json, 5 decimal places as those tests assert), cases worked by hand, and
// properties.
const cases = JSON.parse(readFileSync(new URL('./fixtures/rouge-cases.json', import.meta.url), 'utf8'));
const close = (actual: number, expected: number, places: number) => expect(Math.abs(actual - expected)).toBeLessThan(0.5 * 10 ** -places);

describe('rouge-score test cases', () => {
  for (const c of cases.cases) {
    it(`${c.test}: ${c.rouge_type}`, () => {
      const s = c.rouge_type === 'rougeL' ? rougeL(c.prediction, c.target) : rougeN(c.prediction, c.target, Number(c.rouge_type.slice(5)));
      close(s.precision, c.precision, c.places);
      close(s.recall, c.recall, c.places);
      close(s.f1, c.fmeasure, c.places);
    });
  }
});

describe('rougeN and rougeL worked by hand', () => {
  it('tokenizes as rouge-score does: lowercase, runs of anything but [a-z0-9] become spaces', () => {
    expect(rougeTokenize("The Cat's  hat-trick, 2nd café!")).toEqual(['the', 'cat', 's', 'hat', 'trick', '2nd', 'caf']);
    expect(rougeTokenize('!!! ...')).toEqual([]);
  });

  it('ROUGE-1 and ROUGE-2 with repeated words clipped', () => {
    // hyp: the cat the cat on mat (6 tokens); ref: the cat sat on the mat (6 tokens).
    // Unigram overlap: the min(2,2) + cat min(2,1) + on 1 + mat 1 = 5, so P = R = F1 = 5/6.
    const r1 = rougeN('the cat the cat on mat', 'the cat sat on the mat', 1);
    expect(r1).toEqual({ precision: 5 / 6, recall: 5 / 6, f1: (2 * (5 / 6) * (5 / 6)) / (5 / 6 + 5 / 6) });
    // Bigrams: hyp {the cat: 2, cat the, cat on, on mat}; ref {the cat, cat sat, sat on, on the, the mat}.
    // Overlap: the cat min(1, 2) = 1, so P = 1/5, R = 1/5.
    const r2 = rougeN('the cat the cat on mat', 'the cat sat on the mat', 2);
    expect(r2.precision).toBe(1 / 5);
    expect(r2.recall).toBe(1 / 5);
  });

  it('ROUGE-L from the longest common subsequence', () => {
    // hyp: police killed the gunman (4); ref: police kill the gunman (4): LCS police the gunman = 3.
    const l = rougeL('police killed the gunman', 'police kill the gunman');
    expect([l.precision, l.recall, l.f1]).toEqual([3 / 4, 3 / 4, 0.75]);
    // hyp: the gunman kill police (4); ref: police kill the gunman (4): LCS "the gunman" or "kill" ... = 2.
    const m = rougeL('the gunman kill police', 'police kill the gunman');
    expect(m.f1).toBe(0.5);
    // Unequal lengths: hyp a b c (3), ref a x c y (4): LCS a c = 2, P = 2/3, R = 2/4, F1 = 2PR/(P+R) = 4/7.
    const u = rougeL('a b c', 'a x c y');
    expect(u.precision).toBe(2 / 3);
    expect(u.recall).toBe(0.5);
    expect(u.f1).toBeCloseTo(4 / 7, 15);
    expect(lcsLength(['1', '2', '3', '4', '5'], ['2', '5', '3', '4'])).toBe(3);
  });

  it('corpus rouge is the mean of the per-pair F1', () => {
    // Pair 1 identical: 1, 1, 1. Pair 2: hyp "a b", ref "a c": R1 F1 1/2, R2 F1 0, RL F1 1/2.
    expect(rouge(['x y z', 'a b'], ['x y z', 'a c'])).toEqual({ rouge1: 0.75, rouge2: 0.5, rougeL: 0.75 });
    expect(rouge([], []).rouge1).toBeNaN();
    expect(() => rouge(['a'], [])).toThrow(RangeError);
    expect(() => rougeN('a', 'a', 0)).toThrow(RangeError);
  });
});

describe('rouge properties', () => {
  const words = fc.array(fc.constantFrom('alpha', 'beta', 'gamma', 'delta', 'Alpha', 'x1', '2'), { minLength: 0, maxLength: 10 }).map((ws) => ws.join(' '));

  it('identical texts score 1 (when they have the n-grams), disjoint vocabularies 0', () => {
    fc.assert(
      fc.property(words, (t) => {
        const n = rougeTokenize(t).length;
        expect(rougeN(t, t, 1).f1).toBe(n >= 1 ? 1 : 0);
        expect(rougeN(t, t, 2).f1).toBe(n >= 2 ? 1 : 0);
        expect(rougeL(t, t).f1).toBe(n >= 1 ? 1 : 0);
        const other = rougeTokenize(t)
          .map((w) => `zz${w}`)
          .join(' ');
        expect(rougeN(t, other, 1).f1).toBe(0);
        expect(rougeL(t, other).f1).toBe(0);
      }),
    );
  });

  it('F1 is symmetric (precision and recall swap), and every score lies in [0, 1]', () => {
    fc.assert(
      fc.property(words, words, (h, r) => {
        for (const [a, b] of [
          [rougeN(h, r, 1), rougeN(r, h, 1)],
          [rougeN(h, r, 2), rougeN(r, h, 2)],
          [rougeL(h, r), rougeL(r, h)],
        ]) {
          expect(a.f1).toBeCloseTo(b.f1, 14);
          expect(a.precision).toBe(b.recall);
          for (const v of [a.precision, a.recall, a.f1]) expect(v >= 0 && v <= 1).toBe(true);
        }
        expect(rougeL(h, r).f1).toBeLessThanOrEqual(rougeN(h, r, 1).f1 + 1e-15);
      }),
    );
  });
});
