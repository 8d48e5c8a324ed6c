import type { ColumnInfo } from '../schema/records.js';
import { dateOrderEvidence, parseDate, toIsoDate, type DateOrder } from './dates.js';
import { dotGroupsOnly, guessNumberStyle, parseNumber, type NumberStyle } from './numbers.js';
import type { Said } from '../said.js';

export type Cell = string | number | null | undefined;
export type Row = Record<string, Cell>;

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none', '?']);

/** Whether a cell counts as missing: empty, null, or one of NA, N/A, NaN, null, None, ? (any case). */
export function isMissing(v: Cell): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'number') return Number.isNaN(v);
  return MISSING.has(v.trim().toLowerCase());
}

/**
 * A cell as a finite number, or null when missing or not a number. One parser for import,
 * training and serving, so a value means the same everywhere. Accepts plain decimal and
 * exponent notation ("1e-3"); rejects "12abc", "", "Infinity".
 */
export function toNumber(v: Cell): number | null {
  if (v === null || v === undefined || isMissing(v)) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = v.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Share of non-missing values that must parse as numbers (or dates) for a column to count as numeric (or date). */
export const NUMERIC_SHARE = 0.95;

/**
 * Free text: more than this many distinct values, most values distinct (at least half of the
 * present ones) and at least this many characters on average. Names, notes and addresses are
 * text; a code such as "P-0012" or a category with many values stays categorical.
 */
export const TEXT_MIN_DISTINCT = 20;
export const TEXT_MIN_LENGTH = 12;

/** Distinct texts remembered per column while reading (a column of unique values gains nothing past that). */
const CACHE_MAX = 20_000;

/** Choices a person states at import for what the values alone cannot tell. */
export interface InferOptions {
  /** How 03/04/2024 is read when no value of a column tells (default day first, as in Nigeria). */
  dateOrder?: DateOrder;
  /** Per column, how its numbers are written (overrides the guess; decides 1,250). */
  numberStyles?: Record<string, NumberStyle>;
}

/**
 * Infer each column's type and summary. Numeric when at least 95% of its non-missing values read
 * as finite numbers in the column's number style (a decimal point, a decimal comma or comma
 * thousands, guessed per column by `guessNumberStyle`; the rest are counted as `invalid`, type
 * problems); otherwise date when 95% read as dates (`parseDate`, the order from the values or the
 * stated one when they cannot tell); otherwise text when it has many distinct long values;
 * otherwise categorical. Numeric columns get min, max and mean; categorical and text ones their
 * 20 most frequent values.
 */
export function inferColumns(rows: Row[], names: string[], opts: InferOptions = {}): ColumnInfo[] {
  const seen = names.map((name) => {
    let missing = 0;
    let length = 0;
    const counts = new Map<string, number>();
    // Text cells by value and count: a column is judged on its distinct values.
    const texts = new Map<string, number>();
    let textCount = 0;
    for (const r of rows) {
      const v = r[name];
      if (isMissing(v)) {
        missing++;
        continue;
      }
      const key = String(v).trim();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      length += key.length;
      if (typeof v === 'string') {
        texts.set(v, (texts.get(v) ?? 0) + 1);
        textCount++;
      }
    }
    const stated = opts.numberStyles?.[name];
    return { name, missing, length, counts, texts, textCount, stated, guess: guessNumberStyle(texts, stated ?? 'point') };
  });
  // In a file whose numbers use decimal commas, 1.250 in another column is likely 1250: asked, not read as 1.25.
  const fileUsesComma = seen.some((c) => c.guess.style === 'comma' && !c.guess.ambiguous);
  return seen.map(({ name, missing, length, counts, texts, textCount, stated, guess }): ColumnInfo => {
    const present = rows.length - missing;
    const dotGroups = fileUsesComma && guess.style === 'point' && dotGroupsOnly(texts);
    const dotUnsure = dotGroups && !stated;
    const style = stated ?? guess.style;
    let numeric = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    const read = new Map<string, number | null>();
    for (const r of rows) {
      const v = r[name];
      if (isMissing(v) || dotUnsure) continue;
      let n: number | null;
      if (typeof v === 'string') {
        n = read.get(v) ?? null;
        if (n === null && !read.has(v)) {
          n = parseNumber(v, style);
          if (read.size < CACHE_MAX) read.set(v, n);
        }
      } else n = parseNumber(v, style);
      if (n === null) continue;
      numeric++;
      sum += n;
      if (n < min) min = n;
      if (n > max) max = n;
    }
    const base = { name, missing, distinct: counts.size };
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
    // An unsure column keeps its values as written (`top`), so the question can show them.
    const ambiguous = guess.ambiguous || dotGroups ? { ambiguous: true, top } : {};
    if (present > 0 && numeric / present >= NUMERIC_SHARE) {
      return { ...base, type: 'numeric', invalid: present - numeric, min, max, mean: sum / numeric, ...(style === 'point' ? {} : { numberStyle: style }), ...ambiguous };
    }
    const dates = textCount === present && present > 0 ? dateOrderEvidence(texts) : null;
    if (dates && Math.max(dates.dmy, dates.mdy) / present >= NUMERIC_SHARE) {
      const dateOrder: DateOrder = dates.ambiguous || dates.dmy === dates.mdy ? (opts.dateOrder ?? 'dmy') : dates.dmy > dates.mdy ? 'dmy' : 'mdy';
      const read = dateOrder === 'dmy' ? dates.dmy : dates.mdy;
      return { ...base, type: 'date', invalid: present - read, top, dateOrder, ...(dates.ambiguous ? { ambiguous: true } : {}) };
    }
    const isText = counts.size > TEXT_MIN_DISTINCT && counts.size >= present / 2 && length / present >= TEXT_MIN_LENGTH;
    return { ...base, type: isText ? 'text' : 'categorical', invalid: 0, ...ambiguous, top };
  });
}

/**
 * Rows as stored after import: numeric cells as numbers (read in their column's style), dates as
 * ISO 8601 text (YYYY-MM-DD, read in their column's order), everything else as text; missing or
 * unreadable cells as null, except categorical and text cells, which keep what was written.
 */
export function convertRows(rows: Row[], columns: ColumnInfo[]): Record<string, string | number | null>[] {
  // Numbers and dates are read once per distinct text (a column of 100,000 dates holds a few hundred).
  const caches = columns.map(() => new Map<string, string | number | null>());
  const convert = (c: ColumnInfo, v: Cell): string | number | null => {
    if (c.type === 'numeric') return isMissing(v) ? null : parseNumber(v, c.numberStyle ?? 'point');
    const d = parseDate(v, c.dateOrder ?? 'dmy');
    return d ? toIsoDate(d) : null;
  };
  return rows.map((r) => {
    const out: Record<string, string | number | null> = {};
    for (let i = 0; i < columns.length; i++) {
      const c = columns[i];
      const v = r[c.name];
      if (c.type !== 'numeric' && c.type !== 'date') out[c.name] = v === undefined || v === null ? null : String(v);
      else if (typeof v !== 'string') out[c.name] = convert(c, v);
      else {
        const cache = caches[i];
        let x = cache.get(v);
        if (x === undefined) {
          x = convert(c, v);
          if (cache.size < CACHE_MAX) cache.set(v, x);
        }
        out[c.name] = x;
      }
    }
    return out;
  });
}

/** How often each value of a column occurs (trimmed text; missing values left out). */
export function countValues(rows: Row[], name: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    const v = r[name];
    if (isMissing(v)) continue;
    const k = String(v).trim();
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** Count of rows per target value (missing values excluded), most frequent first. */
export function classBalance(rows: Row[], target: string): [string, number][] {
  return [...countValues(rows, target).entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** The message keys of a validation issue, in the device's catalogues. */
export type IssueKey =
  | 'data.issue.fewRows'
  | 'data.issue.oneColumn'
  | 'data.issue.notDates'
  | 'data.issue.notNumbers'
  | 'data.issue.dateEitherWay'
  | 'data.issue.markText'
  | 'data.issue.markDecimal'
  | 'data.issue.markThousands'
  | 'data.issue.missing'
  | 'data.issue.constant'
  | 'data.issue.noTarget'
  | 'data.issue.targetMissing'
  | 'data.issue.oneClass'
  | 'data.issue.smallClass'
  | 'data.issue.manyClasses';

export interface ValidationIssue {
  severity: 'error' | 'warning';
  column?: string;
  /** In English (the server's console, tests). */
  message: string;
  /** The message as a message key and values (see said.ts), for a screen in any language. */
  said: Said<IssueKey>;
}
export interface ValidationSummary {
  rowCount: number;
  issues: ValidationIssue[];
}

/** A value of an unsure number column as written (1,250 or 1.250), for the question about it. */
export function unsureExample(c: ColumnInfo): string {
  return c.top?.find(([v]) => /[.,]\d{3}$/.test(v))?.[0] ?? (c.top?.[0]?.[0] || '1,250');
}

/** The fewest rows Outpost will train on. */
export const MIN_ROWS = 10;

/**
 * Check a parsed dataset before it is stored or trained on. Errors block training; warnings are
 * worth a look. Every message says what to do about it.
 */
export function validateDataset(rows: Row[], columns: ColumnInfo[], target?: string): ValidationSummary {
  const issues: ValidationIssue[] = [];
  if (rows.length < MIN_ROWS) {
    issues.push({
      severity: 'error',
      message: `Only ${rows.length} rows: at least ${MIN_ROWS} are needed to train and check a model. Add rows to the file.`,
      said: { key: 'data.issue.fewRows', values: { count: rows.length, min: MIN_ROWS } },
    });
  }
  if (columns.length < 2) {
    issues.push({
      severity: 'error',
      message: 'Only one column: a dataset needs at least one input column and a target column. Check the file uses commas between values.',
      said: { key: 'data.issue.oneColumn' },
    });
  }
  for (const c of columns) {
    if (c.invalid > 0) {
      const what = c.type === 'date' ? ['a date column', 'dates'] : ['numeric', 'numbers'];
      issues.push({
        severity: 'warning',
        column: c.name,
        message: `“${c.name}” is ${what[0]} but ${c.invalid} values are not ${what[1]}; they will be treated as missing. Correct them in the file if they matter.`,
        said: { key: c.type === 'date' ? 'data.issue.notDates' : 'data.issue.notNumbers', values: { name: c.name, count: c.invalid } },
      });
    }
    if (c.ambiguous && c.type === 'date') {
      const read = c.dateOrder === 'mdy' ? 'month first (03/04/2024 is 4 March)' : 'day first (03/04/2024 is 3 April)';
      issues.push({
        severity: 'warning',
        column: c.name,
        message: `“${c.name}” has dates that read either way; they are read ${read}. Change the date order above if that is wrong.`,
        said: { key: 'data.issue.dateEitherWay', values: { name: c.name, order: c.dateOrder === 'mdy' ? 'mdy' : 'dmy' } },
      });
    } else if (c.ambiguous) {
      const example = unsureExample(c);
      const mark = example.includes(',') ? 'comma' : 'point';
      const reading = c.type !== 'numeric' ? 'text' : (mark === 'comma' ? c.numberStyle === 'comma' : c.numberStyle !== 'comma') ? 'decimal' : 'thousands';
      const read =
        reading === 'text'
          ? 'they are kept as text for now'
          : reading === 'decimal'
            ? `the ${mark} is read as a decimal mark`
            : `the ${mark} is read as a thousands separator`;
      const key = reading === 'text' ? 'data.issue.markText' : reading === 'decimal' ? 'data.issue.markDecimal' : 'data.issue.markThousands';
      issues.push({
        severity: 'warning',
        column: c.name,
        message: `“${c.name}” has numbers such as ${example} whose ${mark} could be a decimal mark or a thousands separator; ${read}. Choose how to read them above.`,
        said: { key, values: { name: c.name, example, mark } },
      });
    }
    if (c.missing > 0 && c.name !== target) {
      issues.push({
        severity: 'warning',
        column: c.name,
        message: `“${c.name}” has ${c.missing} missing values; training fills them with the typical value.`,
        said: { key: 'data.issue.missing', values: { name: c.name, count: c.missing } },
      });
    }
    if (c.distinct <= 1 && rows.length > 0) {
      issues.push({
        severity: 'warning',
        column: c.name,
        message: `“${c.name}” has the same value in every row and tells the model nothing; leave it out.`,
        said: { key: 'data.issue.constant', values: { name: c.name } },
      });
    }
  }
  const t = columns.find((c) => c.name === target);
  if (target && !t)
    issues.push({
      severity: 'error',
      column: target,
      message: `There is no column “${target}”. Pick the target column again.`,
      said: { key: 'data.issue.noTarget', values: { name: target } },
    });
  if (t) {
    if (t.missing > 0) {
      issues.push({
        severity: 'warning',
        column: t.name,
        message: `The target “${t.name}” is missing in ${t.missing} rows; those rows are left out of training.`,
        said: { key: 'data.issue.targetMissing', values: { name: t.name, count: t.missing } },
      });
    }
    if (t.type === 'categorical' || t.type === 'text' || t.distinct <= 10) {
      const balance = classBalance(rows, t.name);
      if (balance.length < 2) {
        issues.push({
          severity: 'error',
          column: t.name,
          message: `The target “${t.name}” has fewer than two different values; a model needs examples of at least two classes.`,
          said: { key: 'data.issue.oneClass', values: { name: t.name } },
        });
      }
      for (const [label, n] of balance) {
        if (n < 2)
          issues.push({
            severity: 'error',
            column: t.name,
            message: `The class “${label}” has only ${n} row; every class needs at least two. Remove it or add examples.`,
            said: { key: 'data.issue.smallClass', values: { label, count: n } },
          });
      }
      if (t.type !== 'numeric' && t.distinct > 50) {
        issues.push({
          severity: 'warning',
          column: t.name,
          message: `The target “${t.name}” has ${t.distinct} different values; is it really a category? Pick another target if not.`,
          said: { key: 'data.issue.manyClasses', values: { name: t.name, count: t.distinct } },
        });
      }
    }
  }
  return { rowCount: rows.length, issues };
}
