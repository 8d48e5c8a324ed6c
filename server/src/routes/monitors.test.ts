// Monitor uploads and the console's fleet monitoring through app.request(): bad days are refused
// one by one, a re-sent day replaces its copy, and the console draws what the devices sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createEnrollmentCode, createOrg } from '../store/orgs.js';
import { PROTOCOL, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import { addOutcome, addPrediction, emptySummary } from '@shared/monitor/summary.js';
import { binaryModel, modelVersionOf, predictionOf } from '@shared/monitor/model.testing.js';
import { T0, insertRecord } from '../store/fixtures.js';
import { consoleSignIn } from '../testing/console-client.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;
let adminKey: string;
let token: string;
const headers = () => ({ authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(PROTOCOL.version), 'content-type': 'application/json' });
// An id a form or link must encode: it reaches the page only through encodeURIComponent.
const VERSION_ID = 'mv/../codes?x';

function day(name: string, rows: number, right: number) {
  const m = { ...binaryModel, id: VERSION_ID };
  const s = emptySummary(m, name, 'clinic');
  for (let i = 0; i < rows; i++) {
    const p = predictionOf(m, { createdAt: Date.parse(`${name}T10:00:00Z`), inputs: { size: i, clinic: i % 2 ? 'north' : 'south' } });
    addPrediction(s, m, p);
    addOutcome(s, m, p, i < right ? 'benign' : 'malignant');
  }
  return s;
}

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'x'.repeat(20), version: 't' }, now: () => T0 });
  const made = await createOrg(db, 'Monitors');
  orgId = made.org.id;
  adminKey = made.adminKey;
  const { code } = await createEnrollmentCode(db, orgId, 1, T0);
  const res = await app.request('/api/enroll', {
    method: 'POST',
    body: JSON.stringify({ code, deviceName: 'ward tablet' }),
    headers: { 'content-type': 'application/json' },
  });
  ({ token } = (await res.json()) as { token: string });
  // The version and its project as a device's push would have stored them.
  const version = modelVersionOf({ ...binaryModel, id: VERSION_ID }, { version: 3, createdAt: T0 });
  const project = { id: 'p1', name: 'Clinic', description: '', createdAt: T0, fairness: { attribute: 'clinic', privileged: 'north', favourable: 'benign' } };
  for (const [tbl, id, data] of [
    ['model_versions', VERSION_ID, version],
    ['projects', 'p1', project],
  ] as const) {
    await insertRecord(db, orgId, tbl, id, data);
  }
});
afterAll(async () => db.close());

const upload = (body: unknown) => app.request('/api/sync/monitors', { method: 'POST', body: JSON.stringify(body), headers: headers() });

describe('monitor uploads', () => {
  it('stores good days and refuses a malformed one with a reason; a day sent again replaces its copy', async () => {
    const bad = { ...day('2026-11-02', 3, 3), predictions: -1 };
    const res = await upload({ days: [day('2026-11-01', 10, 8), bad], verdicts: [] });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { stored: number; rejected: { day: string; message: string }[] };
    expect(answer.stored).toBe(1);
    expect(answer.rejected).toEqual([{ modelVersionId: VERSION_ID, day: '2026-11-02', message: expect.stringMatching(/predictions/) }]);
    const again = await upload({
      days: [day('2026-11-01', 20, 15)],
      verdicts: [{ modelVersionId: VERSION_ID, at: T0, state: 'alert', alerts: ['drift'], drift: { drifted: true, driftedColumns: 2, testedColumns: 2 } }],
    });
    expect(((await again.json()) as { stored: number }).stored).toBe(1);
    const rows = await db.query<{ n: number; preds: number }>(
      `select count(*)::int as n, max((data->>'predictions')::int) as preds from monitor_days where org_id = $1`,
      [orgId],
    );
    expect(rows[0]).toEqual({ n: 1, preds: 20 });
  });

  it('refuses an envelope that is not one, and more days than allowed, with a sentence', async () => {
    for (const body of [{ days: 'x' }, { days: Array.from({ length: 101 }, () => ({})), verdicts: [] }]) {
      const res = await upload(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/A monitor upload is/);
    }
  });

  it('the console shows the fleet figures, links each version with its id encoded, and draws its page with charts and the alerting device', async () => {
    const admin = await consoleSignIn(app, adminKey);
    const front = await (await admin.get('/console')).text();
    expect(front).toContain('Monitoring (1)');
    expect(front).toContain('triage v3 (production)');
    // OpenScale's default measure for a binary model is the area under ROC (every score here is the same: 0.5).
    expect(front).toContain('auc 0.500');
    expect(front).toContain(`href="/console/versions/${encodeURIComponent(VERSION_ID)}/monitor"`);
    expect(front).toContain('ward tablet');
    const detail = await admin.get(`/console/versions/${encodeURIComponent(VERSION_ID)}/monitor`);
    expect(detail.status).toBe(200);
    const page = await detail.text();
    expect(page).toContain('<svg');
    expect(page).toMatch(/Predictions a day \(bars, up to 20\)/);
    expect(page).toContain('accuracy 0.750');
    expect(page).toContain('Fairness score');
    expect(page).toMatch(/ward tablet<\/td>\s*<td class="alert">ALERT/);
    expect((await admin.get('/console/versions/unknown/monitor')).status).toBe(404);
  });
});
