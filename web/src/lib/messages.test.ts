import { describe, expect, it } from 'vitest';
import Dexie from 'dexie';
import { OutpostError } from '@shared/errors.js';
import { userMessage } from './messages.js';
import { SyncError } from './sync/transport.js';

describe('userMessage', () => {
  it('gives every screen a sentence: sync errors as the engine words them, storage trouble without internals', () => {
    const busy = new SyncError('rate_limited', 'Too many requests', true);
    expect(userMessage(busy)).toMatch(/server is busy/);
    expect(userMessage(new SyncError('enrollment_code_invalid', 'That enrollment code is not valid. Check it with your coordinator.', false))).toBe(
      'That enrollment code is not valid. Check it with your coordinator.',
    );
    expect(userMessage(new OutpostError('csv_empty', 'The file is empty.'))).toBe('The file is empty.');
    const full = new Dexie.AbortError('Transaction aborted', new DOMException('quota', 'QuotaExceededError'));
    expect(userMessage(full)).toMatch(/out of storage space.*Nothing already saved was lost/);
    const closed = new Dexie.DatabaseClosedError('Database has been closed');
    expect(userMessage(closed)).toMatch(/^This device could not read or save its data \(DatabaseClosedError\)\. Reload the page/);
    expect(userMessage(new Error('Give the project a name.'))).toBe('Give the project a name.');
  });
});
