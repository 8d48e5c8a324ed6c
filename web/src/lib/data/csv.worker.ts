/// <reference lib="webworker" />
import { z } from 'zod';
import { sha256Hex } from '../../../../shared/src/data/hash.js';
import { isOutpostError, OutpostError } from '../../../../shared/src/errors.js';
import { MAX_CSV_BYTES, parseCsvText } from './parse-csv.js';

// Reading and parsing a large file happens here so the page never freezes.
const Request = z.object({ file: z.instanceof(Blob) });
const post = (m: unknown) => (self as DedicatedWorkerGlobalScope).postMessage(m);

self.onmessage = async (ev: MessageEvent) => {
  try {
    const { file } = Request.parse(ev.data);
    if (file.size > MAX_CSV_BYTES) {
      throw new OutpostError('csv_too_large', `The file is ${(file.size / 1024 / 1024).toFixed(0)} MB; Outpost imports up to ${MAX_CSV_BYTES / 1024 / 1024} MB. Split it or take a sample.`);
    }
    const bytes = await file.arrayBuffer();
    const hash = await sha256Hex(bytes);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new OutpostError('csv_malformed', 'The file is not text (UTF-8). Export it from your spreadsheet as “CSV UTF-8” and try again.');
    }
    const table = parseCsvText(text.replace(/^\uFEFF/, ''), (fraction) => post({ type: 'progress', fraction }));
    post({ type: 'done', hash, ...table });
  } catch (err) {
    post({ type: 'error', code: isOutpostError(err) ? err.code : 'csv_malformed', message: isOutpostError(err) ? err.message : `The file could not be read: ${(err as Error).message}` });
  }
};
