// Perplexity of a language model over held-out text, from the log-likelihoods it gave each token.
import { pairwiseSum } from '../numeric.js';

/**
 * Perplexity PPL = exp(-(1/N) sum_t ln p(x_t | x_<t)) over all N tokens, given each token's
 * natural-log likelihood (what Hugging Face's perplexity guide computes as exp of the mean
 * negative log-likelihood, and torch.exp(CrossEntropyLoss) over a batch with mean reduction).
 * Several sequences (number[][]) are pooled token by token, so a long sequence weighs more than a
 * short one, rather than averaging per-sequence perplexities. The sum is taken in numpy's pairwise
 * order. The log-likelihoods must be natural logs (a base-2 value x is x * ln 2 in nats).
 * NaN for no tokens; a token of likelihood 0 (-Infinity) gives Infinity.
 */
export function perplexity(tokenLogLikelihoods: readonly number[] | readonly (readonly number[])[]): number {
  const flat = (tokenLogLikelihoods as readonly (number | readonly number[])[]).flatMap((x) => x);
  if (flat.length === 0) return NaN;
  return Math.exp(-pairwiseSum(flat) / flat.length);
}
