import type { ColumnInfo } from '../schema/records.js';

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

/** Share of non-missing values that must parse as numbers for a column to count as numeric. */
export const NUMERIC_SHARE = 0.95;

/**
 * Infer each column's type and summary. A column is numeric when at least 95% of its non-missing
 * values parse as finite numbers (the rest are counted as `invalid`, type problems); otherwise it
 * is categorical. Numeric columns get min, max and mean over the parsed values; categorical ones
 * their 20 most frequent values.
 */
export function inferColumns(rows: Row[], names: string[]): ColumnInfo[] {
  return names.map((name) => {
    let missing = 0;
    let numeric = 0;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    const counts = new Map<string, number>();
    for (const r of rows) {
      const v = r[name];
      if (isMissing(v)) {
        missing++;
        continue;
      }
      const key = String(v).trim();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const n = toNumber(v);
      if (n !== null) {
        numeric++;
        sum += n;
        if (n < min) min = n;
        if (n > max) max = n;
      }
    }
    const present = rows.length - missing;
    const isNumeric = present > 0 && numeric / present >= NUMERIC_SHARE;
    if (isNumeric) {
      return { name, type: 'numeric', missing, distinct: counts.size, invalid: present - numeric, min, max, mean: sum / numeric };
    }
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
    return { name, type: 'categorical', missing, distinct: counts.size, invalid: 0, top };
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

export interface ValidationIssue {
  severity: 'error' | 'warning';
  column?: string;
  message: string;
}
export interface ValidationSummary {
  rowCount: number;
  issues: ValidationIssue[];
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
    issues.push({ severity: 'error', message: `Only ${rows.length} rows: at least ${MIN_ROWS} are needed to train and check a model. Add rows to the file.` });
  }
  if (columns.length < 2) {
    issues.push({ severity: 'error', message: 'Only one column: a dataset needs at least one input column and a target column. Check the file uses commas between values.' });
  }
  for (const c of columns) {
    if (c.invalid > 0) {
      issues.push({ severity: 'warning', column: c.name, message: `“${c.name}” is numeric but ${c.invalid} values are not numbers; they will be treated as missing. Correct them in the file if they matter.` });
    }
    if (c.missing > 0 && c.name !== target) {
      issues.push({ severity: 'warning', column: c.name, message: `“${c.name}” has ${c.missing} missing values; training fills them with the typical value.` });
    }
    if (c.distinct <= 1 && rows.length > 0) {
      issues.push({ severity: 'warning', column: c.name, message: `“${c.name}” has the same value in every row and tells the model nothing; leave it out.` });
    }
  }
  const t = columns.find((c) => c.name === target);
  if (target && !t) issues.push({ severity: 'error', column: target, message: `There is no column “${target}”. Pick the target column again.` });
  if (t) {
    if (t.missing > 0) {
      issues.push({ severity: 'warning', column: t.name, message: `The target “${t.name}” is missing in ${t.missing} rows; those rows are left out of training.` });
    }
    if (t.type === 'categorical' || t.distinct <= 10) {
      const balance = classBalance(rows, t.name);
      if (balance.length < 2) {
        issues.push({ severity: 'error', column: t.name, message: `The target “${t.name}” has fewer than two different values; a model needs examples of at least two classes.` });
      }
      for (const [label, n] of balance) {
        if (n < 2) issues.push({ severity: 'error', column: t.name, message: `The class “${label}” has only ${n} row; every class needs at least two. Remove it or add examples.` });
      }
      if (t.type === 'categorical' && t.distinct > 50) {
        issues.push({ severity: 'warning', column: t.name, message: `The target “${t.name}” has ${t.distinct} different values; is it really a category? Pick another target if not.` });
      }
    }
  }
  return { rowCount: rows.length, issues };
}
