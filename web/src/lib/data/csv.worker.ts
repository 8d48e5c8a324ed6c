/// <reference lib="webworker" />
import { isOutpostError } from '@shared/errors.js';
import { parseCsvBlob } from './parse-csv.js';
import { CsvRequest, type CsvMessage } from './csv-protocol.js';

// Reading, hashing and parsing a large file happen here so the page never freezes.
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: CsvMessage) => scope.postMessage(m);

scope.onmessage = async (ev: MessageEvent) => {
  const parsed = CsvRequest.safeParse(ev.data);
  if (!parsed.success) {
    post({ type: 'error', code: 'bad_request', message: 'The file reader got a request it does not understand. Reload the page and try again.' });
    return;
  }
  try {
    const table = await parseCsvBlob(parsed.data.file, (fraction) => post({ type: 'progress', fraction }));
    post({ type: 'done', ...table });
  } catch (err) {
    post({
      type: 'error',
      code: isOutpostError(err) ? err.code : 'csv_malformed',
      message: isOutpostError(err) ? err.message : `The file could not be read (${(err as Error).message}). Check that it is a CSV file and try again.`,
    });
  }
};
