// Levenshtein distance and the corpus error rates built on it (`formulas.nlp` of the
// reference-metrics sample: edits summed over the corpus, divided by the total reference length).
import { codePoints, pySplit } from './python-text.js';

/**
 * The Levenshtein distance between two sequences: the fewest insertions, deletions and
 * substitutions (each costing 1) that turn `a` into `b` (Levenshtein 1966), by the Wagner-Fischer
 * dynamic programme in two rows. Elements are compared with ===. It is a metric: 0 only for equal
 * sequences, symmetric, and it satisfies the triangle inequality.
 */
export function levenshtein<T>(a: readonly T[], b: readonly T[]): number {
  // Iterate over the longer one so the rows are as short as possible.
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let prev = Array.from({ length: short.length + 1 }, (_, j) => j);
  let cur = new Array<number>(short.length + 1);
  for (let i = 1; i <= long.length; i++) {
    cur[0] = i;
    const x = long[i - 1];
    for (let j = 1; j <= short.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x === short[j - 1] ? 0 : 1));
    }
    [prev, cur] = [cur, prev];
  }
  return prev[short.length];
}

function corpusErrorRate(name: string, hyps: readonly string[], refs: readonly string[], units: (s: string) => string[]): number {
  if (hyps.length !== refs.length) throw new RangeError(`${name} needs one hypothesis per reference (${hyps.length} and ${refs.length}).`);
  let edits = 0;
  let refLength = 0;
  for (let i = 0; i < refs.length; i++) {
    const r = units(refs[i]);
    edits += levenshtein(units(hyps[i]), r);
    refLength += r.length;
  }
  return refLength === 0 ? NaN : edits / refLength;
}

/**
 * Corpus character error rate, as `formulas.nlp` of the reference-metrics sample defines it:
 * CER = sum_i lev(chars(hyp_i), chars(ref_i)) / sum_i |chars(ref_i)|, characters being code
 * points (Python's len) with spaces counted and nothing normalised (no case folding, no stripping).
 * NaN when the references have no characters; throws a RangeError
 * when the lists differ in length.
 */
export function cer(hyps: readonly string[], refs: readonly string[]): number {
  return corpusErrorRate('cer', hyps, refs, codePoints);
}

/**
 * Corpus word error rate, as `formulas.nlp` of the reference-metrics sample defines it:
 * WER = sum_i lev(words(hyp_i), words(ref_i)) / sum_i |words(ref_i)|, words being Python's
 * str.split() (runs of non-whitespace; punctuation and case kept). NaN when the references have no
 * words; throws a RangeError when the lists differ in length.
 */
export function wer(hyps: readonly string[], refs: readonly string[]): number {
  return corpusErrorRate('wer', hyps, refs, pySplit);
}
