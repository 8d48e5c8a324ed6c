import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from './projects.js';
import { projectRuns, saveRunNotes } from './runs.js';
import { putRecord } from './mutate.js';
import { completedRun } from './fixtures.testing.js';
import { inProcessServer, type InProcessServer } from '../sync/in-process.testing.js';
import type { HeadlessDevice } from '../sync/headless.js';

// Tags and a note written on one phone reach another through the real server (PGlite in memory):
// the server's push checks accept the fields, and a later note on the other phone wins.
let srv: InProcessServer;
let a: HeadlessDevice;
let b: HeadlessDevice;

beforeAll(async () => {
  srv = await inProcessServer('Run notes');
  a = await srv.newDevice('A');
  b = await srv.newDevice('B');
}, 60_000);
afterAll(async () => {
  await a.close();
  await b.close();
  await srv.close();
});

describe('tags and notes on runs', () => {
  it('are queued, pushed, accepted and pulled by another device; a later edit there comes back', async () => {
    const p = await createProject(a.db, 'Notes');
    const run = await putRecord(a.db, 'runs', completedRun(p.id));
    await saveRunNotes(a.db, run.id, { tags: 'clinic, night shift, Clinic', note: '  Smaller batch than usual.  ' });
    expect(await a.db.runs.get(run.id)).toMatchObject({ tags: ['clinic', 'night shift'], note: 'Smaller batch than usual.', status: 'completed' });
    expect((await a.db.outbox.toArray()).at(-1)).toMatchObject({
      table: 'runs',
      id: run.id,
      fields: { tags: ['clinic', 'night shift'], note: 'Smaller batch than usual.' },
    });

    await a.syncUntilDone();
    expect(await a.db.outbox.count()).toBe(0);
    await b.syncUntilDone();
    const there = await projectRuns(b.db, p.id);
    expect(there).toHaveLength(1);
    expect(there[0]).toMatchObject({ id: run.id, tags: ['clinic', 'night shift'], note: 'Smaller batch than usual.' });

    await saveRunNotes(b.db, run.id, { tags: '', note: 'Checked: fine.' });
    await b.syncUntilDone();
    await a.syncUntilDone();
    expect(await a.db.runs.get(run.id)).toMatchObject({ tags: [], note: 'Checked: fine.', status: 'completed' });
  });

  it('refuses a run this device does not hold', async () => {
    await expect(saveRunNotes(a.db, 'no-such-run', { tags: 'x', note: '' })).rejects.toThrow(/No runs record/);
  });
});
