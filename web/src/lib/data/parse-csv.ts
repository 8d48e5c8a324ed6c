import Papa from 'papaparse';
import { OutpostError } from '@shared/errors.js';
import { inferColumns, toNumber } from '@shared/data/columns.js';
import { sha256Hex } from '@shared/data/hash.js';
import type { ColumnInfo } from '@shared/schema/records.js';

export const MAX_CSV_BYTES = 50 * 1024 * 1024;
export const MAX_CSV_ROWS = 1_000_000;

export interface CsvLimits {
  maxBytes: number;
  maxRows: number;
}
const LIMITS: CsvLimits = { maxBytes: MAX_CSV_BYTES, maxRows: MAX_CSV_ROWS };

export type TypedRow = Record<string, string | number | null>;

export interface ParsedTable {
  rows: TypedRow[];
  columns: ColumnInfo[];
  rowCount: number;
}

/** How many malformed rows are named in the error before parsing gives up. */
const MAX_REPORTED = 3;

/**
 * Parse CSV text into typed rows. Every value is read as text (no dynamic typing), column types
 * are inferred, then numeric columns are converted with the one shared number parser. Problems
 * come back as OutpostErrors that say what to fix in the file; nothing is stored here.
 */
export function parseCsvText(text: string, onProgress?: (fraction: number) => void, limits: Partial<CsvLimits> = {}): ParsedTable {
  const { maxRows } = { ...LIMITS, ...limits };
  if (text.trim() === '') throw new OutpostError('csv_empty', 'The file is empty. Choose a CSV file with a header row and at least one row of data.');
  const rows: Record<string, string>[] = [];
  const errors: Papa.ParseError[] = [];
  let fields: string[] = [];
  let lastReport = 0;
  let duplicate = false;
  let tooMany = false;
  Papa.parse<Record<string, string>>(text, {
    header: true,
    skipEmptyLines: 'greedy',
    dynamicTyping: false,
    transformHeader: (h) => h.trim(),
    step: (res, parser) => {
      if (fields.length === 0) fields = res.meta.fields ?? [];
      const renamed = (res.meta as { renamedHeaders?: Record<string, string> }).renamedHeaders;
      if (renamed && Object.keys(renamed).length) duplicate = true;
      // A file with one column has no delimiter to detect; that case gets its own message below.
      const real = res.errors.filter((e) => e.code !== 'UndetectableDelimiter');
      if (real.length) errors.push(...real);
      if (errors.length >= MAX_REPORTED + 2) return parser.abort();
      if (rows.length >= maxRows) {
        tooMany = true;
        return parser.abort();
      }
      rows.push(res.data);
      if (onProgress && res.meta.cursor - lastReport > 256 * 1024) {
        lastReport = res.meta.cursor;
        onProgress(Math.min(1, res.meta.cursor / text.length));
      }
    },
  });
  if (fields.length === 0) {
    // A header with no data rows never reaches `step`: read the header line on its own.
    fields = (Papa.parse<string[]>(text.split(/\r?\n/)[0] ?? '').data[0] ?? []).map((h) => h.trim());
  }
  if (fields.length > 1 && fields.every((f) => toNumber(f) !== null)) {
    throw new OutpostError('csv_malformed', `The first row holds numbers (${fields.slice(0, 3).join(', ')}…), not column names. Add a header row that names every column, then import the file again.`);
  }
  if (errors.length) {
    const first = errors.slice(0, MAX_REPORTED).map((e) => `row ${(e.row ?? 0) + 2}: ${describe(e)}`).join('; ');
    const more = errors.length > MAX_REPORTED ? '; and more' : '';
    throw new OutpostError('csv_malformed', `The file is not a well-formed CSV (${first}${more}). Every row needs as many values as the header has columns; fix those rows and choose the file again.`);
  }
  if (tooMany) throw new OutpostError('csv_too_large', `The file has more than ${maxRows.toLocaleString('en')} rows. Split it or take a sample, then import again.`);
  if (fields.length < 2) throw new OutpostError('csv_malformed', 'Only one column was found. Outpost needs a header row and at least two columns separated by commas (or semicolons or tabs): the features and the target. Check the separator and the first row.');
  if (duplicate || new Set(fields).size !== fields.length) throw new OutpostError('csv_malformed', 'Two columns have the same name in the header row. Give every column its own name.');
  if (fields.some((f) => f === '')) throw new OutpostError('csv_malformed', 'A column has no name in the header row. Name every column.');
  if (rows.length === 0) throw new OutpostError('csv_empty', 'The file has a header but no rows of data. Add rows below the header and import it again.');
  const columns = inferColumns(rows, fields);
  const numeric = columns.filter((c) => c.type === 'numeric').map((c) => c.name);
  const typed = rows.map((r) => {
    const out: TypedRow = {};
    for (const f of fields) out[f] = r[f] ?? null;
    for (const n of numeric) out[n] = toNumber(r[n]);
    return out;
  });
  onProgress?.(1);
  return { rows: typed, columns, rowCount: typed.length };
}

/**
 * Read a file's bytes: refuse oversized files before reading, hash the bytes as imported
 * (SHA-256, the dataset's identity in every run), decode UTF-8 strictly, then parse. Runs in the
 * CSV worker, and in Node tests, where Blob and Web Crypto exist too.
 */
export async function parseCsvBlob(blob: Blob, onProgress?: (fraction: number) => void, limits: Partial<CsvLimits> = {}): Promise<ParsedTable & { hash: string }> {
  const { maxBytes } = { ...LIMITS, ...limits };
  if (blob.size === 0) throw new OutpostError('csv_empty', 'The file is empty. Choose a CSV file with a header row and at least one row of data.');
  if (blob.size > maxBytes) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MB`;
    throw new OutpostError('csv_too_large', `The file is ${mb(blob.size)}; Outpost imports up to ${mb(maxBytes)}. Split it or take a sample, then import again.`);
  }
  const bytes = await blob.arrayBuffer();
  const hash = await sha256Hex(bytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new OutpostError('csv_malformed', 'The file is not UTF-8 text. Export it from your spreadsheet as “CSV UTF-8” and try again.');
  }
  return { hash, ...parseCsvText(text.replace(/^\uFEFF/, ''), onProgress, limits) };
}

function describe(e: Papa.ParseError): string {
  if (e.code === 'TooFewFields') return 'too few values';
  if (e.code === 'TooManyFields') return 'too many values';
  if (e.code === 'MissingQuotes') return 'a quote is not closed';
  return e.message;
}
