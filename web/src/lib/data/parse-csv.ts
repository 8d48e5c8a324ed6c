import Papa from 'papaparse';
import { OutpostError } from '../../../../shared/src/errors.js';
import { inferColumns, toNumber } from '../../../../shared/src/data/columns.js';
import type { ColumnInfo } from '../../../../shared/src/schema/records.js';

export const MAX_CSV_BYTES = 50 * 1024 * 1024;
export const MAX_CSV_ROWS = 1_000_000;

export interface ParsedTable {
  rows: Record<string, string | number | null>[];
  columns: ColumnInfo[];
  rowCount: number;
}

/**
 * Parse CSV text into typed rows. Every value is read as text, column types are inferred, then
 * numeric columns are converted with the one shared number parser. Problems come back as errors
 * that say what to fix in the file; nothing is stored here.
 */
export function parseCsvText(text: string, onProgress?: (fraction: number) => void): ParsedTable {
  if (text.trim() === '') throw new OutpostError('csv_empty', 'The file is empty. Choose a CSV file with a header row and at least one row of data.');
  const rows: Record<string, string>[] = [];
  const errors: Papa.ParseError[] = [];
  let fields: string[] = [];
  let lastReport = 0;
  let duplicate = false;
  Papa.parse<Record<string, string>>(text, {
    header: true,
    skipEmptyLines: 'greedy',
    dynamicTyping: false,
    transformHeader: (h) => h.trim(),
    step: (res, parser) => {
      if (fields.length === 0) fields = res.meta.fields ?? [];
      const renamed = (res.meta as { renamedHeaders?: Record<string, string> }).renamedHeaders;
      if (renamed && Object.keys(renamed).length) duplicate = true;
      if (res.errors.length) errors.push(...res.errors);
      if (errors.length >= 5) return parser.abort();
      if (rows.length >= MAX_CSV_ROWS) return parser.abort();
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
  if (errors.length) {
    const first = errors.slice(0, 3).map((e) => `row ${(e.row ?? 0) + 2}: ${describe(e)}`).join('; ');
    throw new OutpostError('csv_malformed', `The file is not a well-formed CSV (${first}). Every row needs as many values as the header has columns; fix those rows and choose the file again.`);
  }
  if (rows.length >= MAX_CSV_ROWS) throw new OutpostError('csv_too_large', `The file has more than ${MAX_CSV_ROWS.toLocaleString('en')} rows. Split it or take a sample, then import again.`);
  if (fields.length < 2) throw new OutpostError('csv_malformed', 'Only one column was found. Outpost reads comma-separated files: check that values are separated by commas and the first row names the columns.');
  if (duplicate || new Set(fields).size !== fields.length) throw new OutpostError('csv_malformed', 'Two columns have the same name in the header row. Give every column its own name.');
  if (fields.some((f) => f === '')) throw new OutpostError('csv_malformed', 'A column has no name in the header row. Name every column.');
  if (rows.length === 0) throw new OutpostError('csv_empty', 'The file has a header but no rows of data.');
  const columns = inferColumns(rows, fields);
  const numeric = columns.filter((c) => c.type === 'numeric').map((c) => c.name);
  const typed = rows.map((r) => {
    const out: Record<string, string | number | null> = {};
    for (const f of fields) out[f] = r[f] ?? null;
    for (const n of numeric) out[n] = toNumber(r[n]);
    return out;
  });
  onProgress?.(1);
  return { rows: typed, columns, rowCount: typed.length };
}

function describe(e: Papa.ParseError): string {
  if (e.code === 'TooFewFields') return 'too few values';
  if (e.code === 'TooManyFields') return 'too many values';
  if (e.code === 'MissingQuotes') return 'a quote is not closed';
  return e.message;
}
