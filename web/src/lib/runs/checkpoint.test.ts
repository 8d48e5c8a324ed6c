import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Run } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { completedRun } from '../db/fixtures.testing.js';
import { INTERRUPTED_RUN } from '../i18n/run-words.js';
import type { TrainCheckpoint } from '../ml/protocol.js';
import { checkpointKey, getCheckpoint, resumableRuns, saveCheckpoint } from './checkpoint.js';
import { discardInterrupted, holdInterruptedRuns } from './resume.js';

// A checkpoint's life on the device: saved after epochs, offered when the app opens on a run cut
// off, discarded or carried on, and gone once its run has ended or been deleted.
const T0 = Date.UTC(2026, 5, 1);

const checkpoint = (epochs: number): TrainCheckpoint => ({
  weightSpecs: [{ name: 'w0', shape: [2], dtype: 'float32' }],
  weights: Float32Array.from([1, 2]).buffer,
  optimizer: { weightSpecs: [{ name: 'iter', shape: [], dtype: 'int32' }], weights: Int32Array.from([epochs * 4]).buffer },
  epochs: Array.from({ length: epochs }, (_, epoch) => ({ epoch, loss: 1 / (epoch + 1), metric: 0.5 })),
  pipeline: completedRun('p').pipeline!,
  elapsedMs: 1000,
});

async function setUp() {
  const db = new OutpostDb(`checkpoint-${newId()}`);
  const run = async (fields: Partial<Run>) =>
    putRecord(
      db,
      'runs',
      { ...completedRun('p'), status: 'running', startedAt: T0, params: { ...completedRun('p').params, epochs: 20 }, ...fields } as Run,
      T0,
    );
  return { db, run };
}

describe('checkpoints', () => {
  it('keeps one per run, the last saved, with its bytes intact', async () => {
    const { db, run } = await setUp();
    const r = await run({});
    await saveCheckpoint(db, r.id, checkpoint(3), T0 + 1);
    await saveCheckpoint(db, r.id, checkpoint(7), T0 + 2);
    const c = await getCheckpoint(db, r.id);
    expect(c?.epochs).toHaveLength(7);
    expect(c?.at).toBe(T0 + 2);
    expect(Array.from(new Float32Array(c!.weights))).toEqual([1, 2]);
    expect(await db.kv.where('key').startsWith('checkpoint.').count()).toBe(1);
    // A row that does not parse (an older release's, half written) is no checkpoint.
    await db.kv.put({ key: checkpointKey(r.id), value: { epochs: 'seven' } });
    expect(await getCheckpoint(db, r.id)).toBeUndefined();
  });

  it('on opening, offers a cut-off run with a checkpoint and fails the others as before', async () => {
    const { db, run } = await setUp();
    const offered = await run({});
    const bare = await run({});
    const trial = await run({ search: { studyId: 's', trial: 2 } });
    const finished = await run({ status: 'completed' });
    await saveCheckpoint(db, offered.id, checkpoint(7));
    await saveCheckpoint(db, trial.id, checkpoint(2));
    await saveCheckpoint(db, finished.id, checkpoint(20));
    await saveCheckpoint(db, 'gone', checkpoint(1));

    const kept = await holdInterruptedRuns(db, T0 + 10);
    expect([...kept]).toEqual([offered.id]);
    expect((await db.runs.get(offered.id))?.status).toBe('running');
    // Without a checkpoint, or a search's trial (its search asks the trial again): failed, as the app always did.
    for (const id of [bare.id, trial.id]) expect(await db.runs.get(id)).toMatchObject({ status: 'failed', error: INTERRUPTED_RUN });
    // Checkpoints of runs that ended, are not carried on here, or are gone: removed.
    for (const id of [trial.id, finished.id, 'gone']) expect(await getCheckpoint(db, id)).toBeUndefined();
    expect((await resumableRuns(db)).map((r) => [r.run.id, r.checkpoint.epochs.length])).toEqual([[offered.id, 7]]);
  });

  it('a discarded run is failed as interrupted and its checkpoint removed', async () => {
    const { db, run } = await setUp();
    const r = await run({});
    await saveCheckpoint(db, r.id, checkpoint(7));
    await discardInterrupted(db, r.id, T0 + 5);
    expect(await db.runs.get(r.id)).toMatchObject({ status: 'failed', error: INTERRUPTED_RUN, finishedAt: T0 + 5 });
    expect(await getCheckpoint(db, r.id)).toBeUndefined();
    expect(await resumableRuns(db)).toEqual([]);
  });

  it('a deleted run’s checkpoint goes at the next opening', async () => {
    const { db, run } = await setUp();
    const r = await run({});
    await saveCheckpoint(db, r.id, checkpoint(4));
    await putRecord(db, 'runs', { ...(await db.runs.get(r.id))!, deleted: true });
    expect(await resumableRuns(db)).toEqual([]);
    await holdInterruptedRuns(db, T0 + 10);
    expect(await getCheckpoint(db, r.id)).toBeUndefined();
  });
});
