import { z } from 'zod';
import { ColumnInfo } from '../../../../shared/src/schema/records.js';
import { OutpostError, type ErrorCode } from '../../../../shared/src/errors.js';

export interface ParsedCsv {
  fileName: string;
  hash: string;
  rowCount: number;
  rows: Record<string, string | number | null>[];
  columns: ColumnInfo[];
}

const Message = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), fraction: z.number() }),
  z.object({
    type: z.literal('done'),
    hash: z.string(),
    rowCount: z.number(),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
    columns: z.array(ColumnInfo),
  }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
]);

/** Parse a CSV file in a worker: rows, inferred columns and the SHA-256 of its bytes. Stores nothing. */
export function parseCsvFile(file: File, onProgress?: (fraction: number) => void): Promise<ParsedCsv> {
  const worker = new Worker(new URL('./csv.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<ParsedCsv>((resolve, reject) => {
    worker.onmessage = (ev) => {
      const parsed = Message.safeParse(ev.data);
      if (!parsed.success) return reject(new OutpostError('csv_malformed', 'The file reader sent something unexpected.'));
      const m = parsed.data;
      if (m.type === 'progress') onProgress?.(m.fraction);
      else if (m.type === 'done') resolve({ fileName: file.name, hash: m.hash, rowCount: m.rowCount, rows: m.rows, columns: m.columns });
      else reject(new OutpostError(m.code as ErrorCode, m.message));
    };
    worker.onerror = (ev) => reject(new OutpostError('csv_malformed', `The file could not be read: ${ev.message || 'unknown error'}.`));
    worker.postMessage({ file });
  }).finally(() => worker.terminate());
}
