import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { perplexity } from './perplexity.js';

describe('perplexity', () => {
  it('is exp of the mean negative log-likelihood per token', () => {
    // A model that gives every token probability 1/4 has perplexity 4.
    expect(perplexity([Math.log(0.25), Math.log(0.25), Math.log(0.25)])).toBeCloseTo(4, 14);
    // Probabilities 1/2 and 1/8: mean NLL = (ln 2 + ln 8) / 2 = 2 ln 2, so PPL = 4.
    expect(perplexity([Math.log(0.5), Math.log(0.125)])).toBeCloseTo(4, 14);
    expect(perplexity([0, 0])).toBe(1);
  });

  it('pools tokens over sequences rather than averaging per-sequence perplexities', () => {
    const a = [Math.log(0.5)];
    const b = [Math.log(0.1), Math.log(0.1), Math.log(0.1)];
    expect(perplexity([a, b])).toBe(perplexity([...a, ...b]));
    // exp((ln 2 + 3 ln 10) / 4) = (2 * 1000)^(1/4), not (2 + 10) / 2.
    expect(perplexity([a, b])).toBeCloseTo(2000 ** 0.25, 12);
  });

  it('is NaN for no tokens and Infinity for a token of probability 0', () => {
    expect(perplexity([])).toBeNaN();
    expect(perplexity([[], []])).toBeNaN();
    expect(perplexity([Math.log(0.5), -Infinity])).toBe(Infinity);
  });

  it('lies between the lowest and highest per-token inverse probability (a geometric mean)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-6, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }), (ps) => {
        const ppl = perplexity(ps.map(Math.log));
        expect(ppl).toBeGreaterThanOrEqual(1 / Math.max(...ps) - 1e-9);
        expect(ppl).toBeLessThanOrEqual(1 / Math.min(...ps) + 1e-6);
      }),
    );
  });
});
