import { OutpostError } from '@shared/errors.js';
import { SaidError, saidOf } from '../said-error.js';
import { CsvMessage, type CsvRequest } from './csv-protocol.js';
import type { ParseChoices } from './parse-file.js';
import { encodingLabel } from './decode.js';
import { ENCODING_WORDS } from './separators.js';
import { BadRowsError, type BadRow } from './parse-csv.js';
import { english, sayNow } from '../i18n/speaking.js';
import type { Message } from '../i18n/catalogue.js';

/**
 * An error whose message's values are said by the page when it is made (`sayNow`: an encoding's
 * name, each left-out row), so every screen's `userMessage` shows it in the language on screen;
 * its `message` stays English, said the same way by `english`.
 */
class SaidHereError extends SaidError {
  constructor(code: ConstructorParameters<typeof SaidError>[0], build: (say: (m: Message) => string) => Message, details?: unknown) {
    super(code, build(sayNow), details);
    this.message = english(build(english));
  }
}

/** The message a worker sent, if it names a key of the catalogues. */
const known = (m: unknown): Message | undefined => saidOf({ said: m });

/** Rows from the worker with their reasons as messages (a reason whose key is unknown keeps its English). */
const rowsOf = (rows: { line: number; reason: string; said?: unknown }[]): BadRow[] =>
  rows.map((r) => {
    const said = known(r.said);
    return said ? { line: r.line, reason: r.reason, said } : { line: r.line, reason: r.reason };
  });

/** A parsed file as the worker sends it (typed rows, inferred columns, SHA-256 of its bytes, how it was read), with its name. */
export type ParsedCsv = Omit<Extract<CsvMessage, { type: 'done' }>, 'type' | 'dropped'> & { fileName: string; dropped: BadRow[] };
export type { ParseChoices };

/** Makes the worker; tests pass an in-process stand-in because Node has no Web Workers. */
export type CsvWorkerFactory = () => Worker;
const csvWorker: CsvWorkerFactory = () => new Worker(new URL('./csv.worker.ts', import.meta.url), { type: 'module' });

export interface ParseFileOptions {
  fileName?: string;
  createWorker?: CsvWorkerFactory;
  /** What the person chose in the preview (encoding, separator, date order, number styles, leaving bad rows out). */
  choices?: ParseChoices;
  /**
   * Resolve even when the file is not UTF-8 and no encoding was chosen, with `encodingQuestion`
   * set, for a screen that asks. Otherwise such a file is refused with a sentence.
   */
  askEncoding?: boolean;
  maxBytes?: number;
}

/**
 * Parse a CSV, JSON or JSON Lines file in a worker: typed rows, inferred columns, the SHA-256 of
 * its bytes and how it was read. Stores nothing; the caller decides where the dataset goes.
 * Rejects with an OutpostError (csv_empty, csv_malformed, csv_too_large) whose message says what
 * to fix; rows that do not fit come back in its details as `badRows` (line and reason).
 */
export function parseCsvFile(file: Blob, onProgress?: (fraction: number) => void, opts: ParseFileOptions = {}): Promise<ParsedCsv> {
  const fileName = opts.fileName ?? (file instanceof File ? file.name : 'data.csv');
  const worker = (opts.createWorker ?? csvWorker)();
  return new Promise<ParsedCsv>((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent) => {
      const parsed = CsvMessage.safeParse(ev.data);
      if (!parsed.success) return reject(new SaidError('csv_malformed', { key: 'error.readerOdd' }));
      const m = parsed.data;
      if (m.type === 'progress') onProgress?.(m.fraction);
      else if (m.type === 'done') {
        const { type: _, ...table } = m;
        if (m.encodingQuestion && !opts.askEncoding) {
          const id = m.encodingQuestion.suggested;
          const words = ENCODING_WORDS[id];
          return reject(
            new SaidHereError('csv_malformed', (say) => ({
              key: 'error.notUtf8',
              values: { encoding: words ? say({ key: words }) : encodingLabel(id) },
            })),
          );
        }
        resolve({ fileName, ...table, dropped: rowsOf(table.dropped) });
      } else {
        // The worker's sentence in the person's language when it sent one as a message.
        const notFit = known(m.notFit);
        if (m.badRows && notFit) return reject(new BadRowsError(rowsOf(m.badRows), notFit, sayNow));
        const said = saidOf(m);
        const details = m.badRows ? { badRows: rowsOf(m.badRows) } : undefined;
        reject(said ? new SaidError(m.code, said, details) : new OutpostError(m.code, m.message, details));
      }
    };
    worker.onerror = (ev: ErrorEvent) => reject(new SaidError('csv_malformed', { key: 'error.readerStopped', values: { reason: ev.message || 'unknown error' } }));
    worker.postMessage({ type: 'parse', file, fileName, choices: opts.choices, maxBytes: opts.maxBytes } satisfies CsvRequest);
  }).finally(() => worker.terminate());
}
