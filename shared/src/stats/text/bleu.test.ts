import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { bleuFromCounts, corpusBleu, type BleuOptions } from './bleu.js';
import { pyRstrip, pySplit } from './python-text.js';
import { tokenizeForBleu, type BleuTokenizer } from './sacrebleu-tokenizers.js';

// Three references, all from sacrebleu 2.6.0: the worked `nlp` case of the reference-metrics sample
// (to 1e-7 as asked, and in fact exactly); the expected scores of sacrebleu's own test suite
// (fixtures/sacrebleu-cases.json, to the precision each test states); and random corpora scored by
// sacrebleu 2.6.0 run from its source (fixtures/make-sacrebleu-vectors.py), to 1e-12 relative,
// which leaves room only for the last bit of Math.log / Math.exp against the C library's.
const json = (name: string) => JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8'));
const sample = json('../../metrics/fixtures/reference-metrics-sample.json').cases.nlp[0];
const cases = json('./fixtures/sacrebleu-cases.json');
const vectors = json('./fixtures/sacrebleu-vectors.json');

type SacrebleuOptions = Record<string, string | number | boolean>;
/** sacrebleu's BLEU() argument names to corpusBleu's. */
const options = (o: SacrebleuOptions): BleuOptions => ({
  tokenize: o.tokenize as BleuTokenizer | undefined,
  smoothMethod: o.smooth_method as BleuOptions['smoothMethod'],
  smoothValue: o.smooth_value as number | undefined,
  lowercase: o.lowercase as boolean | undefined,
  maxNgramOrder: o.max_ngram_order as number | undefined,
  effectiveOrder: o.effective_order as boolean | undefined,
});

describe('corpusBleu against the reference-metrics sample', () => {
  it('matches sacrebleu 2.6.0 corpus_bleu to 1e-7 (exactly, in fact)', () => {
    const r = corpusBleu(sample.hypotheses, [sample.references]);
    expect(Math.abs(r.score - sample.bleu)).toBeLessThan(1e-7);
    expect(r.score).toBe(sample.bleu);
    // sacrebleu reports these for the case: 34/42 24/36 16/30 10/24, hyp_len 42, ref_len 41, so BP = 1.
    expect(r.counts).toEqual([34, 24, 16, 10]);
    expect(r.totals).toEqual([42, 36, 30, 24]);
    expect([r.sysLen, r.refLen, r.bp]).toEqual([42, 41, 1]);
  });
});

describe("corpusBleu against sacrebleu's test suite (test_bleu.py, test_sentence_bleu.py)", () => {
  for (const c of cases.bleu) {
    it(`${c.file} ${c.test} ${JSON.stringify(c.options)}: ${c.expected}`, () => {
      const score = corpusBleu(c.hypotheses, c.references, options(c.options)).score;
      if (c.check === 'fixed2') expect(score.toFixed(2)).toBe(c.expected);
      else expect(Math.abs((c.fraction ? score / 100 : score) - c.expected)).toBeLessThan(c.tolerance);
    });
  }

  it('test_statistics: the clipped counts and totals', () => {
    for (const c of cases.bleu_statistics) {
      const r = corpusBleu(c.hypotheses, c.references, options(c.options));
      expect(r.counts).toEqual(c.counts);
      expect(r.totals).toEqual(c.totals);
    }
  });

  it('test_scoring and test_degenerate_statistics: BLEU.compute_bleu from counts', () => {
    for (const c of cases.bleu_from_counts) {
      const score = bleuFromCounts(c.counts, c.totals, c.sys_len, c.ref_len, options(c.options)).score / 100;
      if (c.check === 'exact') expect(score).toBe(c.expected);
      else expect(Math.abs(score - c.expected)).toBeLessThan(c.tolerance);
    }
  });
});

describe('corpusBleu against sacrebleu 2.6.0 on random corpora', () => {
  it(`agrees on ${vectors.bleu.length} corpora: score to 1e-12 relative, counts, totals, lengths and BP`, () => {
    for (const c of vectors.bleu) {
      const r = corpusBleu(c.hypotheses, c.references, options(c.options));
      const where = JSON.stringify({ options: c.options, hypotheses: c.hypotheses });
      expect(Math.abs(r.score - c.score), where).toBeLessThanOrEqual(1e-12 * c.score);
      expect([r.sysLen, r.refLen], where).toEqual([c.sys_len, c.ref_len]);
      expect(Math.abs(r.bp - c.bp), where).toBeLessThanOrEqual(1e-15);
      r.precisions.forEach((p, i) => expect(Math.abs(p - c.precisions[i]), where).toBeLessThanOrEqual(1e-12 * c.precisions[i]));
      if (c.counts) expect([r.counts, r.totals], where).toEqual([c.counts, c.totals]);
    }
  });

  it(`tokenizes ${vectors.tokenizers.length} lines as sacrebleu's 13a, intl, char and none tokenizers do`, () => {
    for (const c of vectors.tokenizers) {
      for (const name of ['13a', 'intl', 'char', 'none'] as const)
        expect(tokenizeForBleu(pyRstrip(c.line), name), `${name}: ${JSON.stringify(c.line)}`).toBe(c[name]);
    }
  });
});

describe('corpusBleu: behaviour', () => {
  it('counts add up: BLEU of a corpus equals bleuFromCounts of the summed counts of its parts', () => {
    const hyps = ['the cat sat on the mat', 'a dog barked loudly at night'];
    const refs = ['the cat sat on a mat', 'the dog barked at night'];
    const a = corpusBleu(hyps.slice(0, 1), [refs.slice(0, 1)]);
    const b = corpusBleu(hyps.slice(1), [refs.slice(1)]);
    const sum = (x: number[], y: number[]) => x.map((v, i) => v + y[i]);
    const pooled = bleuFromCounts(sum(a.counts, b.counts), sum(a.totals, b.totals), a.sysLen + b.sysLen, a.refLen + b.refLen);
    expect(pooled).toEqual(corpusBleu(hyps, [refs]));
  });

  it('takes the reference length closest to the hypothesis, the shorter on a tie', () => {
    // Hypothesis of 4 tokens; references of 2 and 6 tokens are equally far: sacrebleu takes 2, so no brevity penalty.
    const r = corpusBleu(['a b c d'], [['a b'], ['a b c d e f']]);
    expect([r.sysLen, r.refLen, r.bp]).toEqual([4, 2, 1]);
    // With 3 and 6, 3 is closer.
    expect(corpusBleu(['a b c d'], [['a b c'], ['a b c d e f']]).refLen).toBe(3);
  });

  it('clips each n-gram at its largest count in any one reference', () => {
    const r = corpusBleu(['the the the the'], [['the cat'], ['the the dog']]);
    expect(r.counts[0]).toBe(2);
    expect(r.totals[0]).toBe(4);
  });

  it('rejects a reference stream of another length, no hypotheses and no streams', () => {
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(RangeError);
    expect(() => corpusBleu([], [[]])).toThrow(RangeError);
    expect(() => corpusBleu(['a'], [])).toThrow(RangeError);
  });

  it("splits on Python's whitespace, which is not JavaScript's \\s", () => {
    expect(pySplit('a\u001cb\u0085c d')).toEqual(['a', 'b', 'c', 'd']);
    expect(pySplit('a\ufeffb')).toEqual(['a\ufeffb']);
  });
});
