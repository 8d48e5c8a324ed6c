import { describe, expect, it } from 'vitest';
import { convertRows, inferColumns, unsureExample, validateDataset } from './columns.js';
import { DatasetMeta } from '../schema/records.js';

const rows = (col: string, values: string[]) => values.map((v) => ({ [col]: v }));

describe('column types as people write them', () => {
  it('reads decimal commas per column and converts them at import', () => {
    const data = [
      { temp: '36,6', count: '3', code: '1,250' },
      { temp: '37,2', count: '4', code: '2,500' },
      { temp: '38', count: '5', code: '12,000' },
    ];
    const cols = inferColumns(data, ['temp', 'count', 'code']);
    expect(cols[0]).toMatchObject({ type: 'numeric', numberStyle: 'comma', min: 36.6, max: 38 });
    expect(cols[1]).toMatchObject({ type: 'numeric' });
    expect(cols[1].numberStyle).toBeUndefined();
    // Thousands groups only: kept as text and flagged, never read as 1.25 on a guess.
    expect(cols[2]).toMatchObject({ type: 'categorical', ambiguous: true });
    expect(validateDataset(data, cols).issues.find((i) => i.column === 'code')?.message).toMatch(/could be a decimal mark or a thousands separator/);
    expect(convertRows(data, cols)[0]).toEqual({ temp: 36.6, count: 3, code: '1,250' });

    const thousands = inferColumns(data, ['code'], { numberStyles: { code: 'thousands' } });
    expect(thousands[0]).toMatchObject({ type: 'numeric', numberStyle: 'thousands', max: 12000, ambiguous: true });
    expect(convertRows(data, thousands).map((r) => r.code)).toEqual([1250, 2500, 12000]);
    const decimals = inferColumns(data, ['code'], { numberStyles: { code: 'comma' } });
    expect(convertRows(data, decimals).map((r) => r.code)).toEqual([1.25, 2.5, 12]);
  });

  it('asks about 1.250 in a file whose numbers use decimal commas, and reads it as chosen', () => {
    const data = [
      { temp: '36,6', people: '1.250' },
      { temp: '37,2', people: '12.000' },
      { temp: '38', people: '800' },
    ];
    const [, people] = inferColumns(data, ['temp', 'people']);
    expect(people).toMatchObject({ type: 'categorical', ambiguous: true });
    expect(unsureExample(people)).toBe('1.250');
    expect(validateDataset(data, [people]).issues.find((i) => i.column === 'people')?.message).toMatch(
      /“people” has numbers such as 1.250 whose point could be a decimal mark or a thousands separator; they are kept as text for now/,
    );
    const thousands = inferColumns(data, ['temp', 'people'], { numberStyles: { people: 'comma' } });
    expect(convertRows(data, thousands).map((r) => r.people)).toEqual([1250, 12000, 800]);
    expect(thousands[1]).toMatchObject({ type: 'numeric', ambiguous: true });
    expect(validateDataset(data, thousands).issues.find((i) => i.column === 'people')?.message).toMatch(/the point is read as a thousands separator/);
    const decimals = inferColumns(data, ['temp', 'people'], { numberStyles: { people: 'point' } });
    expect(convertRows(data, decimals).map((r) => r.people)).toEqual([1.25, 12, 800]);
    // In a file with decimal points only, 1.250 is 1.25 as always.
    expect(inferColumns([{ people: '1.250' }, { people: '2.5' }], ['people'])[0]).toMatchObject({ type: 'numeric', max: 2.5 });
    expect(inferColumns([{ people: '1.250' }, { people: '2.500' }], ['people'])[0].ambiguous).toBeUndefined();
  });

  it('recognises dates, day first unless a value says otherwise, and asks when none can', () => {
    const [dmy] = inferColumns(rows('visit', ['25/03/2024', '03/04/2024', '']), ['visit']);
    expect(dmy).toMatchObject({ type: 'date', dateOrder: 'dmy', missing: 1, invalid: 0 });
    expect(dmy.ambiguous).toBeUndefined();
    const [mdy] = inferColumns(rows('visit', ['03/25/2024', '03/04/2024']), ['visit']);
    expect(mdy).toMatchObject({ type: 'date', dateOrder: 'mdy' });
    const both = rows('visit', ['03/04/2024', '01/02/2024', '2024-05-06']);
    expect(inferColumns(both, ['visit'])[0]).toMatchObject({ type: 'date', dateOrder: 'dmy', ambiguous: true });
    const stated = inferColumns(both, ['visit'], { dateOrder: 'mdy' });
    expect(stated[0]).toMatchObject({ type: 'date', dateOrder: 'mdy', ambiguous: true });
    expect(convertRows(both, stated).map((r) => r.visit)).toEqual(['2024-03-04', '2024-01-02', '2024-05-06']);
    expect(convertRows(both, inferColumns(both, ['visit'])).map((r) => r.visit)).toEqual(['2024-04-03', '2024-02-01', '2024-05-06']);
    expect(validateDataset(both, inferColumns(both, ['visit'])).issues.find((i) => i.column === 'visit')?.message).toMatch(/read either way; they are read day first \(03\/04\/2024 is 3 April\)/);
    // ISO dates are dates; a column of plain years is a number.
    expect(inferColumns(rows('d', ['2024-01-01', '2024-02-01']), ['d'])[0].type).toBe('date');
    expect(inferColumns(rows('y', ['2024', '2023']), ['y'])[0].type).toBe('numeric');
  });

  it('tells free text from categories', () => {
    const notes = Array.from({ length: 40 }, (_, i) => `Patient came back with fever on day ${i}`);
    expect(inferColumns(rows('note', notes), ['note'])[0].type).toBe('text');
    const codes = Array.from({ length: 40 }, (_, i) => `P-${i}`);
    expect(inferColumns(rows('id', codes), ['id'])[0].type).toBe('categorical');
    const few = Array.from({ length: 40 }, (_, i) => (i % 2 ? 'Cough and fever for two days' : 'No complaint at this visit'));
    expect(inferColumns(rows('note', few), ['note'])[0].type).toBe('categorical');
  });

  it('keeps JSON numbers as numbers', () => {
    const data = [{ x: 1.5 }, { x: 2 }, { x: null }];
    expect(inferColumns(data, ['x'])[0]).toMatchObject({ type: 'numeric', missing: 1, mean: 1.75 });
  });

  it('a dataset record from before keeps parsing; a new one keeps how its file was read', () => {
    const old = {
      id: '0190a8c0-0000-7000-8000-000000000001',
      projectId: '0190a8c0-0000-7000-8000-000000000002',
      name: 'iris',
      fileName: 'iris.csv',
      hash: 'a'.repeat(64),
      rowCount: 150,
      columns: [{ name: 'species', type: 'categorical', missing: 0, distinct: 3, invalid: 0 }],
      createdAt: 1,
    };
    expect(DatasetMeta.parse(old).source).toBeUndefined();
    const now = { ...old, source: { format: 'csv', encoding: 'windows-1252', separator: ';' }, columns: inferColumns(rows('visit', ['03/04/2024']), ['visit']) };
    expect(DatasetMeta.parse(now)).toMatchObject({ source: { encoding: 'windows-1252' }, columns: [{ type: 'date', dateOrder: 'dmy', ambiguous: true }] });
  });
});
