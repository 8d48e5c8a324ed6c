import { describe, expect, it } from 'vitest';
import { inferColumns } from '../data/columns.js';
import { fitPipeline, transformRow } from './pipeline.js';
import { formFields } from './inputs.js';

describe('case form fields', () => {
  it('asks for a date and a text once, by their column, beside numbers and choices', () => {
    const notes = Array.from({ length: 30 }, (_, i) => `note number ${i} ${'x '.repeat(i % 3)}`.trim());
    const rows = notes.map((note, i) => ({
      temp: String(36 + (i % 3)),
      sex: i % 2 ? 'F' : 'M',
      visit: i % 2 ? '2024-01-01' : '2024-01-03',
      note,
      y: i % 2 ? 'a' : 'b',
    }));
    const cols = inferColumns(rows, ['temp', 'sex', 'visit', 'note', 'y']);
    const p = fitPipeline(rows, ['temp', 'sex', 'visit', 'note'], cols, 'y', 'classification');
    const fields = formFields(p.features);
    expect(fields).toEqual([
      { kind: 'number', name: 'temp', typical: 37 },
      { kind: 'choice', name: 'sex', categories: ['F', 'M'], typical: 'F' },
      { kind: 'date', name: 'visit', typical: '2024-01-02' },
      { kind: 'text', name: 'note', typical: '' },
    ]);
    // What the form sends is read as the model was trained.
    expect(transformRow(p, { temp: 36, sex: 'M', visit: '2024-01-03', note: notes[0] })).toEqual(transformRow(p, rows[0]));
  });
});
