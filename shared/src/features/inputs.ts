import type { FeatureSpec } from '../schema/pipeline.js';
import { civilFromDays, DATE_PARTS, daysFromCivil, toIsoDate, type DatePart } from '../data/dates.js';

/**
 * One field a person fills in to ask a model about one case. A plain numeric feature is a number
 * and a categorical one a choice; the parts of a date (year, month, …) are one date field named
 * after their column, and the lengths of a text one text field, since that is what a person knows.
 */
export type FormField =
  | { kind: 'number'; name: string; typical: number }
  | { kind: 'choice'; name: string; categories: string[]; typical: string }
  | { kind: 'date'; name: string; typical: string }
  | { kind: 'text'; name: string; typical: string };

const isDatePart = (p: string): p is DatePart => (DATE_PARTS as readonly string[]).includes(p);

/**
 * The fields of a case form for a pipeline's features, in their order, a derived feature's
 * column once. Typical values are where the form starts: the training mean, the most common
 * category, for a date the one of the mean year and mean day of the year, for text nothing.
 */
export function formFields(features: readonly FeatureSpec[]): FormField[] {
  const fields: FormField[] = [];
  const seen = new Set<string>();
  for (const f of features) {
    if (f.kind === 'categorical') fields.push({ kind: 'choice', name: f.name, categories: f.categories, typical: f.impute });
    else if (!f.source) fields.push({ kind: 'number', name: f.name, typical: f.mean });
    else if (!seen.has(f.source.column)) {
      const column = f.source.column;
      seen.add(column);
      if (!isDatePart(f.source.part)) {
        fields.push({ kind: 'text', name: column, typical: '' });
        continue;
      }
      const mean = (part: DatePart) => {
        const g = features.find((x) => x.kind === 'numeric' && x.source?.column === column && x.source.part === part);
        return g?.kind === 'numeric' ? g.mean : undefined;
      };
      const year = Math.round(mean('year') ?? 2000);
      const yearday = Math.min(365, Math.max(1, Math.round(mean('yearday') ?? 1)));
      fields.push({ kind: 'date', name: column, typical: toIsoDate(civilFromDays(daysFromCivil({ year, month: 1, day: 1 }) + yearday - 1)) });
    }
  }
  return fields;
}
