import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { agreement, decideAll, decideItem, itemHistory } from './decide.js';
import { Label } from './label.js';
import { itemKey, itemKeys } from './items.js';
import { labelView } from './view.js';
import { cohensKappa, fleissKappa } from '../stats/agreement.js';

let n = 0;
const label = (item: string, by: string, value: string, at: number, review = false): Label => ({
  id: `l${String(++n).padStart(6, '0')}`,
  projectId: 'p1',
  datasetId: 'd1',
  column: 'label',
  item,
  value,
  by,
  name: by.toUpperCase(),
  at,
  ...(review ? { review } : {}),
});

describe('decided labels', () => {
  it('one vote decides; the same vote from all agrees; a majority decides; a tie is a conflict until reviewed', () => {
    expect(decideItem('row:a', [label('row:a', 'ada', 'cat', 1)])).toMatchObject({ status: 'single', value: 'cat' });
    expect(decideItem('row:a', [label('row:a', 'ada', 'cat', 1), label('row:a', 'bo', 'cat', 2)])).toMatchObject({ status: 'agreed', value: 'cat' });
    const three = [label('row:a', 'ada', 'cat', 1), label('row:a', 'bo', 'dog', 2), label('row:a', 'cy', 'cat', 3)];
    expect(decideItem('row:a', three)).toMatchObject({ status: 'majority', value: 'cat' });
    const tie = [label('row:a', 'ada', 'cat', 1), label('row:a', 'bo', 'dog', 2)];
    expect(decideItem('row:a', tie)).toMatchObject({ status: 'conflict', value: null });
    const reviewed = decideItem('row:a', [...tie, label('row:a', 'lead', 'dog', 3, true)]);
    expect(reviewed).toMatchObject({ status: 'reviewed', value: 'dog', review: { by: 'lead' } });
    // The reviewer is not a labeller: the votes stay the two people's.
    expect(reviewed.votes.map((v) => v.by)).toEqual(['ada', 'bo']);
  });

  it("a person's newest label is their vote; the older ones stay in the history", () => {
    const recs = [label('row:a', 'ada', 'cat', 1), label('row:a', 'bo', 'dog', 2), label('row:a', 'ada', 'dog', 3)];
    expect(decideItem('row:a', recs)).toMatchObject({ status: 'agreed', value: 'dog' });
    expect(itemHistory(recs, 'row:a').map((l) => [l.by, l.value])).toEqual([
      ['ada', 'cat'],
      ['bo', 'dog'],
      ['ada', 'dog'],
    ]);
  });

  const arbLabels = fc.array(
    fc.record({
      item: fc.constantFrom('row:a', 'row:b', 'image:c'),
      by: fc.constantFrom('ada', 'bo', 'cy', 'dee'),
      value: fc.constantFrom('cat', 'dog', 'bird'),
      at: fc.integer({ min: 0, max: 5 }),
      review: fc.integer({ min: 0, max: 9 }).map((k) => k < 3),
    }),
    { maxLength: 40 },
  );

  it('the decided labels, the conflicts and the agreement do not depend on the order the records arrive in (property)', () => {
    fc.assert(
      fc.property(arbLabels, fc.integer(), (specs, seed) => {
        const recs = specs.map((s) => label(s.item, s.by, s.value, s.at, s.review));
        const shuffled = [...recs];
        let x = seed >>> 0;
        for (let i = shuffled.length - 1; i > 0; i--) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          const j = x % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const a = decideAll(recs);
        const b = decideAll(shuffled);
        expect(b).toEqual(a);
        expect(agreement(b)).toEqual(agreement(a));
        // The same records twice (a page pulled again) change nothing either.
        expect(decideAll([...shuffled, ...recs])).toEqual(a);
      }),
    );
  });

  it('the history keeps every record, in time order, whatever the order they arrived in (property)', () => {
    fc.assert(
      fc.property(arbLabels, (specs) => {
        const recs = specs.map((s) => label(s.item, s.by, s.value, s.at, s.review));
        for (const item of ['row:a', 'row:b', 'image:c']) {
          const h = itemHistory([...recs].reverse(), item);
          expect(h.map((l) => l.id).sort()).toEqual(
            recs
              .filter((l) => l.item === item)
              .map((l) => l.id)
              .sort(),
          );
          for (let i = 1; i < h.length; i++) expect(h[i - 1].at <= h[i].at).toBe(true);
        }
      }),
    );
  });

  it('every record is a valid synced Label', () => {
    expect(Label.safeParse(label('row:a', 'ada', 'cat', 1)).success).toBe(true);
    expect(Label.safeParse({ ...label('row:a', 'ada', 'cat', 1), item: '12' }).success).toBe(false);
    expect(Label.safeParse({ ...label('row:a', 'ada', '', 1) }).success).toBe(false);
  });
});

describe('agreement', () => {
  it("two labellers: plain agreement and Cohen's kappa over the items both labelled", () => {
    const a = ['cat', 'cat', 'dog', 'dog', 'cat', 'dog'];
    const b = ['cat', 'dog', 'dog', 'dog', 'cat', 'cat'];
    const recs = a.flatMap((v, i) => [label(`row:${i}`, 'ada', v, 1), label(`row:${i}`, 'bo', b[i], 2)]);
    recs.push(label('row:solo', 'ada', 'cat', 3)); // one labeller only: not shared
    const g = agreement(decideAll(recs));
    expect(g).toMatchObject({ shared: 6, agreed: 4, labellers: 2, method: 'cohen', kappaItems: 6, raters: 2 });
    expect(g.kappa).toBeCloseTo(cohensKappa(a, b), 12);
    expect(g.kappa).toBeCloseTo(1 / 3, 12);
  });

  it("three labellers: Fleiss' kappa over the items labelled by the most common number of people", () => {
    const votes = [
      ['cat', 'cat', 'cat'],
      ['cat', 'dog', 'cat'],
      ['dog', 'dog', 'dog'],
      ['dog', 'cat', 'bird'],
    ];
    const people = ['ada', 'bo', 'cy'];
    const recs = votes.flatMap((vs, i) => vs.map((v, j) => label(`row:${i}`, people[j], v, j)));
    recs.push(label('row:two', 'ada', 'cat', 1), label('row:two', 'bo', 'dog', 1));
    const g = agreement(decideAll(recs));
    expect(g).toMatchObject({ shared: 5, agreed: 2, labellers: 3, method: 'fleiss', kappaItems: 4, raters: 3 });
    const table = [
      [0, 3, 0],
      [0, 2, 1],
      [0, 0, 3],
      [1, 1, 1],
    ]; // bird, cat, dog
    expect(g.kappa).toBeCloseTo(fleissKappa(table), 12);
  });

  it('no kappa when nobody shares an item, or when everyone used one label', () => {
    expect(agreement(decideAll([label('row:a', 'ada', 'cat', 1)]))).toMatchObject({ shared: 0, kappa: null, method: null });
    const same = agreement(decideAll([label('row:a', 'ada', 'cat', 1), label('row:a', 'bo', 'cat', 1)]));
    expect(same).toMatchObject({ shared: 1, agreed: 1, kappa: null, method: 'cohen' });
  });
});

describe('item keys', () => {
  it('a photo is its image; an entry its entry id; other rows their values without the labelled and personal columns', async () => {
    expect(await itemKey({ image: 'ab'.repeat(32), label: null }, { column: 'label', imageColumn: 'image' })).toBe(`image:${'ab'.repeat(32)}`);
    expect(await itemKey({ entry_id: 'e-17', x: 1 }, { column: 'y' })).toBe('entry:e-17');
    const k = await itemKey({ age: 40, town: 'Kano', y: null, phone: '0803' }, { column: 'y', personal: ['phone'] });
    expect(k).toMatch(/^row:[0-9a-f]{40}$/);
    // Labelled, personal (held hashed elsewhere), reordered keys or an empty new column: the same item.
    expect(await itemKey({ town: 'Kano', age: 40, y: 'sick', phone: 'c0ffee', extra: null }, { column: 'y', personal: ['phone'] })).toBe(k);
    // A value changed: another item.
    expect(await itemKey({ age: 41, town: 'Kano' }, { column: 'y' })).not.toBe(k);
    // A number and its text are different values, as in the rows.
    expect(await itemKey({ age: '40', town: 'Kano' }, { column: 'y' })).not.toBe(k);
  });

  it('keys follow the rows, not their positions (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ a: fc.integer({ min: 0, max: 3 }), b: fc.constantFrom('x', 'y', null) }), { maxLength: 8 }), async (rows) => {
        const keys = await itemKeys(rows, { column: 'y' });
        const reversed = await itemKeys([...rows].reverse(), { column: 'y' });
        expect(reversed).toEqual([...keys].reverse());
      }),
      { numRuns: 30 },
    );
  });
});

describe('the labeling view', () => {
  const rows = [
    { x: 1, label: null },
    { x: 2, label: 'cat' },
    { x: 3, label: null },
    { x: 3, label: null },
  ];
  const keys = ['row:1', 'row:2', 'row:3', 'row:3'];
  it('queues each unlabelled item once until this person labels it; decided labels change every row of the item and only those', () => {
    const v0 = labelView({ rows, keys, column: 'label', labels: [], me: 'ada', offered: ['dog'] });
    expect(v0.queue).toEqual([
      { item: 'row:1', index: 0, rows: 1 },
      { item: 'row:3', index: 2, rows: 2 },
    ]);
    expect(v0.choices).toEqual(['dog', 'cat']);
    const labels = [label('row:1', 'ada', 'dog', 1), label('row:3', 'bo', 'cat', 1), label('row:3', 'ada', 'dog', 2)];
    const v = labelView({ rows, keys, column: 'label', labels, me: 'ada' });
    expect(v.queue).toEqual([]);
    expect(labelView({ rows, keys, column: 'label', labels, me: 'bo' }).queue.map((q) => q.item)).toEqual(['row:1']);
    expect(v.changes).toEqual([{ index: 0, value: 'dog' }]);
    expect(v.conflicts.map((d) => d.item)).toEqual(['row:3']);
    expect(v.agreement).toMatchObject({ shared: 1, agreed: 0, method: 'cohen' });
    const reviewed = labelView({ rows, keys, column: 'label', labels: [...labels, label('row:3', 'lead', 'cat', 3, true)], me: 'ada' });
    expect(reviewed.changes).toEqual([
      { index: 0, value: 'dog' },
      { index: 2, value: 'cat' },
      { index: 3, value: 'cat' },
    ]);
    expect(reviewed.changedItems).toBe(2);
  });

  it('a label for an item no row is any more is listed as gone and never changes a row; labels of another column are not counted', () => {
    const labels = [label('row:deleted', 'ada', 'dog', 1), { ...label('row:1', 'ada', 'dog', 1), column: 'other' }];
    const v = labelView({ rows, keys, column: 'label', labels, me: 'ada' });
    expect(v.gone.map((d) => d.item)).toEqual(['row:deleted']);
    expect(v.changes).toEqual([]);
    expect(v.decisions).toEqual([]);
  });
});
