import { describe, expect, it } from 'vitest';
import { columnsBreakingMarks } from './withdraw.js';

const columns = ['name', 'phone', 'age'].map((name) => ({ name, type: 'categorical' as const, missing: 0, distinct: 1, invalid: 0 }));
const file = (removed: string[], hashed: string[]) => ({ format: 'outpost-rows-1' as const, hash: 'a'.repeat(64), size: 10, removed, hashed });

describe('rows files that break personal marks', () => {
  it('names a column sent as it is and now marked, and a hashed column now marked never', () => {
    expect(columnsBreakingMarks({ phone: 'never', name: 'hash' }, { columns, rows: file([], []) })).toEqual(['name', 'phone']);
    expect(columnsBreakingMarks({ name: 'never' }, { columns, rows: file([], ['name']) })).toEqual(['name']);
  });
  it('keeps a file that left the column out, hashed it as marked, or never had it', () => {
    expect(columnsBreakingMarks({ phone: 'never', name: 'hash' }, { columns, rows: file(['phone'], ['name']) })).toEqual([]);
    expect(columnsBreakingMarks({ name: 'hash' }, { columns, rows: file(['name'], []) })).toEqual([]);
    expect(columnsBreakingMarks({ village: 'never' }, { columns, rows: file([], []) })).toEqual([]);
    expect(columnsBreakingMarks({ phone: 'never' }, { columns, rows: null })).toEqual([]);
    expect(columnsBreakingMarks(undefined, { columns, rows: file([], []) })).toEqual([]);
  });
});
