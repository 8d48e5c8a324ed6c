import { describe, expect, it } from 'vitest';
import { parseFileBlob } from './parse-file.js';

const parse = (text: string, fileName: string, dropBadRows?: boolean) => parseFileBlob(new Blob([text]), { fileName, dropBadRows });

describe('JSON and JSON Lines files', () => {
  it('reads an array of objects and {rows: [...]}, flattening one level of nesting', async () => {
    const rows = [
      { age: 34, sex: 'F', visit: { temp: 36.6, date: '2024-04-03' }, pregnant: true },
      { age: 29, sex: 'M', visit: { temp: 38.2, date: '2024-04-05' }, pregnant: false },
      { age: null, sex: 'F', visit: { temp: 37 } },
    ];
    for (const text of [JSON.stringify(rows), JSON.stringify({ rows })]) {
      const t = await parse(text, 'clinic.json');
      expect(t.source).toEqual({ format: 'json', encoding: 'utf-8' });
      expect(t.columns.map((c) => [c.name, c.type])).toEqual([
        ['age', 'numeric'],
        ['sex', 'categorical'],
        ['visit.temp', 'numeric'],
        ['visit.date', 'date'],
        ['pregnant', 'categorical'],
      ]);
      expect(t.rows[2]).toEqual({ age: null, sex: 'F', 'visit.temp': 37, 'visit.date': null, pregnant: null });
      expect(t.rows[0].pregnant).toBe('true');
    }
  });

  it('refuses deeper nesting, lists and other shapes with a sentence', async () => {
    await expect(parse('[{"a": {"b": {"c": 1}}}]', 'x.json')).rejects.toMatchObject({ message: expect.stringMatching(/“a.b” is nested more than one level deep \(item 1\)/) });
    await expect(parse('[{"a": 1}, {"a": [1, 2]}]', 'x.json')).rejects.toMatchObject({ message: expect.stringMatching(/“a” holds a list \(item 2\)/) });
    await expect(parse('{"name": "clinic"}', 'x.json')).rejects.toMatchObject({ message: expect.stringMatching(/no list of rows/) });
    await expect(parse('[1, 2]', 'x.json')).rejects.toMatchObject({ message: expect.stringMatching(/Item 1 is not an object/) });
    await expect(parse('[{"a": 1},\n{"a": 2,}\n]', 'x.json')).rejects.toMatchObject({ message: expect.stringMatching(/not valid JSON \(a mistake on line 2\)/) });
    await expect(parse('[]', 'x.json')).rejects.toMatchObject({ code: 'csv_empty' });
  });

  it('reads JSON Lines, names bad lines by number, and leaves them out when asked', async () => {
    const text = '{"age": 34, "sex": "F"}\r\n{"age": 29, "sex": "M"}\n\n{"age": 41, "sex": \n[1, 2]\n{"age": 50, "sex": "F", "note": "new"}\n';
    await expect(parse(text, 'clinic.jsonl')).rejects.toMatchObject({
      code: 'csv_malformed',
      message: expect.stringMatching(/^2 rows do not fit \(line 4: not valid JSON; line 5: not an object\)/),
      details: { badRows: [{ line: 4, reason: 'not valid JSON' }, { line: 5, reason: 'not an object' }] },
    });
    const t = await parse(text, 'clinic.ndjson', true);
    expect(t.source.format).toBe('jsonl');
    expect(t.rows).toEqual([
      { age: 34, sex: 'F', note: null },
      { age: 29, sex: 'M', note: null },
      { age: 50, sex: 'F', note: 'new' },
    ]);
    expect(t.dropped.map((b) => b.line)).toEqual([4, 5]);
  });

  it('tells JSON from JSON Lines by content when the name does not say', async () => {
    expect((await parse('{"a": 1, "b": 2}\n{"a": 3, "b": 4}\n', 'export')).source.format).toBe('jsonl');
    expect((await parse('{\n "rows": [{"a": 1, "b": 2}]\n}', 'export')).source.format).toBe('json');
    expect((await parse('a;b\n1;2\n', 'export')).source.format).toBe('csv');
  });
});
