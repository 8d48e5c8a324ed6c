import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatHlc } from './hlc.js';
import { mergeChange, type FieldState } from './merge.js';
import type { SyncTable } from './protocol.js';

// Changes as devices make them: a few fields each, with distinct stamps (a stamp names its device).
interface Ch {
  hlc: string;
  fields: Record<string, unknown>;
}
const field = fc.constantFrom('name', 'description', 'deleted', 'stage');
const value = (f: string) => (f === 'deleted' ? fc.boolean() : f === 'stage' ? fc.constantFrom('none', 'production') : fc.constantFrom('a', 'b', 'c'));
const changesArb = fc
  .array(
    fc.record({
      millis: fc.integer({ min: 0, max: 20 }),
      node: fc.constantFrom('d1', 'd2', 'd3'),
      fields: fc.uniqueArray(field, { minLength: 1, maxLength: 4 }).chain((fs) => fc.tuple(...fs.map((f) => value(f).map((v) => [f, v] as const)))),
    }),
    { minLength: 1, maxLength: 12 },
  )
  .map((cs) => cs.map((c, i): Ch => ({ hlc: formatHlc({ millis: c.millis, counter: i, node: c.node }), fields: Object.fromEntries(c.fields) })));
const table = fc.constantFrom<SyncTable>('projects', 'model_versions');
const base = (): FieldState => ({ data: { id: 'r', name: 'start', stage: 'staging' }, hlc: { id: '0', name: '0', stage: '0' } });

const fold = (t: SyncTable, start: FieldState, cs: Ch[]) => cs.reduce((s, c) => mergeChange(t, s, c.hlc, c.fields).state, start);

describe('per-field merge', () => {
  it('converges whatever the order changes arrive in (commutative)', () => {
    fc.assert(
      fc.property(
        table,
        changesArb.chain((cs) => fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length, maxLength: cs.length }))),
        (t, [cs, shuffled]) => {
          expect(fold(t, base(), shuffled)).toEqual(fold(t, base(), cs));
        },
      ),
    );
  });

  it('applying a change again changes nothing (idempotent), and says so', () => {
    fc.assert(
      fc.property(table, changesArb, fc.nat(), (t, cs, pick) => {
        const s = fold(t, base(), cs);
        const again = cs[pick % cs.length];
        const r = mergeChange(t, s, again.hlc, again.fields);
        expect(r.state).toEqual(s);
        expect(r.changed).toBe(false);
      }),
    );
  });

  it('the newest stamp wins per field', () => {
    fc.assert(
      fc.property(changesArb, (cs) => {
        const s = fold('projects', base(), cs);
        for (const f of ['name', 'description']) {
          const writers = cs.filter((c) => f in c.fields).sort((a, b) => (a.hlc < b.hlc ? -1 : 1));
          if (writers.length) expect(s.data[f]).toBe(writers.at(-1)!.fields[f]);
        }
      }),
    );
  });

  it('a tombstone is never cleared, whatever comes after or before it', () => {
    fc.assert(
      fc.property(table, changesArb, (t, cs) => {
        const s = fold(t, base(), cs);
        if (cs.some((c) => c.fields.deleted === true)) expect(s.data.deleted).toBe(true);
        const dead = { ...s, data: { ...s.data, deleted: true } };
        expect(fold(t, dead, cs).data.deleted).toBe(true);
      }),
    );
  });

  it("a model version's stage is never changed by a merge; a new version starts in none", () => {
    fc.assert(
      fc.property(changesArb, (cs) => {
        expect(fold('model_versions', base(), cs).data.stage).toBe('staging');
        const created = mergeChange('model_versions', undefined, cs[0].hlc, { ...cs[0].fields, stage: 'production' });
        expect(created.state.data.stage).toBe('none');
        expect(fold('model_versions', created.state, cs.slice(1)).data.stage).toBe('none');
      }),
    );
  });
});
