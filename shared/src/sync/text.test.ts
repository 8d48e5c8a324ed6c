import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findUnstorableText, hasUnstorableText, MAX_RECORD_DEPTH, toStorableText } from './text.js';

describe('storable text', () => {
  it('finds NUL and lone surrogates, in values and in keys, and names where', () => {
    expect(findUnstorableText({ inputs: { note: 'from a CSV\u0000' } })).toEqual({ path: 'inputs.note', problem: 'text' });
    expect(findUnstorableText({ columns: [{ name: 'ok' }, { name: 'cut \ud83d' }] })).toEqual({ path: 'columns.1.name', problem: 'text' });
    expect(findUnstorableText({ inputs: { ['k\udc00']: 1 } })).toEqual({ path: 'inputs.k\ufffd', problem: 'text' });
    expect(findUnstorableText('\u0000')).toEqual({ path: '', problem: 'text' });
    expect(findUnstorableText({ emoji: '🙂 é ä 中文', n: 1, b: null, a: [true] })).toBeUndefined();
  });

  it('refuses nesting past the limit without recursing (a value thousands deep)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)?.problem).toBe('depth');
    let ok: unknown = 'x';
    for (let i = 0; i < MAX_RECORD_DEPTH; i++) ok = { a: ok };
    expect(findUnstorableText(ok)).toBeUndefined();
  });

  it('agrees with the well-formedness of the string, and the repair is always storable', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ maxLength: 40, unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        (a, b) => {
          for (const s of [a, b]) {
            const wellFormed = (s as string & { isWellFormed(): boolean }).isWellFormed();
            expect(hasUnstorableText(s)).toBe(!wellFormed || s.includes('\u0000'));
            expect(hasUnstorableText(toStorableText(s))).toBe(false);
            if (!hasUnstorableText(s)) expect(toStorableText(s)).toBe(s);
          }
        },
      ),
    );
  });
});
