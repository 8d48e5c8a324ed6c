import { OutpostError } from '@shared/errors.js';
import { CsvMessage, type CsvRequest } from './csv-protocol.js';

/** A parsed file as the worker sends it (typed rows, inferred columns, SHA-256 of its bytes), with its name. */
export type ParsedCsv = Omit<Extract<CsvMessage, { type: 'done' }>, 'type'> & { fileName: string };

/** Makes the worker; tests pass an in-process stand-in because Node has no Web Workers. */
export type CsvWorkerFactory = () => Worker;
const csvWorker: CsvWorkerFactory = () => new Worker(new URL('./csv.worker.ts', import.meta.url), { type: 'module' });

/**
 * Parse a CSV file in a worker: typed rows, inferred columns and the SHA-256 of its bytes.
 * Stores nothing; the caller decides where the dataset goes. Rejects with an OutpostError
 * (csv_empty, csv_malformed, csv_too_large) whose message says what to fix.
 */
export function parseCsvFile(
  file: Blob,
  onProgress?: (fraction: number) => void,
  opts: { fileName?: string; createWorker?: CsvWorkerFactory } = {},
): Promise<ParsedCsv> {
  const fileName = opts.fileName ?? (file instanceof File ? file.name : 'data.csv');
  const worker = (opts.createWorker ?? csvWorker)();
  return new Promise<ParsedCsv>((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent) => {
      const parsed = CsvMessage.safeParse(ev.data);
      if (!parsed.success) return reject(new OutpostError('csv_malformed', 'The file reader sent something unexpected. Reload the page and import the file again.'));
      const m = parsed.data;
      if (m.type === 'progress') onProgress?.(m.fraction);
      else if (m.type === 'done') resolve({ fileName, hash: m.hash, rowCount: m.rowCount, rows: m.rows, columns: m.columns });
      else reject(new OutpostError(m.code, m.message));
    };
    worker.onerror = (ev: ErrorEvent) => reject(new OutpostError('csv_malformed', `The file could not be read (${ev.message || 'unknown error'}). Reload the page and try again.`));
    worker.postMessage({ type: 'parse', file } satisfies CsvRequest);
  }).finally(() => worker.terminate());
}
