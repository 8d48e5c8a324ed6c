import { z } from 'zod';
import type { ColumnInfo } from '../schema/records.js';
import type { Said } from '../said.js';
import { parseNumber } from '../data/numbers.js';
import { parseDate, toIsoDate } from '../data/dates.js';

/**
 * Collection forms (docs/forms.md): what a person fills in, field by field, offline, one entry per
 * row of a dataset. The form is a synced field of the dataset it fills (`DatasetMeta.form`), so it
 * reaches every device of the organisation with no table of its own.
 */

/** The column every entry carries: an id made when the form is opened, so an entry saved twice is one row. */
export const ENTRY_ID = 'entry_id';

export const FieldType = z.enum(['numeric', 'choice', 'text', 'date', 'yesno']);
export type FieldType = z.infer<typeof FieldType>;

export const FormField = z.object({
  /** The column it fills. */
  name: z.string().trim().min(1).max(200),
  /** What the person reads; the column's name when empty. */
  label: z.string().max(200).default(''),
  type: FieldType,
  unit: z.string().max(20).optional(),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  choices: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  required: z.boolean().default(false),
});
export type FormField = z.infer<typeof FormField>;

export const CollectionForm = z.object({
  fields: z.array(FormField).min(1).max(100),
});
export type CollectionForm = z.infer<typeof CollectionForm>;

/** The values a field's sentences carry: its label (or name), range and unit. */
const who = (f: FormField) => f.label.trim() || f.name;
const unit = (f: FormField) => (f.unit?.trim() ? ` ${f.unit.trim()}` : '');

export type FieldProblem = Said<
  'forms.required' | 'forms.notNumber' | 'forms.between' | 'forms.atLeast' | 'forms.atMost' | 'forms.notChoice' | 'forms.notDate' | 'forms.tooLong'
>;
export type FormProblem = Said<'forms.noFields' | 'forms.noName' | 'forms.twice' | 'forms.reserved' | 'forms.noChoices' | 'forms.minAboveMax'>;

/** The longest text an entry keeps in one field. */
export const MAX_TEXT = 500;

export interface Checked {
  value: string | number | null;
  problem?: FieldProblem;
}

/**
 * One field's value as typed, checked at once: empty is missing (refused when the field is
 * required); a number may be written with a decimal point or a decimal comma (36.6 or 36,6) and
 * must lie in the allowed range (inclusive); a choice must be one of the choices (a yes/no field is
 * "yes" or "no"); a date is kept as YYYY-MM-DD (what a date input gives, or 25/12/2024 read day
 * first); text is kept as typed, trimmed, up to 500 characters. The problem is a sentence for the
 * person, e.g. "Temperature must be between 34 and 43 °C."
 */
export function checkField(f: FormField, raw: string): Checked {
  const s = raw.trim();
  const label = who(f);
  if (s === '') return f.required ? { value: null, problem: { key: 'forms.required', values: { label } } } : { value: null };
  switch (f.type) {
    case 'numeric': {
      const n = parseNumber(s, 'point') ?? parseNumber(s, 'comma');
      if (n === null) return { value: null, problem: { key: 'forms.notNumber', values: { label } } };
      const lo = f.min ?? -Infinity;
      const hi = f.max ?? Infinity;
      if (n < lo || n > hi) {
        const values = { label, min: f.min ?? 0, max: f.max ?? 0, unit: unit(f) };
        const key = f.min !== undefined && f.max !== undefined ? 'forms.between' : f.min !== undefined ? 'forms.atLeast' : 'forms.atMost';
        return { value: n, problem: { key, values } };
      }
      return { value: n };
    }
    case 'choice':
    case 'yesno': {
      const choices = f.type === 'yesno' ? ['yes', 'no'] : (f.choices ?? []);
      const hit = choices.find((c) => c.toLowerCase() === s.toLowerCase());
      return hit === undefined ? { value: null, problem: { key: 'forms.notChoice', values: { label } } } : { value: hit };
    }
    case 'date': {
      const d = parseDate(s, 'dmy');
      return d ? { value: toIsoDate(d) } : { value: null, problem: { key: 'forms.notDate', values: { label } } };
    }
    case 'text':
      return s.length > MAX_TEXT ? { value: null, problem: { key: 'forms.tooLong', values: { label, max: MAX_TEXT } } } : { value: s };
  }
}

export interface CheckedEntry {
  row: Record<string, string | number | null>;
  problems: Record<string, FieldProblem>;
}

/** Every field of an entry checked; `row` holds the values (missing as null), `problems` the sentences by field name. */
export function checkEntry(form: CollectionForm, raw: Record<string, string | undefined>): CheckedEntry {
  const row: Record<string, string | number | null> = {};
  const problems: Record<string, FieldProblem> = {};
  for (const f of form.fields) {
    const c = checkField(f, raw[f.name] ?? '');
    row[f.name] = c.problem ? null : c.value;
    if (c.problem) problems[f.name] = c.problem;
  }
  return { row, problems };
}

/**
 * What is wrong with a form a person built, as sentences (none: it can be saved): at least one
 * field; every field named, each name once and not the entry id column; a choice field has
 * choices; a range's lowest value is not above its highest.
 */
export function checkForm(form: { fields: FormField[] }): FormProblem[] {
  const out: FormProblem[] = [];
  if (!form.fields.length) out.push({ key: 'forms.noFields' });
  const seen = new Set<string>();
  for (const f of form.fields) {
    const name = f.name.trim();
    if (!name) {
      out.push({ key: 'forms.noName' });
      continue;
    }
    if (name === ENTRY_ID) out.push({ key: 'forms.reserved', values: { name } });
    if (seen.has(name)) out.push({ key: 'forms.twice', values: { name } });
    seen.add(name);
    if (f.type === 'choice' && !(f.choices ?? []).some((c) => c.trim())) out.push({ key: 'forms.noChoices', values: { name: who(f) } });
    if (f.type === 'numeric' && f.min !== undefined && f.max !== undefined && f.min > f.max) out.push({ key: 'forms.minAboveMax', values: { name: who(f) } });
  }
  return out;
}

const YES = new Set(['yes', 'no']);

/**
 * A first form from a dataset's columns, for a person to adjust: numbers with the range seen as
 * the allowed range, a category of up to 12 values as choices (yes and no alone as a yes/no
 * field), dates and text as they are; a field is required when its column had no missing value.
 * The entry id column and personal columns the person may not want to type are kept (a form is
 * edited before use); a column with no values seen is text.
 */
export function formFromColumns(columns: ColumnInfo[]): CollectionForm {
  const fields: FormField[] = [];
  for (const c of columns) {
    if (c.name === ENTRY_ID) continue;
    const required = c.missing === 0 && c.distinct > 0;
    const base = { name: c.name, label: '', required };
    if (c.type === 'numeric')
      fields.push({ ...base, type: 'numeric', ...(c.min !== undefined ? { min: c.min } : {}), ...(c.max !== undefined ? { max: c.max } : {}) });
    else if (c.type === 'date') fields.push({ ...base, type: 'date' });
    else if (c.type === 'categorical' && c.top?.length && c.distinct <= 12) {
      const values = c.top.map(([v]) => v);
      if (values.every((v) => YES.has(v.toLowerCase())) && values.length === 2) fields.push({ ...base, type: 'yesno' });
      else fields.push({ ...base, type: 'choice', choices: values.slice(0, 50) });
    } else fields.push({ ...base, type: 'text' });
  }
  return { fields: fields.length ? fields : [{ name: 'note', label: '', type: 'text', required: false }] };
}
