import { z } from 'zod';
import { ColumnInfo } from '@shared/schema/records.js';
import { ErrorCodeSchema } from '../ml/error-code.js';

/** Messages between the main thread and the CSV worker; each side parses what it receives. */
export const CsvRequest = z.object({ type: z.literal('parse'), file: z.instanceof(Blob) });
export type CsvRequest = z.infer<typeof CsvRequest>;

export const CsvMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), fraction: z.number().min(0).max(1) }),
  z.object({
    type: z.literal('done'),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    rowCount: z.number().int().nonnegative(),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
    columns: z.array(ColumnInfo),
  }),
  z.object({ type: z.literal('error'), code: ErrorCodeSchema, message: z.string() }),
]);
export type CsvMessage = z.infer<typeof CsvMessage>;
