import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryModel, modelVersionOf, predictionOf } from '@shared/monitor/model.testing.js';
import { saltedHash, type PersonalChoice } from '@shared/data/privacy.js';
import type { DatasetMeta, ModelVersion, Prediction } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { saveLocalBlob } from '../db/blobs.js';
import { newId, patchRecord, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { ensureSalt } from '../db/dataset-versions.js';
import { markPersonal } from '../db/dataset-settings.js';
import { logPredictions, versionDays } from '../db/monitoring.js';
import { inProcessServer, type InProcessServer } from '../sync/in-process.testing.js';

// The fairness monitor counts predictions per value of the project's protected attribute. Counted
// before that column was marked personal, its day counts named the groups by the raw values; once
// marked (here, or on another phone and pulled), the counts name them by the salted code the log
// now holds, or hold none of them for `never`, and nothing on the phone keeps a raw value.
const T0 = Date.UTC(2026, 10, 3, 9);
const CLINICS = ['Clinic Alpha', 'Clinic Beta'];
const dataset = (projectId: string): DatasetMeta => ({
  id: newId(),
  projectId,
  name: 'visits',
  fileName: 'visits.csv',
  hash: '0'.repeat(64),
  rowCount: 0,
  columns: [],
  createdAt: T0,
});

async function device(): Promise<{ db: OutpostDb; mv: ModelVersion; datasetId: string }> {
  const db = new OutpostDb(`late-mark-${newId()}`);
  const projectId = (await createProject(db, 'Triage', T0)).id;
  await patchRecord(db, 'projects', projectId, { fairness: { attribute: 'clinic', privileged: CLINICS[0], favourable: 'benign' } }, T0);
  const mv = modelVersionOf(binaryModel, { id: newId(), projectId });
  await db.model_versions.put(mv);
  const datasetId = (await putRecord(db, 'datasets', dataset(projectId), T0)).id;
  return { db, mv, datasetId };
}
const logged = (mv: ModelVersion, n: number): Prediction[] =>
  Array.from({ length: n }, (_, i) => ({ ...predictionOf(mv, { createdAt: T0 + i, inputs: { size: 5, clinic: CLINICS[i % 2] } }), id: newId() }));
const groupTotals = (days: Awaited<ReturnType<typeof versionDays>>) => {
  const out: Record<string, number> = {};
  for (const d of days) for (const [g, counts] of Object.entries(d.groupPredictions)) out[g] = (out[g] ?? 0) + Object.values(counts).reduce((a, b) => a + b, 0);
  return out;
};
async function everything(db: OutpostDb): Promise<string> {
  return JSON.stringify([await db.monitorDays.toArray(), await db.predictions.toArray(), await db.outbox.where('table').equals('predictions').toArray()]);
}

describe('day counts kept before a column was marked personal', () => {
  it.each<[PersonalChoice]>([['hash'], ['never']])(
    'marked %s here: the groups are renamed to their codes (or dropped), counts kept, and sent again',
    async (choice) => {
      const { db, mv, datasetId } = await device();
      const salt = await ensureSalt(db, mv.projectId, T0);
      await logPredictions(db, mv, logged(mv, 6));
      expect(groupTotals(await versionDays(db, mv.id))).toEqual({ [CLINICS[0]]: 3, [CLINICS[1]]: 3 });
      await db.monitorDays.toCollection().modify({ dirty: 0 });

      await markPersonal(db, datasetId, 'clinic', choice, T0 + 1000);
      const codes = await Promise.all(CLINICS.map((c) => saltedHash(salt, c)));
      const days = await versionDays(db, mv.id);
      expect(groupTotals(days)).toEqual(choice === 'hash' ? { [codes[0]]: 3, [codes[1]]: 3 } : {});
      expect(days.every((d) => Object.keys(d.groups).every((g) => (choice === 'hash' ? codes.includes(g) : false)))).toBe(true);
      expect((await db.monitorDays.toArray()).every((r) => r.dirty === 1)).toBe(true);
      expect(days.reduce((n, d) => n + d.predictions, 0)).toBe(6);
      // Predictions logged after the mark add to the same groups.
      await logPredictions(db, mv, logged(mv, 2));
      expect(groupTotals(await versionDays(db, mv.id))).toEqual(choice === 'hash' ? { [codes[0]]: 4, [codes[1]]: 4 } : {});
      for (const raw of CLINICS) expect(await everything(db)).not.toContain(raw);
      db.close();
    },
  );
});

describe('a mark made on another phone reaches this phone’s old log by sync', () => {
  let server: InProcessServer;
  beforeAll(async () => {
    server = await inProcessServer('Late mark');
  });
  afterAll(async () => server.close());

  it('the log, its queue and the day counts of the phone that did not mark are cleaned after the pull; the server holds no raw value', async () => {
    const marker = await server.newDevice('marker');
    const other = await server.newDevice('other');
    const projectId = (await createProject(marker.db, 'Triage', T0)).id;
    await patchRecord(marker.db, 'projects', projectId, { fairness: { attribute: 'clinic', privileged: CLINICS[0], favourable: 'benign' } }, T0);
    const salt = await ensureSalt(marker.db, projectId, T0);
    const datasetId = (await putRecord(marker.db, 'datasets', dataset(projectId), T0)).id;
    await marker.syncUntilDone();
    await other.syncUntilDone();
    expect((await other.db.projects.get(projectId))?.rowSalt).toBe(salt);

    // The other phone predicts before it hears of the mark: its log and counts name the clinics.
    // A version kept on this phone only, its files here (held: never sent, so sync neither fetches nor uploads them).
    const mv = modelVersionOf(binaryModel, { id: newId(), projectId, stage: 'none' });
    await other.db.model_versions.put(mv);
    await saveLocalBlob(other.db, mv.weightsHash, new ArrayBuffer(1), { held: true });
    await logPredictions(other.db, mv, logged(mv, 4));
    expect(await everything(other.db)).toContain(CLINICS[0]);

    await markPersonal(marker.db, datasetId, 'clinic', 'hash', T0 + 1000);
    await marker.syncUntilDone();
    await other.syncUntilDone();

    const codes = await Promise.all(CLINICS.map((c) => saltedHash(salt, c)));
    const log = await other.db.predictions.where('projectId').equals(projectId).toArray();
    expect(log.map((p) => p.inputs.clinic).sort()).toEqual([codes[0], codes[0], codes[1], codes[1]].sort());
    expect(groupTotals(await versionDays(other.db, mv.id))).toEqual({ [codes[0]]: 2, [codes[1]]: 2 });
    for (const raw of CLINICS) expect(await everything(other.db)).not.toContain(raw);
    // Nothing waits to be cleaned, and the counts went to the server again.
    expect(await other.db.kv.where('key').startsWith('privacy:scrub:').count()).toBe(0);
    const serverHeld = JSON.stringify(await server.db.query(`select data from records where org_id = $1 and tbl = 'predictions'`, [server.orgId]));
    expect(serverHeld).toContain(codes[0]);
    for (const raw of CLINICS) expect(serverHeld).not.toContain(raw);
    await marker.close();
    await other.close();
  });
});
