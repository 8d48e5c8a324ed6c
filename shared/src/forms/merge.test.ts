import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalRowsText } from '../data/versions.js';
import type { Row } from '../data/columns.js';
import { ENTRY_ID } from './form.js';
import { mergeId, mergeRows, versionHeads, type MergeInput } from './merge.js';

const COLS = [ENTRY_ID, 'temp', 'fever'];
const base: Row[] = [
  { temp: 37, fever: 'no' },
  { temp: 39.5, fever: 'yes' },
];
const entryId = fc.constantFrom('e01', 'e02', 'e03', 'e04', 'e05', 'e06', 'e07', 'e08');
const entry = fc.record({
  [ENTRY_ID]: entryId,
  temp: fc.oneof(fc.integer({ min: 34, max: 43 }), fc.constant(null)),
  fever: fc.constantFrom('yes', 'no', null),
});
// Every head starts from the same imported rows (the version the entries were added to).
const head = fc
  .record({ id: fc.constantFrom('v1', 'v2', 'v3', 'v4', 'v5'), entries: fc.array(entry, { maxLength: 8 }) })
  .map((h): MergeInput => ({ id: h.id, rows: [...base, ...h.entries], columns: COLS }));
// A version id names one list of rows, so heads differ by id.
const heads = fc.uniqueArray(head, { minLength: 1, maxLength: 5, selector: (h) => h.id });
const text = (h: MergeInput[]) => {
  const m = mergeRows(h);
  return { parentId: m.parentId, mergedFrom: m.mergedFrom, rows: canonicalRowsText(m.rows, m.columns) };
};

describe('merging entries from several devices', () => {
  it('does not depend on the order the versions arrive in', () => {
    fc.assert(
      fc.property(heads, fc.func(fc.integer()), (hs, key) => {
        const shuffled = [...hs].sort((a, b) => key(a.id) - key(b.id) || (a.id < b.id ? 1 : -1));
        expect(text(shuffled)).toEqual(text(hs));
      }),
      { numRuns: 200 },
    );
  });

  it('is idempotent: a head given twice, or a merge merged again with one of its heads, changes nothing', () => {
    fc.assert(
      fc.property(heads, (hs) => {
        const once = mergeRows(hs);
        expect(text([...hs, ...hs])).toEqual(text(hs));
        const again = mergeRows([{ id: 'v0', rows: once.rows, columns: once.columns }, hs[0]]);
        expect(canonicalRowsText(again.rows, again.columns)).toBe(canonicalRowsText(once.rows, once.columns));
      }),
      { numRuns: 200 },
    );
  });

  it('merging in steps gives the rows of merging at once', () => {
    fc.assert(
      fc.property(head, head, head, (x, y, z) => {
        const [a, b, c] = [x, y, z].map((h, i) => ({ ...h, id: `v${i}` }));
        const ab = mergeRows([a, b]);
        const stepwise = mergeRows([{ id: 'm', rows: ab.rows, columns: ab.columns }, c]);
        const atOnce = mergeRows([a, b, c]);
        expect(canonicalRowsText(stepwise.rows, stepwise.columns)).toBe(canonicalRowsText(atOnce.rows, atOnce.columns));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps each entry once, ordered by entry id, after the rows without one', () => {
    fc.assert(
      fc.property(heads, (hs) => {
        const m = mergeRows(hs);
        const ids = m.rows.slice(base.length).map((r) => String(r[ENTRY_ID]));
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids).toEqual([...ids].sort());
        const all = new Set(hs.flatMap((h) => h.rows.filter((r) => r[ENTRY_ID]).map((r) => String(r[ENTRY_ID]))));
        expect(new Set(ids)).toEqual(all);
        expect(m.rows.slice(0, base.length)).toEqual(base);
      }),
      { numRuns: 200 },
    );
  });

  it('a form submitted twice (on one phone or on two) is one row', () => {
    const e = { [ENTRY_ID]: 'e01', temp: 38.2, fever: 'yes' };
    const m = mergeRows([
      { id: 'a', rows: [...base, e, { ...e }], columns: COLS },
      { id: 'b', rows: [...base, { ...e }], columns: COLS },
    ]);
    expect(m.rows).toHaveLength(base.length + 1);
    expect(m).toMatchObject({ parentId: 'a', mergedFrom: ['b'] });
  });

  it('an entry filled in more fully on one phone wins over its emptier copy, whichever side it is on', () => {
    const bare = { [ENTRY_ID]: 'e01', temp: 38.2, fever: null };
    const full = { [ENTRY_ID]: 'e01', temp: 38.2, fever: 'yes' };
    for (const [x, y] of [
      [bare, full],
      [full, bare],
    ])
      expect(
        mergeRows([
          { id: 'a', rows: [x], columns: COLS },
          { id: 'b', rows: [y], columns: COLS },
        ]).rows,
      ).toEqual([full]);
  });

  it('adds columns only one head has, after the parent’s', () => {
    const m = mergeRows([
      { id: 'b', rows: [{ [ENTRY_ID]: 'e2', temp: 37, note: 'ok' }], columns: [ENTRY_ID, 'temp', 'note'] },
      { id: 'a', rows: [{ [ENTRY_ID]: 'e1', temp: 36 }], columns: [ENTRY_ID, 'temp'] },
    ]);
    expect(m.columns).toEqual([ENTRY_ID, 'temp', 'note']);
    expect(m.rows.map((r) => r[ENTRY_ID])).toEqual(['e1', 'e2']);
  });
});

describe('heads and the merge id', () => {
  it('heads are the versions nobody names as parent or merged from; a deleted merge still names its parents', () => {
    const vs = [
      { id: 'v1', parentId: null },
      { id: 'a', parentId: 'v1' },
      { id: 'b', parentId: 'v1' },
    ];
    expect(versionHeads(vs)).toEqual(['a', 'b']);
    expect(versionHeads([...vs, { id: 'm', parentId: 'a', mergedFrom: ['b'] }])).toEqual(['m']);
    expect(versionHeads([...vs, { id: 'm', parentId: 'a', mergedFrom: ['b'], deleted: true }])).toEqual([]);
    expect(versionHeads([...vs, { id: 'c', parentId: 'b' }])).toEqual(['a', 'c']);
  });

  it('the merge id depends on the set of versions only, and looks like a UUID', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.uuid(), { minLength: 2, maxLength: 6 }), async (ids) => {
        const id = await mergeId(ids);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(await mergeId([...ids].reverse())).toBe(id);
        expect(await mergeId([...ids, ids[0]])).toBe(id);
        expect(await mergeId(ids.slice(1))).not.toBe(id);
      }),
      { numRuns: 50 },
    );
  });
});
