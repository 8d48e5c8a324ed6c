import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseCsvText } from './parse-csv.js';

describe('CSV parsing', () => {
  it('reads a real dataset with inferred types and numbers converted', () => {
    const t = parseCsvText(readFileSync(new URL('../../../public/samples/iris.csv', import.meta.url), 'utf8'));
    expect(t.rowCount).toBe(150);
    expect(t.columns.map((c) => c.type)).toEqual(['numeric', 'numeric', 'numeric', 'numeric', 'categorical']);
    expect(t.rows[0]['sepal length (cm)']).toBe(5.1);
    expect(t.rows[0].species).toBe('setosa');
  });
  it('refuses an empty file, a header without rows, and a single column, saying what to do', () => {
    expect(() => parseCsvText('')).toThrow(/empty/);
    expect(() => parseCsvText('a,b\n')).toThrow(/no rows/);
    expect(() => parseCsvText('a\n1\n2\n')).toThrow(/Only one column/);
  });
  it('refuses ragged rows and names them', () => {
    expect(() => parseCsvText('a,b,c\n1,2,3\n4,5\n6,7,8,9\n')).toThrow(/row 3: too few values; row 4: too many values/);
  });
  it('refuses duplicate column names', () => {
    expect(() => parseCsvText('a,a\n1,2\n')).toThrow(/same name/);
  });
  it('keeps missing values as null in numeric columns', () => {
    const t = parseCsvText('x,y\n1,a\n,b\n3,a\n');
    expect(t.rows[1].x).toBeNull();
    expect(t.columns[0]).toMatchObject({ type: 'numeric', missing: 1 });
  });
});
