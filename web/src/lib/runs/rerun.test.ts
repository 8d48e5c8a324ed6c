import 'fake-indexeddb/auto';
import './runes.testing.js';
import { describe, expect, it } from 'vitest';
import { compareRerun } from '@shared/runs/reproduce.js';
import type { DatasetMeta, Run } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { deleteDataset } from '../db/delete.js';
import { irisProject, useInProcessWorkers } from '../ml/workers.testing.js';
import { loadSample, sampleParams } from '../ml/test-data.js';
import { userMessage } from '../messages.js';
import en from '../i18n/catalogues/en.js';
import { runAgain, type RerunSession } from './rerun.js';

// The real TrainingSession (its runes stood in for by runes.testing.ts) with the real training and
// prediction workers in this thread, on Dexie over fake-indexeddb: "Run again" as the Train tab
// calls it, from the stored run to the new one.
const { TrainingSession } = await import('./training.svelte.js');
const iris = loadSample('iris');

useInProcessWorkers();

async function setUp() {
  const { db, dataset } = await irisProject('rerun', 'Clinic');
  const session = new TrainingSession(db);
  const params = sampleParams(iris, 'classification', 'species', { epochs: 6, seed: 5 });
  const original = (await session.start(dataset, params, 'cpu'))!;
  expect(original.status).toBe('completed');
  return { db, dataset, session, original };
}

/** Everything stored that a refused "Run again" must leave as it was. */
async function stored(db: OutpostDb) {
  return {
    runs: await db.runs.toArray(),
    outbox: await db.outbox.count(),
    datasets: await db.datasets.toArray(),
    versions: await db.dataset_versions.toArray(),
    blobs: await db.blobState.count(),
  };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return userMessage(err);
}

describe('run again', () => {
  it('repeats a run on the same backend with the same figures, and names the run it repeats', async () => {
    const { db, session, original } = await setUp();
    const rerun = (await runAgain(db, session, original.id))!;
    expect(rerun.status).toBe('completed');
    expect(rerun.id).not.toBe(original.id);
    expect((await db.runs.get(rerun.id))?.rerunOf).toBe(original.id);
    expect(rerun).toMatchObject({ datasetVersionId: original.datasetVersionId, backend: 'cpu', params: original.params, split: original.split });
    const r = compareRerun(original, rerun);
    expect(r.verdict).toBe('same');
    expect(r.conditions).toEqual([]);
    // Validation, test and last-round figures were all compared.
    expect(new Set(r.figures.map((f) => f.set))).toEqual(new Set(['validation', 'test', 'lastRound']));
    expect(r.figures.length).toBeGreaterThan(10);

    // The comparison is not blind: a run with another seed is told apart.
    const other = (await session.start((await db.datasets.get(original.datasetId))!, { ...original.params, seed: 6 }, 'cpu'))!;
    const o = compareRerun(original, other);
    expect(o.verdict).not.toBe('same');
    expect(o.conditions.map((c) => c.key)).toEqual(['split', 'seed']);
    db.close();
  });

  it('refuses a run whose dataset was deleted, with the sentence, and stores nothing', async () => {
    const { db, session, original } = await setUp();
    await deleteDataset(db, original.datasetId);
    const before = await stored(db);
    expect(await refusal(runAgain(db, session, original.id))).toBe(en['rerun.datasetGone']);
    expect(await stored(db)).toEqual(before);
    db.close();
  });

  it('refuses a run whose version is not on this device, an unknown run, and a second training at once', async () => {
    const { db, session, original } = await setUp();
    const elsewhere: Run = { ...original, id: newId(), datasetVersionId: newId() };
    await putRecord(db, 'runs', elsewhere);
    const before = await stored(db);
    expect(await refusal(runAgain(db, session, elsewhere.id))).toBe(en['rerun.versionGone']);
    expect(await refusal(runAgain(db, session, newId()))).toBe(en['rerun.runGone']);
    const busy: RerunSession = { running: true, start: () => Promise.reject(new Error('must not start')) };
    expect(await refusal(runAgain(db, busy, original.id))).toBe(en['rerun.busy']);
    expect(await stored(db)).toEqual(before);

    // A version deleted while its dataset stays (a tombstone synced from another device).
    const version = (await db.dataset_versions.get(original.datasetVersionId!))!;
    await putRecord(db, 'dataset_versions', { ...version, deleted: true });
    const tombstoned = await stored(db);
    expect(await refusal(runAgain(db, session, original.id))).toBe(en['rerun.versionGone']);
    expect(await stored(db)).toEqual(tombstoned);
    db.close();
  });

  it('finds an older run’s version by its hash, and refuses when its data has changed since', async () => {
    const { db, original } = await setUp();
    const calls: Parameters<RerunSession['start']>[] = [];
    const recording: RerunSession = {
      running: false,
      start: (...args) => {
        calls.push(args);
        return Promise.resolve(undefined);
      },
    };
    const version = (await db.dataset_versions.get(original.datasetVersionId!))!;
    const older: Run = {
      ...original,
      id: newId(),
      datasetVersionId: undefined,
      datasetHash: version.hash,
      backend: 'webgl',
      checksOverride: { failed: ['x'], at: 0 },
    };
    await putRecord(db, 'runs', older);
    await runAgain(db, recording, older.id);
    expect(calls).toHaveLength(1);
    const [dataset, params, backend, override, options] = calls[0];
    expect((dataset as DatasetMeta).columns).toEqual(version.columns);
    expect([params, backend, override, options]).toEqual([original.params, 'webgl', true, { versionId: version.id, rerunOf: older.id }]);

    const changed: Run = { ...older, id: newId(), datasetHash: 'f'.repeat(64) };
    await putRecord(db, 'runs', changed);
    expect(await refusal(runAgain(db, recording, changed.id))).toBe(en['rerun.dataChanged']);
    expect(calls).toHaveLength(1);
    db.close();
  });

  it('says photo runs cannot be run again yet', async () => {
    const { db, session, original } = await setUp();
    const dataset = (await db.datasets.get(original.datasetId))!;
    await putRecord(db, 'datasets', { ...dataset, images: { column: 'photo', label: 'species', side: 64, labels: ['a', 'b'] } });
    expect(await refusal(runAgain(db, session, original.id))).toBe(en['rerun.photos']);
    db.close();
  });
});
