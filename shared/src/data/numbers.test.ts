import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dotGroupsOnly, guessNumberStyle, parseNumber } from './numbers.js';
import { toNumber } from './columns.js';

describe('numbers as people write them', () => {
  it('reads decimal commas, dot and space thousands, and comma thousands', () => {
    expect(parseNumber('36,6', 'comma')).toBe(36.6);
    expect(parseNumber('-0,25', 'comma')).toBe(-0.25);
    expect(parseNumber('1.234,5', 'comma')).toBe(1234.5);
    expect(parseNumber('1 234,5', 'comma')).toBe(1234.5);
    expect(parseNumber('12', 'comma')).toBe(12);
    expect(parseNumber('1,234.5', 'thousands')).toBe(1234.5);
    expect(parseNumber('1,234,567', 'thousands')).toBe(1234567);
    expect(parseNumber('36,6', 'point')).toBeNull();
    expect(parseNumber('1,23,4', 'comma')).toBeNull();
    expect(parseNumber('12,34', 'thousands')).toBeNull();
    expect(parseNumber('', 'comma')).toBeNull();
  });

  it('reads point style exactly as toNumber', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double().map(String)), (s) => {
        expect(parseNumber(s, 'point')).toBe(toNumber(s));
      }),
    );
  });

  it('a number written with a decimal comma reads back as the number (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 9999 }), (whole, frac) => {
        const text = `${whole},${String(frac).padStart(4, '0')}`;
        const expected = Number(`${whole}.${String(frac).padStart(4, '0')}`);
        expect(parseNumber(text, 'comma')).toBe(expected);
      }),
    );
  });

  it('guesses a decimal comma per column, and never reads thousands groups as decimals silently', () => {
    expect(guessNumberStyle(['36,6', '37,2', '38'])).toEqual({ style: 'comma', ambiguous: false });
    expect(guessNumberStyle(['1,234.5', '12.5'])).toEqual({ style: 'thousands', ambiguous: false });
    expect(guessNumberStyle(['36.6', '37.2'])).toEqual({ style: 'point', ambiguous: false });
    expect(guessNumberStyle(['yes', 'no'])).toEqual({ style: 'point', ambiguous: false });
    // 1,250 and 12,000 could be 1.25 and 12 or 1250 and 12000: the person's choice decides.
    expect(guessNumberStyle(['1,250', '12,000', '800'])).toEqual({ style: 'point', ambiguous: true });
    expect(guessNumberStyle(['1,250', '12,000'], 'comma')).toEqual({ style: 'comma', ambiguous: true });
    // Two comma groups can only be thousands.
    expect(guessNumberStyle(['1,250', '1,234,567'])).toEqual({ style: 'thousands', ambiguous: false });
    // One value with a decimal comma that is not three digits settles the column.
    expect(guessNumberStyle(['1,250', '2,5'])).toEqual({ style: 'comma', ambiguous: false });
  });

  it('notices a column whose points could be thousands groups', () => {
    expect(dotGroupsOnly(['1.250', '12.000', '800'])).toBe(true);
    expect(dotGroupsOnly(['1.25', '12.000'])).toBe(false);
    expect(dotGroupsOnly(['800', '12'])).toBe(false);
  });
});
