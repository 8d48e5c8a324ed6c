import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { recomputeSplit, runSplit, splitIndices } from './lineage.js';
import { holdOutTest, splitRows } from './split.js';
import type { Row } from './columns.js';

const row = fc.record({ x: fc.integer({ min: 0, max: 100 }), y: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.constant(null)) });
const params = fc.record({
  task: fc.constantFrom('classification' as const, 'regression' as const),
  validationFraction: fc.constantFrom(0.1, 0.2, 0.3),
  testFraction: fc.constantFrom(undefined, 0, 0.1, 0.2),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
});

describe('the seeded split as row positions', () => {
  it('names exactly the rows training, validation and test use (holdOutTest then splitRows)', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 12, maxLength: 60 }), params, (rs, p) => {
        // Rows carry their position so the copies training makes can be traced back.
        const rows: Row[] = rs.map((r, i) => ({ ...r, i }));
        const full = { ...p, target: 'y' };
        fc.pre(rows.filter((r) => r.y !== null).length >= 8);
        const held = holdOutTest(rows, full);
        const { train, validation } = splitRows(held.rest, full);
        const s = splitIndices(rows, full);
        expect(s.train).toEqual(train.map((r) => r.i).sort((a, b) => Number(a) - Number(b)));
        expect(s.validation).toEqual(validation.map((r) => r.i).sort((a, b) => Number(a) - Number(b)));
        expect(s.test).toEqual(held.test.map((r) => r.i).sort((a, b) => Number(a) - Number(b)));
      }),
      { numRuns: 150 },
    );
  });

  it('recomputing from the same rows gives the recorded split; other rows or another seed do not', async () => {
    const rows: Row[] = Array.from({ length: 40 }, (_, i) => ({ x: i, y: i % 3 === 0 ? 'a' : 'b' }));
    const p = { task: 'classification' as const, target: 'y', validationFraction: 0.2, testFraction: 0.2, seed: 7 };
    const recorded = await runSplit(rows, p);
    expect(recorded).toMatchObject({ method: 'outpost-split-1', test: 8 });
    expect(recorded.train + recorded.validation).toBe(32);
    expect(await recomputeSplit(rows, p, recorded)).toEqual(splitIndices(rows, p));
    expect(await recomputeSplit(rows, { ...p, seed: 8 }, recorded)).toBeUndefined();
    expect(await recomputeSplit(rows.slice(1), p, recorded)).toBeUndefined();
  });
});
