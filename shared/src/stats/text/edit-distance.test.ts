import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { cer, levenshtein, wer } from './edit-distance.js';

// The worked `nlp` case of the reference-metrics sample gives corpus CER and WER as `formulas.nlp`
// defines them (computed beside sacrebleu 2.6.0); the rest are hand-worked cases and properties.
const sample = JSON.parse(readFileSync(new URL('../../metrics/fixtures/reference-metrics-sample.json', import.meta.url), 'utf8')).cases.nlp[0];

describe('levenshtein', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(levenshtein([...'kitten'], [...'sitting'])).toBe(3); // k->s, e->i, +g
    expect(levenshtein([...'flaw'], [...'lawn'])).toBe(2); // -f, +n
    expect(levenshtein([], [...'abc'])).toBe(3);
    expect(levenshtein([...'abc'], [])).toBe(3);
    expect(levenshtein([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(levenshtein(['the', 'cat', 'sat'], ['the', 'sat'])).toBe(1);
  });

  const seq = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 12 });

  it('is a metric: zero exactly for equal sequences, symmetric, and the triangle inequality holds', () => {
    fc.assert(
      fc.property(seq, seq, seq, (a, b, c) => {
        const ab = levenshtein(a, b);
        expect(ab === 0).toBe(JSON.stringify(a) === JSON.stringify(b));
        expect(levenshtein(a, a)).toBe(0);
        expect(ab).toBe(levenshtein(b, a));
        expect(levenshtein(a, c)).toBeLessThanOrEqual(ab + levenshtein(b, c));
      }),
    );
  });

  it('lies between the length difference and the longer length, and one edit changes it by at most one', () => {
    fc.assert(
      fc.property(seq, seq, fc.integer({ min: 0, max: 3 }), (a, b, x) => {
        const d = levenshtein(a, b);
        expect(d).toBeGreaterThanOrEqual(Math.abs(a.length - b.length));
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
        expect(Math.abs(levenshtein([...a, x], b) - d)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('cer and wer', () => {
  it('match the reference-metrics sample to 1e-7 (exactly, in fact)', () => {
    const c = cer(sample.hypotheses, sample.references);
    const w = wer(sample.hypotheses, sample.references);
    expect(Math.abs(c - sample.cer_corpus)).toBeLessThan(1e-7);
    expect(Math.abs(w - sample.wer_corpus)).toBeLessThan(1e-7);
    expect([c, w]).toEqual([sample.cer_corpus, sample.wer_corpus]);
  });

  it('pool edits and reference lengths over the corpus rather than averaging per sentence', () => {
    // 'abc' -> 'abd' is 1 edit over 3 characters; 'x' -> 'y' 1 over 1: (1 + 1) / (3 + 1) = 0.5, not mean(1/3, 1) = 2/3.
    expect(cer(['abd', 'y'], ['abc', 'x'])).toBe(0.5);
    // 'the cat sat' -> 'the sat' (1 deletion over 3 words) and 'hello' -> 'hello world' (1 insertion over 1 word): 2 / 4.
    expect(wer(['the sat', 'hello world'], ['the cat sat', 'hello'])).toBe(0.5);
  });

  it('count spaces as characters, astral characters once, and whitespace runs as one word break', () => {
    expect(cer(['ab'], ['a b'])).toBe(1 / 3);
    expect(cer(['😀'], ['😁'])).toBe(1);
    expect(wer(['a \t b\u00a0c'], ['a b c'])).toBe(0);
  });

  it('give 0 for identical texts and NaN when the references are empty; reject lists of different lengths', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 5 }), (texts) => {
        expect(cer(texts, texts)).toBe(0);
      }),
    );
    expect(cer([''], [''])).toBeNaN();
    expect(wer(['a'], ['  '])).toBeNaN();
    expect(() => cer(['a'], ['a', 'b'])).toThrow(RangeError);
  });
});
