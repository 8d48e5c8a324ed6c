// The console's plan page: the canvas as the field wrote it (escaped), blocks not written yet said
// so, a project of another organisation or none at all refused, and a sign-in needed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canvasField } from '@shared/schema/canvas.js';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createOrg } from '../store/orgs.js';
import { T0, insertRecord, project } from '../store/fixtures.js';
import { consoleSignIn } from '../testing/console-client.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let adminKey: string;
let otherKey: string;

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'console-plan-admin-0123456789', version: 't', failuresPerSource: 1e6, failuresPerTarget: 1e6 }, now: () => T0 });
  const org = await createOrg(db, 'Plans');
  adminKey = org.adminKey;
  otherKey = (await createOrg(db, 'Elsewhere')).adminKey;
  await insertRecord(db, org.org.id, 'projects', 'p1', {
    ...project('p1', 'Referrals'),
    [canvasField('predictionTask')]: 'Does the child need <referral>?\nYes or no.',
    [canvasField('monitoring')]: 'Referrals a week',
  });
});
afterAll(async () => db.close());

describe('console: a project’s plan', () => {
  it('shows the written blocks escaped, says which are not written, and is linked from the deployment page', async () => {
    const admin = await consoleSignIn(app, adminKey);
    const res = await admin.get('/console/projects/p1/plan');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('Plan of Referrals');
    expect(text).toContain('2 of 10 blocks of the machine learning canvas are written');
    expect(text).toContain('Does the child need &lt;referral&gt;?\nYes or no.');
    expect(text).toContain('Referrals a week');
    expect(text.match(/Not written yet\./g)).toHaveLength(8);
    expect(await (await admin.get('/console/projects/p1/deployment')).text()).toContain('href="/console/projects/p1/plan"');
  });

  it('refuses a project of another organisation, and people who are not signed in', async () => {
    const other = await consoleSignIn(app, otherKey);
    expect((await other.get('/console/projects/p1/plan')).status).toBe(404);
    const anonymous = await app.request('/console/projects/p1/plan');
    expect(await anonymous.text()).toContain('Sign in first.');
  });
});
