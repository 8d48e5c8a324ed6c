import { z } from 'zod';
import { ColumnInfo } from '@shared/schema/records.js';
import { ErrorCodeSchema } from '../ml/error-code.js';

/** A sentence as a catalogue message (key and values), so the page says it in the person's language. */
const Said = z.object({ key: z.string(), values: z.record(z.string(), z.union([z.string(), z.number()])).optional() });

/** Messages between the main thread and the import worker; each side parses what it receives. */
const BadRow = z.object({ line: z.number().int().positive(), reason: z.string(), said: Said.optional() });

type TypedRow = Record<string, string | number | null>;
/**
 * The rows, checked with one loop rather than a schema per cell: a 100,000-row file took 140 ms
 * of the main thread through z.record, and the check is the same (objects of text, numbers, null).
 */
const TypedRows = z.custom<TypedRow[]>((v) => {
  if (!Array.isArray(v)) return false;
  for (const row of v) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) return false;
    for (const key in row) {
      const cell = (row as Record<string, unknown>)[key];
      if (cell !== null && typeof cell !== 'string' && typeof cell !== 'number') return false;
    }
  }
  return true;
}, 'rows of text, numbers and empty values');

export const ParseChoices = z.object({
  encoding: z.string().max(40).optional(),
  separator: z.string().max(4).optional(),
  dateOrder: z.enum(['dmy', 'mdy']).optional(),
  numberStyles: z.record(z.string(), z.enum(['point', 'comma', 'thousands'])).optional(),
  dropBadRows: z.boolean().optional(),
});

export const CsvRequest = z.object({
  type: z.literal('parse'),
  file: z.instanceof(Blob),
  fileName: z.string().max(300).optional(),
  choices: ParseChoices.optional(),
  maxBytes: z.number().int().positive().optional(),
});
export type CsvRequest = z.infer<typeof CsvRequest>;

export const CsvMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), fraction: z.number().min(0).max(1) }),
  z.object({
    type: z.literal('done'),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    rowCount: z.number().int().nonnegative(),
    rows: TypedRows,
    columns: z.array(ColumnInfo),
    source: z.object({ format: z.enum(['csv', 'json', 'jsonl']), encoding: z.string(), separator: z.string().optional() }),
    encodingQuestion: z.object({ suggested: z.string(), accents: z.array(z.string()), words: z.array(z.string()) }).optional(),
    dropped: z.array(BadRow),
  }),
  z.object({
    type: z.literal('error'),
    code: ErrorCodeSchema,
    message: z.string(),
    badRows: z.array(BadRow).optional(),
    /** With `badRows`: what to do about them, as a message (the page says the whole sentence again from both). */
    notFit: Said.optional(),
    /** The sentence as a catalogue message (a SaidError's), so the page says it in the person's language. */
    said: Said.optional(),
  }),
]);
export type CsvMessage = z.infer<typeof CsvMessage>;
