// Corpus BLEU (Papineni et al., 2002) as sacrebleu 2.6.0 computes it: sacrebleu/metrics/bleu.py
// (BLEU.compute_bleu, _get_closest_ref_len, _extract_reference_info, _compute_segment_statistics),
// sacrebleu/metrics/helpers.py (extract_all_word_ngrams) and utils.my_log, ported step for step.
import { countUp, pyRstrip, pySplit } from './python-text.js';
import { tokenizeForBleu, type BleuTokenizer } from './sacrebleu-tokenizers.js';

/** sacrebleu's BLEU smoothing methods (Chen & Cherry 2014): none, floor (method 1), add-k (method 2), exp (method 3, NIST's). */
export type BleuSmoothing = 'none' | 'floor' | 'add-k' | 'exp';

/** Options of corpusBleu, named and defaulted as sacrebleu.corpus_bleu's / BLEU()'s arguments. */
export interface BleuOptions {
  /** Default '13a'. */
  tokenize?: BleuTokenizer;
  /** Default 'exp'. */
  smoothMethod?: BleuSmoothing;
  /** For 'floor' (default 0.1) and 'add-k' (default 1). */
  smoothValue?: number;
  /** Default false. */
  lowercase?: boolean;
  /** Default 4. */
  maxNgramOrder?: number;
  /** Stop at the highest n-gram order that has any hypothesis n-grams (sacrebleu's effective_order / use_effective_order). Default false. */
  effectiveOrder?: boolean;
}

/** What sacrebleu's BLEUScore holds: score and precisions in 0..100, the brevity penalty, lengths and per-order n-gram counts. */
export interface BleuResult {
  score: number;
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
  /** Clipped matches per order 1..maxNgramOrder. */
  counts: number[];
  /** Hypothesis n-grams per order 1..maxNgramOrder. */
  totals: number[];
}

const SMOOTH_DEFAULTS: Record<BleuSmoothing, number> = { none: 0, floor: 0.1, 'add-k': 1, exp: 0 };

/** utils.my_log: ln, with ln(0) replaced by -9999999999 so that a zero precision gives a score of 0 rather than NaN. */
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

/**
 * BLEU from its sufficient statistics, sacrebleu's BLEU.compute_bleu: brevity penalty
 * BP = exp(1 - r / c) when c < r (0 when c is 0), precisions p_n = 100 * m_n / t_n, and
 * score = BP * exp(sum(ln p_n) / N). A zero match count is smoothed by the method: 'exp' gives
 * the k-th such order 100 / (2^k t_n), 'floor' 100 * value / t_n, 'add-k' adds k to m_n and t_n for
 * n > 1; with no match at any order the score is 0. The loop stops at the first order with t_n = 0,
 * and with effectiveOrder N is the last order reached. Counts of several segments, corpora or
 * devices add up (sum counts, totals and both lengths) before this is applied. `counts` and `totals`
 * in the result are the raw ones (sacrebleu's add-k returns them with k added).
 */
export function bleuFromCounts(counts: readonly number[], totals: readonly number[], sysLen: number, refLen: number, options: BleuOptions = {}): BleuResult {
  const maxOrder = options.maxNgramOrder ?? 4;
  const method = options.smoothMethod ?? 'exp';
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[method];
  if (counts.length !== maxOrder || totals.length !== maxOrder) throw new RangeError(`bleuFromCounts needs ${maxOrder} counts and totals.`);
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions = new Array<number>(maxOrder).fill(0);
  const result = (score: number): BleuResult => ({ score, precisions, bp, sysLen, refLen, counts: [...counts], totals: [...totals] });
  if (!counts.some((c) => c !== 0)) return result(0);

  const correct = [...counts];
  const total = [...totals];
  let smoothMteval = 1;
  let effOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (method === 'add-k' && n > 1) {
      correct[n - 1] += smoothValue;
      total[n - 1] += smoothValue;
    }
    if (total[n - 1] === 0) break;
    if (options.effectiveOrder) effOrder = n;
    if (correct[n - 1] === 0) {
      if (method === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]);
      } else if (method === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / total[n - 1];
      }
    } else {
      precisions[n - 1] = (100 * correct[n - 1]) / total[n - 1];
    }
  }
  let logSum = 0;
  for (let i = 0; i < effOrder; i++) logSum += myLog(precisions[i]);
  return result(bp * Math.exp(logSum / effOrder));
}

/**
 * helpers.extract_all_word_ngrams: the counts of the n-grams of the whitespace tokens, one map per
 * order 1..maxOrder (an n-gram keyed by its tokens joined with spaces, which no token contains), and
 * the token count.
 */
function wordNgrams(line: string, maxOrder: number): { ngrams: Map<string, number>[]; length: number } {
  const tokens = pySplit(line);
  const ngrams: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) countUp(m, tokens.slice(i, i + n).join(' '));
    ngrams.push(m);
  }
  return { ngrams, length: tokens.length };
}

/** BLEU._get_closest_ref_len: the reference length closest to the hypothesis length, the shorter on a tie. */
function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let closestDiff = -1;
  let closestLen = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = len;
    } else if (diff === closestDiff && len < closestLen) {
      closestLen = len;
    }
  }
  return closestLen;
}

/** Throws unless there is at least one stream and every stream has one reference per hypothesis. */
export function checkStreams(name: string, hypotheses: readonly string[], referenceStreams: readonly (readonly string[])[]): void {
  if (hypotheses.length === 0) throw new RangeError(`${name} needs at least one hypothesis.`);
  if (referenceStreams.length === 0) throw new RangeError(`${name} needs at least one reference stream.`);
  for (const stream of referenceStreams) {
    if (stream.length !== hypotheses.length) {
      throw new RangeError(
        `${name}: each reference stream needs one reference per hypothesis (${hypotheses.length} hypotheses, a stream of ${stream.length}).`,
      );
    }
  }
}

/**
 * Corpus BLEU as sacrebleu 2.6.0's corpus_bleu(hypotheses, referenceStreams) computes it, with its
 * defaults unless `options` says otherwise: each segment lowercased if asked, right-stripped and
 * tokenized ('13a'); n-grams of orders 1..4 of the hypothesis matched against the maximum count of
 * each n-gram over that segment's references (clipped counts); the reference length of a segment
 * is the one closest to the hypothesis length (the shorter on a tie); counts and lengths summed
 * over the corpus and turned into BLEU by bleuFromCounts ('exp' smoothing, no effective order).
 * `referenceStreams` is sacrebleu's layout: a list of streams, each with one reference per
 * hypothesis. Throws a RangeError for no hypotheses, no streams, or a stream of another length
 * (sacrebleu would silently truncate).
 */
export function corpusBleu(hypotheses: readonly string[], referenceStreams: readonly (readonly string[])[], options: BleuOptions = {}): BleuResult {
  checkStreams('corpusBleu', hypotheses, referenceStreams);
  const maxOrder = options.maxNgramOrder ?? 4;
  const tokenizer = options.tokenize ?? '13a';
  const preprocess = (s: string) => tokenizeForBleu(pyRstrip(options.lowercase ? s.toLowerCase() : s), tokenizer);
  const counts = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hypotheses.forEach((hyp, i) => {
    const refNgrams = Array.from({ length: maxOrder }, () => new Map<string, number>());
    const refLens: number[] = [];
    for (const stream of referenceStreams) {
      const r = wordNgrams(preprocess(stream[i]), maxOrder);
      refLens.push(r.length);
      r.ngrams.forEach((m, n) => {
        for (const [ng, c] of m) refNgrams[n].set(ng, Math.max(refNgrams[n].get(ng) ?? 0, c));
      });
    }
    const h = wordNgrams(preprocess(hyp), maxOrder);
    sysLen += h.length;
    refLen += closestRefLen(h.length, refLens);
    h.ngrams.forEach((m, n) => {
      for (const [ng, c] of m) {
        totals[n] += c;
        counts[n] += Math.min(c, refNgrams[n].get(ng) ?? 0);
      }
    });
  });
  return bleuFromCounts(counts, totals, sysLen, refLen, options);
}
