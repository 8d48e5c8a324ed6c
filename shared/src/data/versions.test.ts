import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalRowsText, changeSaid, describeChange, diffRows, versionHash } from './versions.js';
import type { Row } from './columns.js';

const COLS = ['age', 'sex', 'result'];
const cell = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 6 }), fc.constant(null));
const row = fc.record({ age: cell, sex: cell, result: cell });
const rows = fc.array(row, { maxLength: 30 });

/** The same row with its keys in reverse order. */
const reversedKeys = (r: Row): Row => Object.fromEntries(Object.entries(r).reverse());

describe('version hash (canonical rows)', () => {
  it('does not depend on the order of keys in a row or of the column list', async () => {
    await fc.assert(
      fc.asyncProperty(rows, async (rs) => {
        expect(await versionHash(rs.map(reversedKeys), [...COLS].reverse())).toBe(await versionHash(rs, COLS));
      }),
      { numRuns: 50 },
    );
  });

  it('treats a missing key, undefined, null and NaN alike, and -0 as 0', () => {
    const a = canonicalRowsText([{ age: null, sex: -0 }], ['age', 'sex']);
    expect(canonicalRowsText([{ sex: 0 }], ['age', 'sex'])).toBe(a);
    expect(canonicalRowsText([{ age: Number.NaN, sex: 0, result: undefined }], ['sex', 'age'])).toBe(a);
  });

  it('changes when any one cell changes, and when rows swap places', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 2, maxLength: 20 }), fc.nat(), fc.constantFrom(...COLS), async (rs, at, col) => {
        const i = at % rs.length;
        const changed = rs.map((r: Row, j) => (j === i ? { ...r, [col]: `${String(r[col])}x` } : r));
        expect(await versionHash(changed, COLS)).not.toBe(await versionHash(rs, COLS));
        const a = canonicalRowsText(rs, COLS);
        const swapped = [rs[1], rs[0], ...rs.slice(2)];
        if (canonicalRowsText([rs[0]], COLS) !== canonicalRowsText([rs[1]], COLS)) expect(canonicalRowsText(swapped, COLS)).not.toBe(a);
      }),
      { numRuns: 50 },
    );
  });

  it('keeps 1 and "1" apart, and "a " apart from "a"', () => {
    expect(canonicalRowsText([{ x: 1 }], ['x'])).not.toBe(canonicalRowsText([{ x: '1' }], ['x']));
    expect(canonicalRowsText([{ x: 'a ' }], ['x'])).not.toBe(canonicalRowsText([{ x: 'a' }], ['x']));
  });

  it('is the SHA-256 of the canonical text (a fixed vector)', async () => {
    expect(canonicalRowsText([{ b: 'x', a: 1.5 }], ['b', 'a'])).toBe('["a","b"]\n[1.5,"x"]');
    expect(await versionHash([], [])).toBe('4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945'); // sha256("[]")
  });
});

describe('diffRows', () => {
  it('finds nothing between a version and any reordering of it', () => {
    fc.assert(
      fc.property(rows, fc.array(fc.nat()), (rs, keys) => {
        const shuffled = rs.map((r, i) => [keys[i] ?? i, r] as const).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
        expect(diffRows(rs, COLS, shuffled, COLS)).toEqual({ rowsAdded: 0, rowsRemoved: 0, columnsAdded: [], columnsRemoved: [] });
      }),
    );
  });

  it('counts appended rows as added and dropped rows as removed, exactly', () => {
    fc.assert(
      fc.property(rows, rows, (a, b) => {
        expect(diffRows(a, COLS, [...a, ...b], COLS)).toMatchObject({ rowsAdded: b.length, rowsRemoved: 0 });
        expect(diffRows([...a, ...b], COLS, a, COLS)).toMatchObject({ rowsAdded: 0, rowsRemoved: b.length });
      }),
    );
  });

  it('is mirrored when before and after swap', () => {
    fc.assert(
      fc.property(rows, rows, (a, b) => {
        const ab = diffRows(a, COLS, b, COLS);
        const ba = diffRows(b, COLS, a, COLS);
        expect([ab.rowsAdded, ab.rowsRemoved]).toEqual([ba.rowsRemoved, ba.rowsAdded]);
        // Added minus removed is always the change in row count.
        expect(ab.rowsAdded - ab.rowsRemoved).toBe(b.length - a.length);
      }),
    );
  });

  it('names a dropped column and compares rows on the columns left', () => {
    const before = [
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
    ];
    const after = [{ a: 1 }, { a: 2 }];
    expect(diffRows(before, ['a', 'b'], after, ['a'])).toEqual({ rowsAdded: 0, rowsRemoved: 0, columnsAdded: [], columnsRemoved: ['b'] });
  });
});

describe('describeChange', () => {
  it('says what changed in a sentence', () => {
    expect(describeChange('import', { rowsAdded: 569, rowsRemoved: 0, columnsAdded: [], columnsRemoved: [] }, 569, 31).sentence).toBe(
      'Imported 569 rows and 31 columns.',
    );
    expect(describeChange('clean', { rowsAdded: 0, rowsRemoved: 12, columnsAdded: [], columnsRemoved: [] }, 557, 31, 'with missing values').sentence).toBe(
      'Removed 12 rows with missing values.',
    );
    expect(describeChange('clean', { rowsAdded: 0, rowsRemoved: 0, columnsAdded: [], columnsRemoved: ['phone'] }, 10, 3).sentence).toBe('Removed column “phone”.');
    const labels = describeChange('labels', { rowsAdded: 0, rowsRemoved: 0, rowsChanged: 1, columnsAdded: [], columnsRemoved: [] }, 10, 3);
    expect(labels).toMatchObject({ rowsChanged: 1, sentence: 'Changed 1 row (labels).' });
  });
});

describe('a change said in any language', () => {
  it('a merge says how many versions it joined, then what it added', () => {
    const c = describeChange('merge', { rowsAdded: 1, rowsRemoved: 0, columnsAdded: [], columnsRemoved: [] }, 3, 3);
    const merged = { ...c, sentence: `Joined 3 versions made on different phones; ${c.sentence.toLowerCase()}` };
    expect(changeSaid(merged)).toEqual([
      { key: 'data.change.joined', values: { count: 3 } },
      { key: 'data.change.rowsAdded', values: { count: 1 } },
    ]);
    expect(changeSaid(c)[0].key).toBe('data.change.rowsAdded');
    expect(changeSaid(describeChange('entries', { rowsAdded: 2, rowsRemoved: 0, columnsAdded: [], columnsRemoved: [] }, 3, 3))).toEqual([
      { key: 'data.change.rowsAdded', values: { count: 2 } },
    ]);
  });
});
