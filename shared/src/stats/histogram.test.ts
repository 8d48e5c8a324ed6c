import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { histogram, histogramEdges } from './histogram.js';

// Reference vectors from numpy 1.24.2 (fixtures/make-vectors.py): edges to 1e-9 relative (plus
// 1e-12 absolute, for edges at 0), counts exactly.
const V = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8'), (_k, v) =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
);
const near = (actual: number, expected: number, rtol: number, atol = 0) =>
  Number.isNaN(expected) ? Number.isNaN(actual) : Math.abs(actual - expected) <= rtol * Math.abs(expected) + atol;

describe('histogramEdges and histogram match numpy.histogram_bin_edges and numpy.histogram', () => {
  for (const c of V.histograms as { values: number[]; bins: 'sturges' | number; edges: number[]; counts: number[] }[]) {
    it(`${c.values.length} values, bins=${c.bins}`, () => {
      const edges = histogramEdges(c.values, c.bins);
      expect(edges.length).toBe(c.edges.length);
      edges.forEach((e, i) => expect(near(e, c.edges[i], 1e-9, 1e-12), `edge ${i}: ${e} vs ${c.edges[i]}`).toBe(true));
      expect(histogram(c.values, edges)).toEqual(c.counts);
    });
  }

  for (const c of V.histogramEdges as { values: number[]; edges: number[]; counts: number[] }[]) {
    it(`given edges ${JSON.stringify(c.edges.map(String))}: left-closed bins, the last closed on the right`, () => {
      expect(histogram(c.values, c.edges)).toEqual(c.counts);
    });
  }

  it('a constant sample gets one bin widened by 0.5 each way, as numpy does', () => {
    expect(histogramEdges([3, 3, 3], 'sturges')).toEqual([2.5, 3.5]);
    expect(histogramEdges([3, 3, 3], 2)).toEqual([2.5, 3, 3.5]);
  });

  it('refuses non-finite values and bin counts that are not positive integers', () => {
    expect(() => histogramEdges([1, Infinity], 'sturges')).toThrow(RangeError);
    expect(() => histogramEdges([1, 2], 0)).toThrow(RangeError);
    expect(() => histogramEdges([1, 2], 2.5)).toThrow(RangeError);
  });
});
