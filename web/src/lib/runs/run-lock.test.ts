import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { completedRun } from '../db/fixtures.testing.js';
import { holdRunLock, runsTrainingNow } from './run-lock.js';
import { holdInterruptedRuns } from './resume.js';

/** Web Locks as the browser keeps them for one origin: exclusive, queued, freed when the holder's promise settles. */
function fakeLocks() {
  const held = new Map<string, Promise<unknown>>();
  return {
    async request(name: string, fn: () => Promise<unknown>) {
      while (held.has(name)) await held.get(name);
      const p = fn();
      held.set(name, p);
      try {
        return await p;
      } finally {
        held.delete(name);
      }
    },
    async query() {
      return { held: [...held.keys()].map((name) => ({ name, mode: 'exclusive' as const, clientId: 'tab' })), pending: [] };
    },
  } as unknown as Pick<LockManager, 'request' | 'query'>;
}

describe('the lock a training holds', () => {
  it('names the run while it trains, and not once it is freed', async () => {
    const locks = fakeLocks();
    const free = await holdRunLock('r1', locks);
    expect(await runsTrainingNow(locks)).toEqual(new Set(['r1']));
    free();
    await new Promise((r) => setTimeout(r, 0));
    expect(await runsTrainingNow(locks)).toEqual(new Set());
    expect(await runsTrainingNow(undefined)).toEqual(new Set());
  });

  it('keeps a run another tab is training from being marked cut off when this tab opens', async () => {
    const locks = fakeLocks();
    const db = new OutpostDb(`run-lock-${newId()}`);
    const alive = { ...completedRun('p'), status: 'running' as const, startedAt: 1 };
    const cutOff = { ...completedRun('p'), status: 'running' as const, startedAt: 1 };
    await putRecord(db, 'runs', alive);
    await putRecord(db, 'runs', cutOff);
    const free = await holdRunLock(alive.id, locks);
    const nav = globalThis.navigator as unknown as { locks?: unknown };
    const before = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: { ...nav, locks }, configurable: true });
    try {
      const offered = await holdInterruptedRuns(db, 10);
      expect(offered.has(alive.id)).toBe(false);
      expect((await db.runs.get(alive.id))?.status).toBe('running');
      expect((await db.runs.get(cutOff.id))?.status).toBe('failed');
    } finally {
      if (before) Object.defineProperty(globalThis, 'navigator', before);
      free();
    }
  });
});
