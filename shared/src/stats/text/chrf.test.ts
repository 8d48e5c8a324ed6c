import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { corpusChrf, type ChrfOptions } from './chrf.js';

// As for BLEU: the sample's worked case (sacrebleu 2.6.0), sacrebleu's test_chrf.py cases to their
// stated 1e-4, and random corpora scored by sacrebleu 2.6.0 (fixtures/make-sacrebleu-vectors.py),
// which chrF matches exactly: its arithmetic is divisions and sums in sacrebleu's order.
const json = (name: string) => JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8'));
const sample = json('../../metrics/fixtures/reference-metrics-sample.json').cases.nlp[0];
const cases = json('./fixtures/sacrebleu-cases.json');
const vectors = json('./fixtures/sacrebleu-vectors.json');

type SacrebleuOptions = Record<string, number | boolean>;
/** sacrebleu's CHRF() argument names to corpusChrf's. */
const options = (o: SacrebleuOptions): ChrfOptions => ({
  charOrder: o.char_order as number | undefined,
  wordOrder: o.word_order as number | undefined,
  beta: o.beta as number | undefined,
  lowercase: o.lowercase as boolean | undefined,
  whitespace: o.whitespace as boolean | undefined,
  epsSmoothing: o.eps_smoothing as boolean | undefined,
});

describe('corpusChrf against sacrebleu 2.6.0', () => {
  it('matches the sample to 1e-7 (exactly, in fact)', () => {
    const score = corpusChrf(sample.hypotheses, [sample.references]).score;
    expect(Math.abs(score - sample.chrf)).toBeLessThan(1e-7);
    expect(score).toBe(sample.chrf);
  });

  for (const c of cases.chrf) {
    it(`${c.file} ${c.test} ${JSON.stringify(c.options)} ${JSON.stringify(c.hypotheses).slice(0, 40)}: ${c.expected}`, () => {
      expect(Math.abs(corpusChrf(c.hypotheses, c.references, options(c.options)).score - c.expected)).toBeLessThan(c.tolerance);
    });
  }

  it(`agrees exactly on ${vectors.chrf.length} random corpora (chrF and chrF++, eps smoothing, whitespace, beta, order, case)`, () => {
    for (const c of vectors.chrf) {
      const where = JSON.stringify({ options: c.options, hypotheses: c.hypotheses });
      expect(corpusChrf(c.hypotheses, c.references, options(c.options)).score, where).toBe(c.score);
    }
  });
});

describe('corpusChrf: behaviour', () => {
  it('takes, per sentence, the reference with the best chrF', () => {
    const hyps = ['the cat sat on the mat', 'a dog'];
    const good = ['the cat sat on the mat', 'a dog'];
    const bad = ['zzz', 'qqq'];
    const best = corpusChrf(hyps, [good]).score;
    expect(best).toBe(100);
    expect(corpusChrf(hyps, [bad, good]).score).toBe(best);
    expect(corpusChrf(hyps, [good, bad]).score).toBe(best);
    // Mixing per sentence: the first sentence's best reference is in stream 2, the second's in stream 1.
    expect(
      corpusChrf(hyps, [
        [bad[0], good[1]],
        [good[0], bad[1]],
      ]).score,
    ).toBe(best);
  });

  it('ignores whitespace by default and counts characters as code points', () => {
    expect(corpusChrf(['a b c'], [['abc']]).score).toBe(100);
    // One astral character is one unigram, as in Python: identical strings score 100.
    expect(corpusChrf(['😀x'], [['😀x']]).score).toBe(100);
    expect(corpusChrf(['😀'], [['😁']]).score).toBe(0);
  });

  it('rejects a reference stream of another length', () => {
    expect(() => corpusChrf(['a', 'b'], [['a']])).toThrow(RangeError);
  });
});
