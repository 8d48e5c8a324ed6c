import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { ModelVersion, Prediction } from '@shared/schema/records.js';
import { binaryModel, modelVersionOf, predictionOf } from '@shared/monitor/model.testing.js';
import { dayOf } from '@shared/monitor/summary.js';
import { OutpostDb } from './db.js';
import { newId } from './mutate.js';
import { giveBackAfterReset } from '../sync/reset.js';
import {
  countsNeedRebuild,
  logPredictions,
  markDaysSent,
  outcomeHistory,
  rebuildCounts,
  recordOutcomes,
  unsentDays,
  versionDays,
  waitingForOutcome,
  countOutcome,
} from './monitoring.js';

const T0 = Date.UTC(2026, 10, 3, 9);
const version: ModelVersion = modelVersionOf(binaryModel, { createdAt: T0 });

async function fresh() {
  const db = new OutpostDb(`monitoring-${newId()}`);
  await db.model_versions.put(version);
  await db.projects.put({
    id: version.projectId,
    name: 'p',
    description: '',
    createdAt: T0,
    fairness: { attribute: 'clinic', privileged: 'north', favourable: 'benign' },
  });
  return db;
}
const pred = (fields: Partial<Prediction> = {}) => ({ ...predictionOf(version, { createdAt: T0, ...fields }), id: newId() });

describe('monitor counts on the device', () => {
  it('logging predictions counts them into their day, queued for sync with the day marked unsent', async () => {
    const db = await fresh();
    await logPredictions(db, version, [pred(), pred({ createdAt: T0 + 86_400_000 }), pred({ inputs: { size: null, clinic: 'south' } })]);
    const days = await versionDays(db, version.id);
    expect(days.map((d) => [d.day, d.predictions])).toEqual([
      [dayOf(T0), 2],
      [dayOf(T0 + 86_400_000), 1],
    ]);
    expect(days[0].inputs.size.missing).toBe(1);
    expect(days[0].groupAttribute).toBe('clinic');
    expect(await db.outbox.count()).toBe(3);
    const unsent = await unsentDays(db);
    expect(unsent).toHaveLength(2);
    await markDaysSent(db, unsent);
    expect(await unsentDays(db)).toHaveLength(0);
  });

  it('an outcome counts once; recorded again, the later one counts and both are kept; a wrong label is refused with a sentence', async () => {
    const db = await fresh();
    const p = pred({ output: { label: 'malignant', probabilities: { benign: 0.1, malignant: 0.9 } } });
    await logPredictions(db, version, [p]);
    const first = await recordOutcomes(db, version.projectId, [{ predictionId: p.id, value: ' Benign ', source: 'log' }], T0 + 10);
    expect(first).toEqual({ recorded: 1, waiting: 0, refused: [] });
    let [day] = await versionDays(db, version.id);
    expect(day.confusion).toEqual([
      [0, 1],
      [0, 0],
    ]);
    await recordOutcomes(db, version.projectId, [{ predictionId: p.id, value: 'malignant', source: 'follow_up' }], T0 + 20);
    [day] = await versionDays(db, version.id);
    expect(day.confusion).toEqual([
      [0, 0],
      [0, 1],
    ]);
    expect(day.outcomes).toBe(1);
    expect((await outcomeHistory(db, p.id)).map((o) => o.value)).toEqual(['malignant', 'benign']);
    const bad = await recordOutcomes(db, version.projectId, [{ predictionId: p.id, value: 'maybe', source: 'csv' }]);
    expect(bad.refused[0].message).toMatch(/not one of this model's answers: use “benign”, “malignant”/);
    // Two outcomes and the prediction wait in the outbox; the refused one was never stored.
    expect(await db.outcomes.count()).toBe(2);
  });

  it('an outcome for a prediction made elsewhere waits; a pulled copy of an outcome already here is not counted twice', async () => {
    const db = await fresh();
    const report = await recordOutcomes(db, version.projectId, [{ predictionId: 'made-on-another-phone', value: 'benign', source: 'csv' }]);
    expect(report).toEqual({ recorded: 0, waiting: 1, refused: [] });
    const p = pred();
    await logPredictions(db, version, [p]);
    await recordOutcomes(db, version.projectId, [{ predictionId: p.id, value: 'benign', source: 'log' }], T0 + 5);
    const own = (await outcomeHistory(db, p.id))[0];
    await db.transaction('rw', [db.outcomes, db.predictions, db.monitorDays, db.model_versions], () => countOutcome(db, own));
    const [day] = await versionDays(db, version.id);
    expect(day.outcomes).toBe(1);
    // An outcome recorded on another device for this device's prediction, pulled: it counts.
    const elsewhere = { ...own, id: newId(), value: 'malignant', recordedAt: T0 + 50 };
    await db.transaction('rw', [db.outcomes, db.predictions, db.monitorDays, db.model_versions], async () => {
      await countOutcome(db, elsewhere);
      await db.outcomes.put(elsewhere);
    });
    const [after] = await versionDays(db, version.id);
    expect(after.confusion).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });

  it('the follow-up list is the oldest predictions without an outcome, failed ones left out, across pages', async () => {
    const db = await fresh();
    const many = Array.from({ length: 450 }, (_, i) => pred({ createdAt: T0 + Math.floor(i / 300) }));
    await logPredictions(db, version, many);
    await logPredictions(db, version, [pred({ createdAt: T0 - 5, output: {}, error: 'failed' })]);
    const answered = many.slice(0, 260).map((p) => ({ predictionId: p.id, value: 'benign', source: 'log' as const }));
    await recordOutcomes(db, version.projectId, answered);
    const waiting = await waitingForOutcome(db, version.projectId, 30);
    const expected = [...many]
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .filter((p) => !answered.some((a) => a.predictionId === p.id));
    expect(waiting.map((p) => p.id)).toEqual(expected.slice(0, 30).map((p) => p.id));
  });

  it('counts rebuilt from the log equal the counts kept as it grew; a changed protected attribute asks for a rebuild', async () => {
    const db = await fresh();
    const ps = Array.from({ length: 40 }, (_, i) => pred({ createdAt: T0 + (i % 3) * 86_400_000, inputs: { size: i, clinic: ['north', 'east'][i % 2] } }));
    await logPredictions(db, version, ps);
    await recordOutcomes(
      db,
      version.projectId,
      ps.slice(0, 25).map((p, i) => ({ predictionId: p.id, value: i % 3 ? 'benign' : 'malignant', source: 'log' as const })),
    );
    const kept = await versionDays(db, version.id);
    expect(await countsNeedRebuild(db, version)).toBe(false);
    await db.monitorDays.clear();
    expect(await countsNeedRebuild(db, version)).toBe(true);
    const progress: number[] = [];
    await rebuildCounts(db, version, (f) => progress.push(f));
    expect(await versionDays(db, version.id)).toEqual(kept);
    expect(progress.at(-1)).toBe(1);
    await db.projects.update(version.projectId, { fairness: { attribute: 'sex', privileged: 'f', favourable: 'benign' } });
    expect(await countsNeedRebuild(db, version)).toBe(true);
  });

  it('a project that keeps inputs on the device sends its predictions without them, after a server reset too; the device keeps them', async () => {
    const db = await fresh();
    await db.projects.update(version.projectId, { shareInputs: false });
    const p = pred({ inputs: { size: 7, clinic: 'north' }, attributes: { sex: 'f' } });
    await logPredictions(db, version, [p]);
    const [queued] = await db.outbox.toArray();
    expect(queued.fields.inputs).toEqual({});
    expect('attributes' in queued.fields).toBe(false);
    expect(queued.fields.output).toEqual(p.output);
    expect((await db.predictions.get(p.id))?.inputs).toEqual({ size: 7, clinic: 'north' });
    await db.outbox.clear();
    await giveBackAfterReset(db, 'device-1');
    const again = (await db.outbox.toArray()).find((r) => r.table === 'predictions')!;
    expect(again.fields.inputs).toEqual({});
  });
});
