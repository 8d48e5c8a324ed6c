// chrF (Popović 2015) and chrF++ (Popović 2017) as sacrebleu 2.6.0 computes them:
// sacrebleu/metrics/chrf.py (CHRF._get_match_statistics, _remove_punctuation, _compute_f_score,
// _compute_segment_statistics) and helpers.extract_all_char_ngrams / extract_word_ngrams.
import { checkStreams } from './bleu.js';
import { codePoints, countUp, pySplit } from './python-text.js';

/** Options of corpusChrf, named and defaulted as sacrebleu's CHRF() arguments. */
export interface ChrfOptions {
  /** Character n-gram order, default 6. */
  charOrder?: number;
  /** Word n-gram order, default 0 (2 makes it chrF++). */
  wordOrder?: number;
  /** Weight of recall, default 2. */
  beta?: number;
  /** Default false. */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams (sacrebleu's whitespace=True, compat's remove_whitespace=False). Default false. */
  whitespace?: boolean;
  /** chrF++.py / NLTK / Moses epsilon smoothing instead of sacrebleu's default effective-order averaging. Default false. */
  epsSmoothing?: boolean;
}

/** The chrF score in 0..100. */
export interface ChrfResult {
  score: number;
}

const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/** CHRF._remove_punctuation (from m-popovic/chrF): splits one ASCII punctuation mark off the end, or else the start, of each word longer than one character. */
function removePunctuation(sentence: string): string[] {
  const out: string[] = [];
  for (const word of pySplit(sentence)) {
    const cps = codePoints(word);
    if (cps.length === 1) out.push(word);
    else if (PUNCTUATION.has(cps[cps.length - 1])) out.push(cps.slice(0, -1).join(''), cps[cps.length - 1]);
    else if (PUNCTUATION.has(cps[0])) out.push(cps[0], cps.slice(1).join(''));
    else out.push(word);
  }
  return out;
}

/** The n-gram counters of one segment: character orders 1..charOrder, then word orders 1..wordOrder. */
function segmentNgrams(sentence: string, o: Required<ChrfOptions>): Map<string, number>[] {
  const chars = codePoints(o.whitespace ? sentence : pySplit(sentence).join(''));
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= o.charOrder; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= chars.length; i++) countUp(m, chars.slice(i, i + n).join(''));
    out.push(m);
  }
  if (o.wordOrder > 0) {
    const words = removePunctuation(sentence);
    for (let n = 1; n <= o.wordOrder; n++) {
      const m = new Map<string, number>();
      for (let i = 0; i + n <= words.length; i++) countUp(m, words.slice(i, i + n).join(' '));
      out.push(m);
    }
  }
  return out;
}

/** CHRF._get_match_statistics for one order: [hypothesis n-grams (0 when the reference has none), reference n-grams, clipped matches]. */
function matchStatistics(hyp: Map<string, number>, ref: Map<string, number>): [number, number, number] {
  let match = 0;
  let hypCount = 0;
  for (const [ng, c] of hyp) {
    hypCount += c;
    const r = ref.get(ng);
    if (r !== undefined) match += Math.min(c, r);
  }
  let refCount = 0;
  for (const c of ref.values()) refCount += c;
  return [ref.size > 0 ? hypCount : 0, refCount, match];
}

/**
 * CHRF._compute_f_score over the flattened [hyp, ref, match] triples of every order. By default
 * (sacrebleu >= 2 without eps_smoothing) precision and recall are averaged over the orders where
 * both the hypothesis and the reference have n-grams, and F_beta = (1 + b^2) P R / (b^2 P + R);
 * with epsSmoothing each order's F_beta (P or R of an empty side set to 1e-16) is averaged over all
 * orders instead.
 */
function fScore(stats: readonly number[], o: Required<ChrfOptions>): number {
  const eps = 1e-16;
  const order = o.charOrder + o.wordOrder;
  const factor = o.beta ** 2;
  let score = 0;
  let effectiveOrder = 0;
  let avgPrec = 0;
  let avgRec = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = [stats[3 * i], stats[3 * i + 1], stats[3 * i + 2]];
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    score += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder++;
    }
  }
  if (o.epsSmoothing) return (100 * score) / order;
  if (effectiveOrder === 0) {
    avgPrec = 0;
    avgRec = 0;
  } else {
    avgPrec /= effectiveOrder;
    avgRec /= effectiveOrder;
  }
  if (avgPrec + avgRec === 0) return 0;
  return 100 * (((1 + factor) * avgPrec * avgRec) / (factor * avgPrec + avgRec));
}

/**
 * Corpus chrF as sacrebleu 2.6.0's corpus_chrf(hypotheses, referenceStreams) computes it, with its
 * defaults (character n-grams of orders 1..6 over the segment with whitespace removed, no word
 * n-grams, beta 2, case-sensitive, effective-order averaging rather than epsilon smoothing) unless
 * `options` says otherwise. Per segment, the [hypothesis, reference, match] n-gram counts of each
 * order are taken against each reference, and the reference whose own chrF is highest (the first
 * on a tie) supplies them; the counts are summed over the corpus and give
 * chrF = (1 + b^2) P R / (b^2 P + R) * 100 with P and R averaged over the orders (see fScore).
 * Characters are code points, as Python counts them. Throws a RangeError for no hypotheses, no
 * streams, or a stream of another length.
 */
export function corpusChrf(hypotheses: readonly string[], referenceStreams: readonly (readonly string[])[], options: ChrfOptions = {}): ChrfResult {
  checkStreams('corpusChrf', hypotheses, referenceStreams);
  const o: Required<ChrfOptions> = {
    charOrder: options.charOrder ?? 6,
    wordOrder: options.wordOrder ?? 0,
    beta: options.beta ?? 2,
    lowercase: options.lowercase ?? false,
    whitespace: options.whitespace ?? false,
    epsSmoothing: options.epsSmoothing ?? false,
  };
  const preprocess = (s: string) => (o.lowercase ? s.toLowerCase() : s);
  const totals = new Array<number>(3 * (o.charOrder + o.wordOrder)).fill(0);
  hypotheses.forEach((hyp, i) => {
    const hypNgrams = segmentNgrams(preprocess(hyp), o);
    let best: number[] = [];
    let bestF = -1;
    for (const stream of referenceStreams) {
      const refNgrams = segmentNgrams(preprocess(stream[i]), o);
      const stats = hypNgrams.flatMap((h, k) => matchStatistics(h, refNgrams[k]));
      const f = fScore(stats, o);
      if (f > bestF) {
        bestF = f;
        best = stats;
      }
    }
    best.forEach((v, k) => (totals[k] += v));
  });
  return { score: fScore(totals, o) };
}
