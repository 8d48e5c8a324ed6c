import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES } from './test-stores.js';
import type { Db } from './db.js';
import { createEnrollmentCode, createOrg, enrollDevice } from './orgs.js';
import { monitorDays, monitorVerdicts, storeMonitorUpload } from './monitors.js';
import { addPrediction, emptySummary } from '@shared/monitor/summary.js';
import { binaryModel, predictionOf } from '@shared/monitor/model.testing.js';
import { T0 } from './fixtures.js';

// Monitor days and verdicts on both stores: the newest copy of a day wins, uploads of one day at
// once both land, another device's or organisation's days stay apart, and the per-device bound holds.
const day = (name: string, n: number) => {
  const s = emptySummary(binaryModel, name);
  for (let i = 0; i < n; i++) addPrediction(s, binaryModel, predictionOf(binaryModel, { createdAt: Date.parse(`${name}T08:00:00Z`) }));
  return s;
};

describe.each(STORES)('monitor days: $name', (factory) => {
  let db: Db & { drop(): Promise<void> };
  beforeAll(async () => {
    db = await factory.open();
  });
  afterAll(async () => db?.drop());

  async function device(orgId: string) {
    const { code } = await createEnrollmentCode(db, orgId, 1, T0);
    const d = await enrollDevice(db, code, 'phone', T0);
    return { id: d.deviceId, orgId: d.orgId };
  }

  it('keeps the newest copy per device and day, lands concurrent copies, and keeps organisations apart', async () => {
    const a = (await createOrg(db, 'A')).org.id;
    const b = (await createOrg(db, 'B')).org.id;
    const [d1, d2, other] = [await device(a), await device(a), await device(b)];
    await Promise.all([1, 2, 3].map((n) => storeMonitorUpload(db, d1, { days: [day('2026-11-01', n)], verdicts: [] })));
    await storeMonitorUpload(db, d1, {
      days: [day('2026-11-01', 7)],
      verdicts: [{ modelVersionId: binaryModel.id, at: T0, state: 'warning', alerts: ['quality'] }],
    });
    await storeMonitorUpload(db, d2, { days: [day('2026-11-01', 2), day('2026-11-02', 4)], verdicts: [] });
    await storeMonitorUpload(db, other, { days: [day('2026-11-01', 9)], verdicts: [] });
    const stored = await monitorDays(db, a);
    expect(stored.map((s) => [s.deviceId === d1.id ? 'd1' : 'd2', s.summary.day, s.summary.predictions]).sort()).toEqual([
      ['d1', '2026-11-01', 7],
      ['d2', '2026-11-01', 2],
      ['d2', '2026-11-02', 4],
    ]);
    expect((await monitorDays(db, b)).map((s) => s.summary.predictions)).toEqual([9]);
    expect((await monitorVerdicts(db, a)).map((v) => v.verdict.state)).toEqual(['warning']);
    expect(await monitorVerdicts(db, b)).toEqual([]);
  });

  it('past its bound a device may still update the days it has, and a new day is refused by name', async () => {
    const d = await device((await createOrg(db, 'Bound')).org.id);
    expect((await storeMonitorUpload(db, d, { days: [day('2026-11-01', 1), day('2026-11-02', 1)], verdicts: [] }, 2)).stored).toBe(2);
    const later = await storeMonitorUpload(db, d, { days: [day('2026-11-02', 5), day('2026-11-03', 1)], verdicts: [] }, 2);
    expect(later.stored).toBe(1);
    expect(later.rejected).toEqual([
      { modelVersionId: binaryModel.id, day: '2026-11-03', message: 'This device already keeps 2 days of counts on the server.' },
    ]);
  });
});
