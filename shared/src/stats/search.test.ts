import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { searchSorted } from './numeric.js';

describe('searchSorted', () => {
  it('is numpy.searchsorted: the count of values below x (left) or at or below x (right)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 })), fc.integer({ min: -6, max: 6 }), (xs, x) => {
        const sorted = [...xs].sort((a, b) => a - b);
        expect(searchSorted(sorted, x, 'left')).toBe(sorted.filter((v) => v < x).length);
        expect(searchSorted(sorted, x, 'right')).toBe(sorted.filter((v) => v <= x).length);
      }),
    );
  });
});
