import type { Cell } from './columns.js';

/**
 * How the numbers of one column are written. `point`: 36.6 (the default, as JavaScript and
 * scikit-learn read numbers); `comma`: a decimal comma, 36,6, with optional dot or space thousands
 * groups (1.234,5), as spreadsheets in French, Portuguese or German settings export them;
 * `thousands`: a decimal point with comma thousands groups (1,234.5).
 */
export type NumberStyle = 'point' | 'comma' | 'thousands';

const POINT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const COMMA = /^[-+]?(\d+|\d{1,3}([. \u00a0\u202f]\d{3})+)(,\d+)?$/;
const THOUSANDS = /^[-+]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$/;
/** Only comma groups of three digits: 1,250 could be 1.25 (decimal comma) or 1250 (thousands). */
const GROUPS_ONLY = /^[-+]?\d{1,3}(,\d{3})+$/;

/**
 * Values with how often each occurs: a list counts each entry once; a map (value to count) lets
 * a column of 100,000 rows be judged on its distinct values.
 */
export function weighted(values: readonly string[] | ReadonlyMap<string, number>): Iterable<readonly [string, number]> {
  return Array.isArray(values) ? values.map((v): [string, number] => [v, 1]) : (values as ReadonlyMap<string, number>).entries();
}

/**
 * A cell as a finite number read in the given style, or null when it is missing or not a number
 * in that style. `point` is exactly `toNumber` (columns.ts); `comma` turns "36,6" into 36.6 and
 * "1.234,5" into 1234.5; `thousands` turns "1,234.5" into 1234.5. A number cell passes through.
 */
export function parseNumber(v: Cell, style: NumberStyle): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = v.trim();
  if (s === '') return null;
  let plain: string;
  if (style === 'point') {
    if (!POINT.test(s)) return null;
    plain = s;
  } else if (style === 'comma') {
    if (!COMMA.test(s)) return null;
    plain = s.replace(/[. \u00a0\u202f]/g, '').replace(',', '.');
  } else {
    if (!THOUSANDS.test(s)) return null;
    plain = s.replace(/,/g, '');
  }
  const n = Number(plain);
  return Number.isFinite(n) ? n : null;
}

/** What the values of a column say about how its numbers are written. */
export interface NumberStyleGuess {
  style: NumberStyle;
  /**
   * True when every value with a comma is only thousands groups ("1,250", "12,000"): the comma
   * could be a decimal mark or a thousands separator, and the values alone cannot tell.
   */
  ambiguous: boolean;
}

/**
 * Guess a column's number style from its non-missing text values. Values that read as plain
 * numbers say nothing; the style is `comma` or `thousands` only when some value needs it and
 * more values read in it than in `point`. When every comma value is three-digit groups only, the
 * guess is `ambiguous` and the style falls back to `fallback` (the person's choice), because
 * reading 1,250 as 1.25 or as 1250 silently could be off by a thousand.
 */
export function guessNumberStyle(values: readonly string[] | ReadonlyMap<string, number>, fallback: NumberStyle = 'point'): NumberStyleGuess {
  let point = 0;
  let comma = 0;
  let thousands = 0;
  let withComma = 0;
  let groupsOnly = 0;
  let manyGroups = 0;
  for (const [raw, w] of weighted(values)) {
    const s = raw.trim();
    if (POINT.test(s)) point += w;
    if (COMMA.test(s)) comma += w;
    if (THOUSANDS.test(s)) thousands += w;
    if (s.includes(',')) {
      withComma += w;
      if (GROUPS_ONLY.test(s)) groupsOnly += w;
      if (s.indexOf(',') !== s.lastIndexOf(',')) manyGroups += w;
    }
  }
  if (withComma === 0 || (point >= comma && point >= thousands)) return { style: 'point', ambiguous: false };
  // 1,234,567 can only be thousands; 1,250 alone could be either.
  if (groupsOnly === withComma) return manyGroups > 0 ? { style: 'thousands', ambiguous: false } : { style: fallback, ambiguous: true };
  // A value such as 1,234.5 (point after a comma group) can only be `thousands`; 36,6 only `comma`.
  return { style: comma >= thousands ? 'comma' : 'thousands', ambiguous: false };
}

/** Only dot groups of three digits: 1.250 is 1.25 with a decimal point, or 1250 with dot thousands. */
const DOT_GROUPS_ONLY = /^[-+]?\d{1,3}\.\d{3}$/;

/**
 * True when some value has a point and every such value is dot thousands groups only ("1.250",
 * "12.000"): in a file whose other numbers use a decimal comma, these are most likely thousands
 * (1250), but the values alone cannot tell.
 */
export function dotGroupsOnly(values: readonly string[] | ReadonlyMap<string, number>): boolean {
  let dotted = 0;
  for (const [raw] of weighted(values)) {
    const s = raw.trim();
    if (!s.includes('.')) continue;
    if (!DOT_GROUPS_ONLY.test(s)) return false;
    dotted++;
  }
  return dotted > 0;
}
