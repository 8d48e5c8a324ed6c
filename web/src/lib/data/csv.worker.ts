/// <reference lib="webworker" />
import { isOutpostError } from '@shared/errors.js';
import { saidOf } from '../said-error.js';
import { english } from '../i18n/speaking.js';
import type { Message } from '../i18n/catalogue.js';
import { importLimitBytes, parseFileBlob } from './parse-file.js';
import { CsvRequest, type CsvMessage } from './csv-protocol.js';
import type { BadRow } from './parse-csv.js';

// Reading, hashing and parsing a large file happen here so the page never freezes.
const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: CsvMessage) => scope.postMessage(m);

scope.onmessage = async (ev: MessageEvent) => {
  const parsed = CsvRequest.safeParse(ev.data);
  if (!parsed.success) {
    const said = { key: 'data.read.requestOdd' } as const;
    post({ type: 'error', code: 'bad_request', message: english(said), said });
    return;
  }
  const { file, fileName, choices, maxBytes } = parsed.data;
  const memory = (scope.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  try {
    const table = await parseFileBlob(file, { ...choices, fileName, maxBytes: maxBytes ?? importLimitBytes(memory) }, (fraction) => post({ type: 'progress', fraction }));
    post({ type: 'done', ...table });
  } catch (err) {
    const details = isOutpostError(err) ? (err.details as { badRows?: BadRow[]; what?: unknown } | undefined) : undefined;
    const badRows = details?.badRows;
    const notFit = saidOf({ said: details?.what });
    const unread: Message = { key: 'data.read.unreadable', values: { reason: (err as Error)?.message ?? String(err) } };
    const said = isOutpostError(err) ? saidOf(err) : unread;
    post({
      type: 'error',
      code: isOutpostError(err) ? err.code : 'csv_malformed',
      message: isOutpostError(err) ? err.message : english(unread),
      ...(badRows ? { badRows: badRows.slice(0, 10_000) } : {}),
      ...(badRows && notFit ? { notFit } : {}),
      ...(said ? { said } : {}),
    });
  }
};
