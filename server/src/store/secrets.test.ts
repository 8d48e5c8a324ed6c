// Enrollment codes: ten characters from a 31-letter alphabet (about 49.5 bits), each equally likely.
import { describe, expect, it } from 'vitest';
import { newEnrollmentCode, normaliseCode } from './secrets.js';

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

describe('enrollment codes', () => {
  it('look like XXXXX-XXXXX from an alphabet without 0/O, 1/I/L, and normalise back from what a person types', () => {
    for (let i = 0; i < 200; i++) {
      const code = newEnrollmentCode();
      expect(code).toMatch(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/);
      expect(normaliseCode(code.toLowerCase().replace('-', ' '))).toBe(code.replace('-', ''));
    }
    expect(Math.log2(ALPHABET.length) * 10).toBeGreaterThan(49);
  });

  it('have no modulo bias: bytes past the last whole multiple of 31 are drawn again', () => {
    // 248..255 would map to A..H under `byte % 31`; they must be skipped, not used.
    const bytes = [248, 250, 255, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let at = 0;
    const code = newEnrollmentCode((n) => Uint8Array.from({ length: n }, () => bytes[at++ % bytes.length]));
    expect(code).toBe('ABCDE-FGHJK');
  });

  it('use every character about equally often (a biased generator favours the first eight by 12.5%)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) for (const ch of newEnrollmentCode().replace('-', '')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(ALPHABET.length);
    const values = [...counts.values()];
    // Expected 32,258 each with a standard deviation of about 177: 1.07 is over six deviations away.
    expect(Math.max(...values) / Math.min(...values)).toBeLessThan(1.07);
  });
});
