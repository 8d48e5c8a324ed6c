import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saltedHash } from '@shared/data/privacy.js';
import { addPrediction, emptySummary, type SummaryModel } from '@shared/monitor/summary.js';
import { binaryModel, predictionOf } from '@shared/monitor/model.testing.js';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { applyPush, type DeviceRef } from './sync.js';
import { monitorDays, storeMonitorUpload } from './monitors.js';
import { change, insertRecord, modelVersion, project, stamp, T0 } from './fixtures.js';

// Day counts name a fairness attribute's groups by typed values. Once the column is marked
// personal the server's copies follow the mark, whether the phone that counted them ever syncs
// again or not, and a day still sent with the names from before the mark is cleaned as it arrives.
const SALT = 'ab'.repeat(16);
const VILLAGES = ['Kano', 'Zaria', 'Kano', 'Dutse'];

function dayWithGroups(m: SummaryModel, date: string) {
  const s = emptySummary(m, date, 'village');
  for (const v of VILLAGES) addPrediction(s, m, predictionOf(m, { createdAt: Date.parse(`${date}T08:00:00Z`), attributes: { village: v } }));
  return s;
}
const groupNames = (s: { groups: object; groupPredictions: object }) => [...new Set([...Object.keys(s.groups), ...Object.keys(s.groupPredictions)])].sort();

describe.each(STORES)('day counts and personal marks: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  let orgId: string;
  const devices: DeviceRef[] = [];
  const other: SummaryModel = { ...binaryModel, id: 'mv-other', projectId: 'p2' };
  beforeAll(async () => {
    db = await factory.open();
    orgId = (await createOrg(db, 'Days')).org.id;
    for (const name of ['lost phone', 'late phone', 'marking phone']) {
      const { code } = await createEnrollmentCode(db, orgId, 1, T0);
      const d = await enrollDevice(db, code, name, T0);
      devices.push({ id: d.deviceId, orgId });
    }
    await insertRecord(db, orgId, 'projects', 'p1', { ...project('p1'), rowSalt: SALT });
    await insertRecord(db, orgId, 'projects', 'p2', project('p2'));
    for (const [id, projectId] of [
      ['d1', 'p1'],
      ['d2', 'p2'],
    ])
      await insertRecord(db, orgId, 'datasets', id, {
        id,
        projectId,
        name: 'Visits',
        fileName: 'v.csv',
        hash: 'a'.repeat(64),
        rowCount: 1,
        columns: [],
        createdAt: T0,
      });
    await insertRecord(db, orgId, 'model_versions', binaryModel.id, { ...modelVersion(binaryModel.id, 'c'.repeat(64)), projectId: 'p1' });
    await insertRecord(db, orgId, 'model_versions', other.id, { ...modelVersion(other.id, 'd'.repeat(64)), projectId: 'p2' });
  });
  afterAll(async () => db?.drop());

  it("a phone that never syncs again: its stored days take the salted codes when the column is marked 'hash'", async () => {
    const [lost, , marking] = devices;
    await storeMonitorUpload(db, lost, { days: [dayWithGroups(binaryModel, '2026-11-20')], verdicts: [] });
    expect(groupNames((await monitorDays(db, orgId, binaryModel.id))[0].summary)).toEqual(['Dutse', 'Kano', 'Zaria']);

    const r = await applyPush(db, marking, 1, [change('datasets', 'd1', { personal: { village: 'hash' } }, stamp(T0 + 1000))], T0);
    expect(r).toMatchObject({ applied: 1, rejected: [] });
    const [stored] = await monitorDays(db, orgId, binaryModel.id);
    const code = (v: string) => saltedHash(SALT, v);
    expect(groupNames(stored.summary)).toEqual([await code('Dutse'), await code('Kano'), await code('Zaria')].sort());
    // The counts move with their names: Kano's two predictions are under its code.
    const kano = stored.summary.groupPredictions[await code('Kano')];
    expect(Object.values(kano).reduce((a, b) => a + b, 0)).toBe(2);
    expect(JSON.stringify(await db.query(`select data from monitor_days where org_id = $1`, [orgId]))).not.toMatch(/Kano|Zaria|Dutse/);
  });

  it('a day sent after the mark with the names from before it is stored under the codes', async () => {
    const late = devices[1];
    await storeMonitorUpload(db, late, { days: [dayWithGroups(binaryModel, '2026-11-21')], verdicts: [] });
    const day = (await monitorDays(db, orgId, binaryModel.id)).find((d) => d.summary.day === '2026-11-21')!;
    expect(groupNames(day.summary)).toEqual([await saltedHash(SALT, 'Dutse'), await saltedHash(SALT, 'Kano'), await saltedHash(SALT, 'Zaria')].sort());
  });

  it("a column marked 'never' drops the groups and their counts, in stored and arriving days; other projects keep theirs", async () => {
    const [lost, late, marking] = devices;
    await storeMonitorUpload(db, lost, { days: [dayWithGroups(other, '2026-11-20')], verdicts: [] });
    await applyPush(db, marking, 2, [change('datasets', 'd2', { personal: { village: 'never' } }, stamp(T0 + 2000))], T0);
    await storeMonitorUpload(db, late, { days: [dayWithGroups(other, '2026-11-21')], verdicts: [] });
    const days = await monitorDays(db, orgId, other.id);
    expect(days).toHaveLength(2);
    for (const d of days) {
      expect(groupNames(d.summary)).toEqual([]);
      // The day's own totals are kept: only the groups go.
      expect(d.summary.predictions).toBe(VILLAGES.length);
    }
  });
});
