// ROUGE-N and ROUGE-L (Lin 2004) as Google's rouge-score package computes them
// (google-research/rouge: rouge_scorer.py _create_ngrams, _score_ngrams, _score_lcs, _lcs_table;
// scoring.fmeasure; tokenize.tokenize), with its default tokenizer and no stemming.
import { mean } from '../moments.js';
import { countUp } from './python-text.js';

/** Precision (over the hypothesis), recall (over the reference) and their harmonic mean. */
export interface RougeScore {
  precision: number;
  recall: number;
  f1: number;
}

/** Corpus ROUGE: the mean over hypothesis/reference pairs of each pair's F1. */
export interface RougeResult {
  rouge1: number;
  rouge2: number;
  rougeL: number;
}

/**
 * rouge-score's default tokenizer without stemming (tokenize.tokenize(text, None)): lowercase,
 * replace every run of characters outside [a-z0-9] with a space (so accented and non-Latin letters
 * are dropped, as in ROUGE-1.5.5), split on whitespace, drop empty tokens.
 */
export function rougeTokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((t) => t !== '');
}

/** scoring.fmeasure: 2 P R / (P + R), 0 when both are 0. */
function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) countUp(counts, tokens.slice(i, i + n).join(' '));
  return counts;
}

/**
 * ROUGE-N of one pair, rouge-score's RougeScorer(['rougeN']).score(reference, hypothesis): with
 * m = sum over the reference's n-grams of min(count in reference, count in hypothesis),
 * precision = m / max(hypothesis n-grams, 1), recall = m / max(reference n-grams, 1), and F1 their
 * harmonic mean (0 when both are 0). Note the argument order: hypothesis first here, the target
 * (reference) first in rouge-score. Throws a RangeError unless n is a positive integer.
 */
export function rougeN(hypothesis: string, reference: string, n: number): RougeScore {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`rougeN needs a positive integer n, not ${n}.`);
  const hyp = ngramCounts(rougeTokenize(hypothesis), n);
  const ref = ngramCounts(rougeTokenize(reference), n);
  let overlap = 0;
  let refTotal = 0;
  for (const [ng, c] of ref) {
    overlap += Math.min(c, hyp.get(ng) ?? 0);
    refTotal += c;
  }
  let hypTotal = 0;
  for (const c of hyp.values()) hypTotal += c;
  const precision = overlap / Math.max(hypTotal, 1);
  const recall = overlap / Math.max(refTotal, 1);
  return { precision, recall, f1: fmeasure(precision, recall) };
}

/** The length of the longest common subsequence of two token lists (rouge-score's _lcs_table, in two rows). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * Sentence-level ROUGE-L of one pair, rouge-score's RougeScorer(['rougeL']).score(reference,
 * hypothesis) (_score_lcs): with L the longest common subsequence of the two token lists,
 * precision = L / |hypothesis tokens|, recall = L / |reference tokens|, F1 their harmonic mean;
 * all 0 when either side has no tokens. The whole text is one sequence (not rougeLsum's
 * per-sentence union LCS).
 */
export function rougeL(hypothesis: string, reference: string): RougeScore {
  const hyp = rougeTokenize(hypothesis);
  const ref = rougeTokenize(reference);
  if (hyp.length === 0 || ref.length === 0) return { precision: 0, recall: 0, f1: 0 };
  const l = lcsLength(ref, hyp);
  const precision = l / hyp.length;
  const recall = l / ref.length;
  return { precision, recall, f1: fmeasure(precision, recall) };
}

/**
 * Corpus ROUGE-1, ROUGE-2 and ROUGE-L F1: the arithmetic mean over pairs of rougeN(h, r, 1).f1,
 * rougeN(h, r, 2).f1 and rougeL(h, r).f1, numpy.mean of rouge-score's per-pair `fmeasure` values
 * (summed in numpy's order). NaN for no pairs; throws a RangeError when the lists differ in length.
 */
export function rouge(hypotheses: readonly string[], references: readonly string[]): RougeResult {
  if (hypotheses.length !== references.length)
    throw new RangeError(`rouge needs one hypothesis per reference (${hypotheses.length} and ${references.length}).`);
  const r1 = hypotheses.map((h, i) => rougeN(h, references[i], 1).f1);
  const r2 = hypotheses.map((h, i) => rougeN(h, references[i], 2).f1);
  const rl = hypotheses.map((h, i) => rougeL(h, references[i]).f1);
  return { rouge1: mean(r1), rouge2: mean(r2), rougeL: mean(rl) };
}
