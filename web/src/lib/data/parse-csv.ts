import Papa from 'papaparse';
import { SaidError } from '../said-error.js';
import { toNumber } from '@shared/data/columns.js';
import { SEPARATORS } from './separators.js';
import type { Message } from '../i18n/catalogue.js';
import { english } from '../i18n/speaking.js';

/** A row left out of a file, by the line of the file it starts on (1 is the first line). */
export interface BadRow {
  line: number;
  /** Why, in English (logs, tests). */
  reason: string;
  /** Why, as a message, so a screen says it in the person's language. */
  said?: Message;
}

/** A row left out, its reason in English and as a message. */
export const badRow = (line: number, said: Message): BadRow => ({ line, reason: english(said), said });

/** A table read from a file: column names, rows as written (text or JSON values), rows left out. */
export interface RawTable {
  fields: string[];
  rows: Record<string, string | number | null>[];
  bad: BadRow[];
}

export interface ReadOptions {
  /** A separator the person chose; otherwise detected. */
  separator?: string;
  /** Leave rows that do not fit out (listed in `bad`) instead of refusing the file. */
  dropBadRows?: boolean;
  maxRows: number;
  onProgress?: (fraction: number) => void;
}

/** How many bad rows are named in a message. */
export const MAX_REPORTED = 5;

/**
 * The separator of a CSV text: of comma, semicolon, tab and vertical bar, the one that gives the
 * header at least two columns and the most of the first 50 rows the header's count (a semicolon
 * file with decimal commas, "36,6;1,2", gives one column in the header by comma, so semicolon
 * wins). Ties go to the earlier in that list. Comma when none fits.
 */
export function detectSeparator(text: string): string {
  const sample = text.slice(0, 64 * 1024);
  let best: { sep: string; share: number; width: number } = { sep: ',', share: -1, width: 0 };
  for (const sep of SEPARATORS) {
    const rows = Papa.parse<string[]>(sample, { delimiter: sep, preview: 50, skipEmptyLines: 'greedy' }).data;
    const width = rows[0]?.length ?? 0;
    if (width < 2 || rows.length === 0) continue;
    // The last sampled row may be cut at 64 KB: leave it out when the text goes on.
    const judged = rows.length > 2 && sample.length < text.length ? rows.slice(0, -1) : rows;
    const share = judged.filter((r) => r.length === width).length / judged.length;
    if (share > best.share || (share === best.share && width > best.width)) best = { sep, share, width };
  }
  return best.sep;
}

/**
 * The sentence for rows that do not fit, as one message whose parts (each row's line and reason,
 * and what to do) are already said by `say`: `english` in the reader, `sayNow` on the page.
 */
export function rowsNotFitSaid(bad: BadRow[], what: Message, say: (m: Message) => string): Message {
  const first = bad
    .slice(0, MAX_REPORTED)
    .map((b) => say({ key: 'error.rowsNotFitLine', values: { line: b.line, reason: b.said ? say(b.said) : b.reason } }))
    .reduce((lines, next) => say({ key: 'error.rowsNotFitNext', values: { lines, next } }));
  const lines = bad.length > MAX_REPORTED ? say({ key: 'error.rowsNotFitMore', values: { lines: first, count: bad.length - MAX_REPORTED } }) : first;
  return { key: 'error.rowsNotFit', values: { count: bad.length, lines, what: say(what) } };
}

/**
 * Refusal for rows that do not fit, naming them by line; `details.badRows` lets the screen offer
 * to leave them out, and `details.what` (with each row's `said`) lets the page say it again in
 * the person's language. Its `message` is always English; its `said` is said by `say`.
 */
export class BadRowsError extends SaidError {
  declare readonly details: { badRows: BadRow[]; what: Message };
  constructor(bad: BadRow[], what: Message, say: (m: Message) => string = english) {
    super('csv_malformed', rowsNotFitSaid(bad, what, say), { badRows: bad, what });
    this.message = english(rowsNotFitSaid(bad, what, english));
  }
}

/** Refusal for rows that do not fit (a `BadRowsError`, said in English until the page says it again). */
export function badRowsError(bad: BadRow[], what: Message): BadRowsError {
  return new BadRowsError(bad, what);
}

/**
 * Read CSV text as a header and rows of text, nothing converted (papaparse, no dynamic typing):
 * quoted fields may hold separators and line breaks, CRLF and LF both end a row, blank lines are
 * skipped. A row with too few or too many values is refused with its line number, or left out
 * when `dropBadRows`; the header must name every column once, and must not be numbers.
 */
export function readCsv(file: string, opts: ReadOptions): RawTable & { separator: string } {
  // Excel can write "sep=;" as the first line: it names the separator and is not the header.
  // The line's break is kept, so lines are still numbered as in the file.
  const hint = /^sep=([,;\t|])\r?\n/.exec(file);
  const text = hint ? file.slice(hint[0].search(/\r?\n$/)) : file;
  const separator = opts.separator ?? hint?.[1] ?? detectSeparator(text);
  let fields: string[] | null = null;
  const rows: Record<string, string>[] = [];
  const bad: BadRow[] = [];
  let scanned = 0;
  let lines = 0;
  let lastReport = 0;
  let tooMany = false;
  let quoteError = false;
  Papa.parse<string[]>(text, {
    delimiter: separator,
    skipEmptyLines: 'greedy',
    step: (res, parser) => {
      const cursor = res.meta.cursor;
      for (let i = text.indexOf('\n', scanned); i !== -1 && i < cursor; i = text.indexOf('\n', i + 1)) lines++;
      scanned = cursor;
      const values = res.data;
      let inner = 0;
      for (const v of values) if (v.includes('\n')) inner += v.split('\n').length - 1;
      const endsWithBreak = text[cursor - 1] === '\n';
      const line = lines + (endsWithBreak ? 0 : 1) - inner;
      const unclosed = res.errors.find((e) => e.code === 'MissingQuotes');
      if (unclosed) {
        quoteError = true;
        // The row runs to the end of the file: name the line its quote opens on.
        const at = (unclosed as { index?: number }).index ?? cursor;
        let quoteLine = 1;
        for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) quoteLine++;
        bad.push(badRow(quoteLine, { key: 'error.rowQuote' }));
        return parser.abort();
      }
      if (!fields) {
        fields = values.map((h) => h.trim());
        return;
      }
      if (values.length !== fields.length) {
        bad.push(badRow(line, { key: values.length < fields.length ? 'error.rowTooFew' : 'error.rowTooMany', values: { count: values.length, columns: fields.length } }));
        if (!opts.dropBadRows && bad.length > 1000) return parser.abort();
        return;
      }
      if (rows.length >= opts.maxRows) {
        tooMany = true;
        return parser.abort();
      }
      const row: Record<string, string> = {};
      for (let i = 0; i < fields.length; i++) row[fields[i]] = values[i];
      rows.push(row);
      if (opts.onProgress && cursor - lastReport > 256 * 1024) {
        lastReport = cursor;
        opts.onProgress(Math.min(1, cursor / text.length));
      }
    },
  });
  const header: string[] = fields ?? [];
  if (header.length > 1 && header.every((f) => toNumber(f) !== null)) {
    throw new SaidError('csv_malformed', { key: 'error.csvNumbersHeader', values: { values: header.slice(0, 3).join(', ') } });
  }
  if (header.length < 2) {
    throw new SaidError('csv_malformed', { key: 'error.csvOneColumn' });
  }
  if (new Set(header).size !== header.length) throw new SaidError('csv_malformed', { key: 'error.csvSameName' });
  if (header.some((f) => f === '')) throw new SaidError('csv_malformed', { key: 'error.csvNoName' });
  if (quoteError) throw badRowsError(bad, { key: 'error.rowsQuote' });
  if (bad.length && !opts.dropBadRows) throw badRowsError(bad, { key: 'error.rowsWidth', values: { columns: header.length } });
  if (tooMany) throw new SaidError('csv_too_large', { key: 'error.fileTooManyRows', values: { max: opts.maxRows } });
  return { fields: header, rows, bad, separator };
}
