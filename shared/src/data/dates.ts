import type { Cell } from './columns.js';
import { weighted } from './numbers.js';

/** How a date such as 03/04/2024 is read: day first (3 April, as in Nigeria) or month first (4 March). */
export type DateOrder = 'dmy' | 'mdy';

/** A calendar date, proleptic Gregorian, with no time zone. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

// ISO 8601 calendar dates, optionally with a time (the time and zone are not used: the date as written counts).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
// A time after a date, as spreadsheets write it ("03/04/2024 10:30"): allowed, not used.
const TIME = '(?:[ T]\\d{1,2}:\\d{2}(?::\\d{2})?(?: ?[AaPp][Mm])?)?';
// Year first with slashes or dots (2024/04/03), read as year, month, day.
const YMD = new RegExp(`^(\\d{4})[/.](\\d{1,2})[/.](\\d{1,2})${TIME}$`);
// Day and month in either order, four-digit year: 03/04/2024, 3-4-2024, 03.04.2024.
const SHORT = new RegExp(`^(\\d{1,2})([/.-])(\\d{1,2})\\2(\\d{4})${TIME}$`);

function valid(year: number, month: number, day: number): CivilDate | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/**
 * Read a cell as a calendar date: ISO 8601 (2024-04-03, with or without a time), year first with
 * slashes or dots (2024/04/03), or day and month in the stated order with a four-digit year
 * (03/04/2024 is 3 April under `dmy`, 4 March under `mdy`), each optionally followed by a time
 * ("03/04/2024 10:30", not used). Two-digit years are not read (their century would be a guess).
 * Null when missing or not a real date (31/02/2024).
 */
export function parseDate(v: Cell, order: DateOrder): CivilDate | null {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  let m = ISO.exec(s) ?? YMD.exec(s);
  if (m) return valid(+m[1], +m[2], +m[3]);
  m = SHORT.exec(s);
  if (!m) return null;
  const [a, b, y] = [+m[1], +m[3], +m[4]];
  return order === 'dmy' ? valid(y, b, a) : valid(y, a, b);
}

/** What a column's values say about their date order. */
export interface DateOrderEvidence {
  /** Values read as dates in each order (ISO ones count in both). */
  dmy: number;
  mdy: number;
  /** True when some day-and-month values read in both orders and none tells them apart. */
  ambiguous: boolean;
}

/**
 * Count how many values read as dates day first and month first. A value with a first number
 * above 12 (25/03/2024) can only be day first; one with a second number above 12 only month
 * first. When every short value reads both ways (03/04/2024), the column is ambiguous and the
 * person's stated order decides.
 */
export function dateOrderEvidence(values: readonly string[] | ReadonlyMap<string, number>): DateOrderEvidence {
  let dmy = 0;
  let mdy = 0;
  let both = 0;
  let shortValues = 0;
  for (const [v, w] of weighted(values)) {
    const d = parseDate(v, 'dmy');
    const m = parseDate(v, 'mdy');
    if (d) dmy += w;
    if (m) mdy += w;
    if (SHORT.test(v.trim())) {
      shortValues += w;
      if (d && m) both += w;
    }
  }
  return { dmy, mdy, ambiguous: shortValues > 0 && both === shortValues };
}

/** A date as ISO 8601 text (YYYY-MM-DD), the form dates are stored in after import. */
export function toIsoDate(d: CivilDate): string {
  const p = (n: number, w: number) => String(n).padStart(w, '0');
  return `${p(d.year, 4)}-${p(d.month, 2)}-${p(d.day, 2)}`;
}

/**
 * Days since 1970-01-01 of a civil date (negative before), by Howard Hinnant's days_from_civil
 * (http://howardhinnant.github.io/date_algorithms.html), exact for every Gregorian date.
 */
export function daysFromCivil({ year, month, day }: CivilDate): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day count since 1970-01-01 (Hinnant's civil_from_days, the inverse of daysFromCivil). */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The parts of a date a model trains on; see docs/import.md. */
export const DATE_PARTS = ['year', 'month', 'day', 'weekday', 'yearday'] as const;
export type DatePart = (typeof DATE_PARTS)[number];

/**
 * One part of a date: year; month 1–12; day of the month 1–31; weekday 1–7 (ISO 8601, Monday is
 * 1); yearday 1–366 (1 January is 1). 1970-01-01 was a Thursday (ISO weekday 4).
 */
export function datePart(d: CivilDate, part: DatePart): number {
  switch (part) {
    case 'year':
      return d.year;
    case 'month':
      return d.month;
    case 'day':
      return d.day;
    case 'weekday':
      return ((((daysFromCivil(d) + 3) % 7) + 7) % 7) + 1;
    case 'yearday':
      return daysFromCivil(d) - daysFromCivil({ year: d.year, month: 1, day: 1 }) + 1;
  }
}
