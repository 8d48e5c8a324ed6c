import { describe, expect, it } from 'vitest';
import { inferColumns } from '../data/columns.js';
import { checkEntry, checkField, checkForm, CollectionForm, ENTRY_ID, formFromColumns, type FormField } from './form.js';

const temp: FormField = { name: 'temp', label: 'Temperature', type: 'numeric', unit: '°C', min: 34, max: 43, required: true };

describe('checking a field as the person types', () => {
  it('says a number out of range with the range and unit, and takes a decimal comma', () => {
    expect(checkField(temp, '44')).toEqual({ value: 44, problem: { key: 'forms.between', values: { label: 'Temperature', min: 34, max: 43, unit: ' °C' } } });
    expect(checkField(temp, '36,6')).toEqual({ value: 36.6 });
    expect(checkField(temp, ' 43 ')).toEqual({ value: 43 });
    expect(checkField({ ...temp, max: undefined }, '20').problem?.key).toBe('forms.atLeast');
    expect(checkField({ ...temp, min: undefined }, '50').problem?.key).toBe('forms.atMost');
    expect(checkField(temp, 'hot').problem).toEqual({ key: 'forms.notNumber', values: { label: 'Temperature' } });
  });

  it('refuses a required field left empty, keeps an optional one missing', () => {
    expect(checkField(temp, '  ').problem).toEqual({ key: 'forms.required', values: { label: 'Temperature' } });
    expect(checkField({ ...temp, required: false }, '')).toEqual({ value: null });
  });

  it('choices, yes/no, dates and text', () => {
    const ward: FormField = { name: 'ward', label: '', type: 'choice', choices: ['A', 'B'], required: false };
    expect(checkField(ward, 'b')).toEqual({ value: 'B' });
    expect(checkField(ward, 'C').problem).toEqual({ key: 'forms.notChoice', values: { label: 'ward' } });
    expect(checkField({ name: 'cough', label: '', type: 'yesno', required: true }, 'Yes')).toEqual({ value: 'yes' });
    const seen: FormField = { name: 'seen', label: '', type: 'date', required: false };
    expect(checkField(seen, '2026-12-02')).toEqual({ value: '2026-12-02' });
    expect(checkField(seen, '25/12/2026')).toEqual({ value: '2026-12-25' });
    expect(checkField(seen, '31/02/2026').problem?.key).toBe('forms.notDate');
    const note: FormField = { name: 'note', label: '', type: 'text', required: false };
    expect(checkField(note, ' kept as typed ')).toEqual({ value: 'kept as typed' });
    expect(checkField(note, 'x'.repeat(501)).problem?.key).toBe('forms.tooLong');
  });

  it('an entry: values by column, problems by field', () => {
    const form: CollectionForm = { fields: [temp, { name: 'note', label: '', type: 'text', required: false }] };
    expect(checkEntry(form, { temp: '37.5' })).toEqual({ row: { temp: 37.5, note: null }, problems: {} });
    expect(Object.keys(checkEntry(form, { temp: '12' }).problems)).toEqual(['temp']);
  });
});

describe('a form a person builds', () => {
  it('names what is wrong', () => {
    expect(checkForm({ fields: [] }).map((p) => p.key)).toEqual(['forms.noFields']);
    const bad: FormField[] = [
      { name: ' ', label: '', type: 'text', required: false },
      { name: 'a', label: '', type: 'choice', choices: [], required: false },
      { name: 'a', label: '', type: 'numeric', min: 5, max: 1, required: false },
      { name: ENTRY_ID, label: '', type: 'text', required: false },
    ];
    expect(checkForm({ fields: bad }).map((p) => p.key)).toEqual(['forms.noName', 'forms.noChoices', 'forms.twice', 'forms.minAboveMax', 'forms.reserved']);
    expect(checkForm({ fields: [temp] })).toEqual([]);
  });

  it('a first form from a dataset’s columns: ranges seen, choices, yes/no, dates, required when never missing', () => {
    const rows = [
      { temp: 36.5, ward: 'A', fever: 'no', seen: '2026-01-02', note: null, [ENTRY_ID]: 'x' },
      { temp: 39.1, ward: 'B', fever: 'yes', seen: '2026-01-03', note: 'ok', [ENTRY_ID]: 'y' },
    ];
    const form = formFromColumns(inferColumns(rows, ['temp', 'ward', 'fever', 'seen', 'note', ENTRY_ID]));
    expect(CollectionForm.parse(form)).toEqual(form);
    expect(form.fields).toEqual([
      { name: 'temp', label: '', type: 'numeric', min: 36.5, max: 39.1, required: true },
      { name: 'ward', label: '', type: 'choice', choices: expect.arrayContaining(['A', 'B']), required: true },
      { name: 'fever', label: '', type: 'yesno', required: true },
      { name: 'seen', label: '', type: 'date', required: true },
      expect.objectContaining({ name: 'note', required: false }),
    ]);
  });
});
