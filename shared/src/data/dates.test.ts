import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { civilFromDays, dateOrderEvidence, datePart, daysFromCivil, parseDate, toIsoDate } from './dates.js';

describe('dates', () => {
  it('reads ISO 8601, year first, and day/month in the stated order', () => {
    expect(parseDate('2024-04-03', 'mdy')).toEqual({ year: 2024, month: 4, day: 3 });
    expect(parseDate('2024-04-03T10:15:00Z', 'dmy')).toEqual({ year: 2024, month: 4, day: 3 });
    expect(parseDate('2024/4/3', 'dmy')).toEqual({ year: 2024, month: 4, day: 3 });
    expect(parseDate('03/04/2024', 'dmy')).toEqual({ year: 2024, month: 4, day: 3 });
    expect(parseDate('03/04/2024', 'mdy')).toEqual({ year: 2024, month: 3, day: 4 });
    expect(parseDate('3.4.2024', 'dmy')).toEqual({ year: 2024, month: 4, day: 3 });
    // Spreadsheets add the time: the date as written counts.
    expect(parseDate('03/04/2024 10:30', 'dmy')).toEqual({ year: 2024, month: 4, day: 3 });
    expect(parseDate('4/3/2024 9:05:00 PM', 'mdy')).toEqual({ year: 2024, month: 4, day: 3 });
    expect(parseDate('2024/04/03 23:59', 'mdy')).toEqual({ year: 2024, month: 4, day: 3 });
    expect(parseDate('03/04/2024 soon', 'dmy')).toBeNull();
  });

  it('refuses dates that do not exist, two-digit years and mixed separators', () => {
    expect(parseDate('31/02/2024', 'dmy')).toBeNull();
    expect(parseDate('29/02/2023', 'dmy')).toBeNull();
    expect(parseDate('29/02/2024', 'dmy')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseDate('25/03/2024', 'mdy')).toBeNull();
    expect(parseDate('03/04/24', 'dmy')).toBeNull();
    expect(parseDate('03/04-2024', 'dmy')).toBeNull();
    expect(parseDate('2024-13-01', 'dmy')).toBeNull();
    expect(parseDate(20240403, 'dmy')).toBeNull();
  });

  it('tells the order from the values when one of them can, and says when none can', () => {
    expect(dateOrderEvidence(['25/03/2024', '03/04/2024'])).toEqual({ dmy: 2, mdy: 1, ambiguous: false });
    expect(dateOrderEvidence(['03/25/2024', '03/04/2024'])).toEqual({ dmy: 1, mdy: 2, ambiguous: false });
    expect(dateOrderEvidence(['03/04/2024', '01/02/2024'])).toMatchObject({ ambiguous: true });
    expect(dateOrderEvidence(['2024-03-04'])).toMatchObject({ dmy: 1, mdy: 1, ambiguous: false });
  });

  it('gives the parts of known dates', () => {
    const d = parseDate('01/03/2024', 'dmy')!; // 1 March 2024, a Friday, day 61 of a leap year
    expect([datePart(d, 'year'), datePart(d, 'month'), datePart(d, 'day'), datePart(d, 'weekday'), datePart(d, 'yearday')]).toEqual([2024, 3, 1, 5, 61]);
    expect(datePart({ year: 1970, month: 1, day: 1 }, 'weekday')).toBe(4); // Thursday
    expect(datePart({ year: 2023, month: 12, day: 31 }, 'yearday')).toBe(365);
    expect(datePart({ year: 1960, month: 10, day: 1 }, 'weekday')).toBe(6); // Nigeria's independence, a Saturday
    expect(daysFromCivil({ year: 2000, month: 3, day: 1 })).toBe(11017);
  });

  it('round-trips day counts, ISO text and both orders (property), and agrees with Date.UTC on weekdays', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200000, max: 200000 }), (n) => {
        const d = civilFromDays(n);
        expect(daysFromCivil(d)).toBe(n);
        if (d.year >= 1000 && d.year <= 9999) {
          expect(parseDate(toIsoDate(d), 'dmy')).toEqual(d);
          const dd = String(d.day).padStart(2, '0');
          const mm = String(d.month).padStart(2, '0');
          expect(parseDate(`${dd}/${mm}/${d.year}`, 'dmy')).toEqual(d);
          expect(parseDate(`${mm}/${dd}/${d.year}`, 'mdy')).toEqual(d);
        }
        const js = new Date(Date.UTC(d.year, d.month - 1, d.day));
        if (d.year >= 0) expect(datePart(d, 'weekday')).toBe(((js.getUTCDay() + 6) % 7) + 1);
      }),
    );
  });
});
