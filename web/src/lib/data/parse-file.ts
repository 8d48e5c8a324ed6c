import { SaidError } from '../said-error.js';
import { convertRows, inferColumns } from '@shared/data/columns.js';
import { sha256Hex } from '@shared/data/hash.js';
import type { DateOrder } from '@shared/data/dates.js';
import type { NumberStyle } from '@shared/data/numbers.js';
import type { ColumnInfo } from '@shared/schema/records.js';
import { decodeBytes, refuseBinary, type EncodingQuestion } from './decode.js';
import { readCsv, type BadRow, type RawTable } from './parse-csv.js';
import { readJson, readJsonLines } from './parse-json.js';

/** The most a file may hold: its parsed rows take several times its size in a phone's memory. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
export const MAX_FILE_ROWS = 1_000_000;

/**
 * The import limit on a phone that says how much memory it has (navigator.deviceMemory, in GB,
 * Chromium only): 16 MB of file per GB, between 8 MB and the 50 MB cap, so a 1 GB phone is
 * refused a file before it runs out of memory reading it.
 */
export function importLimitBytes(deviceMemoryGb?: number): number {
  if (!deviceMemoryGb || !Number.isFinite(deviceMemoryGb)) return MAX_FILE_BYTES;
  return Math.min(MAX_FILE_BYTES, Math.max(8 * 1024 * 1024, deviceMemoryGb * 16 * 1024 * 1024));
}

export type FileFormat = 'csv' | 'json' | 'jsonl';
export type TypedRow = Record<string, string | number | null>;

/** What a person chose in the preview, read again with these. */
export interface ParseChoices {
  encoding?: string;
  separator?: string;
  dateOrder?: DateOrder;
  numberStyles?: Record<string, NumberStyle>;
  dropBadRows?: boolean;
}

export interface ParseOptions extends ParseChoices {
  fileName?: string;
  maxBytes?: number;
  maxRows?: number;
}

export interface ParsedFile {
  rows: TypedRow[];
  columns: ColumnInfo[];
  rowCount: number;
  /** SHA-256 (hex) of the bytes as imported. */
  hash: string;
  source: { format: FileFormat; encoding: string; separator?: string };
  /** Present when the file is not UTF-8 and no encoding was chosen: ask before importing. */
  encodingQuestion?: EncodingQuestion;
  /** Rows left out at the person's request, by line. */
  dropped: BadRow[];
}

const SPREADSHEETS = new Set(['xlsx', 'xls', 'xlsm', 'xlsb', 'ods', 'numbers']);
const NOT_TABLES = new Set(['pdf', 'doc', 'docx', 'odt', 'png', 'jpg', 'jpeg', 'gif', 'webp', 'heic', 'zip', 'gz', 'rar', '7z', 'apk', 'exe', 'mp3', 'mp4']);

function extensionOf(name: string): string {
  const m = /\.([a-z0-9]+)$/i.exec(name);
  return m ? m[1].toLowerCase() : '';
}

/** The format by the file's name, or by its first character when the name does not say. */
export function formatOf(fileName: string, text: string): FileFormat {
  const ext = extensionOf(fileName);
  if (SPREADSHEETS.has(ext)) throw new SaidError('csv_malformed', { key: 'error.fileSpreadsheet', values: { name: fileName } });
  if (NOT_TABLES.has(ext)) throw new SaidError('csv_malformed', { key: 'error.fileNotTable', values: { name: fileName } });
  if (ext === 'json') return 'json';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (['csv', 'tsv', 'txt', 'tab', 'dat'].includes(ext)) return 'csv';
  const start = text.trimStart();
  if (start.startsWith('[')) return 'json';
  if (start.startsWith('{')) {
    const firstLine = start.split('\n', 1)[0].trim();
    return firstLine.endsWith('}') && firstLine !== '{' ? 'jsonl' : 'json';
  }
  return 'csv';
}

/**
 * Read an imported file as a table: refuse it when too large for this phone (before reading)
 * or not text, hash its bytes (SHA-256, the dataset's identity in every run), decode them
 * (decode.ts: a byte-order mark, UTF-8, or a question when neither), read CSV, JSON or JSON
 * Lines, infer column types with the person's choices, and convert the cells. Runs in the import
 * worker, and in Node tests, where Blob, TextDecoder and Web Crypto exist too.
 */
export async function parseFileBlob(blob: Blob, opts: ParseOptions = {}, onProgress?: (fraction: number) => void): Promise<ParsedFile> {
  const maxBytes = opts.maxBytes ?? MAX_FILE_BYTES;
  const maxRows = opts.maxRows ?? MAX_FILE_ROWS;
  const fileName = opts.fileName ?? (blob instanceof File ? blob.name : 'data.csv');
  if (blob.size === 0) throw new SaidError('csv_empty', { key: 'error.fileEmpty' });
  if (blob.size > maxBytes) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MB`;
    throw new SaidError('csv_too_large', { key: 'error.fileTooBig', values: { size: mb(blob.size), max: mb(maxBytes) } });
  }
  const bytes = new Uint8Array(await blob.arrayBuffer());
  refuseBinary(bytes);
  const hash = await sha256Hex(bytes);
  const decoded = decodeBytes(bytes, opts.encoding);
  const text = decoded.text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new SaidError('csv_empty', { key: 'error.fileEmpty' });
  const format = formatOf(fileName, text);
  let table: RawTable & { separator?: string };
  if (format === 'json') table = readJson(text, maxRows);
  else if (format === 'jsonl') table = readJsonLines(text, { maxRows, dropBadRows: opts.dropBadRows });
  else table = readCsv(text, { separator: opts.separator, dropBadRows: opts.dropBadRows, maxRows, onProgress });
  if (table.rows.length === 0) {
    throw new SaidError('csv_empty', { key: table.bad.length ? 'error.fileNoRowsLeft' : 'error.fileHeaderOnly' });
  }
  const columns = inferColumns(table.rows, table.fields, { dateOrder: opts.dateOrder, numberStyles: opts.numberStyles });
  const rows = convertRows(table.rows, columns);
  onProgress?.(1);
  return {
    rows,
    columns,
    rowCount: rows.length,
    hash,
    source: { format, encoding: decoded.encoding, ...(table.separator ? { separator: table.separator } : {}) },
    ...(decoded.question ? { encodingQuestion: decoded.question } : {}),
    dropped: table.bad,
  };
}
