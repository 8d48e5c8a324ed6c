// The console's deployment page: it renders what the deployment says in plain words, a change
// posted from its form shows on it with its history, a stale form shows the conflict's sentence,
// the one-button switch works, figures per arm are drawn, and people who may not promote only read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modeSentence } from '@shared/deploy/describe.js';
import type { DeploymentState } from '@shared/schema/deployment.js';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createOrg } from '../store/orgs.js';
import { createPerson } from '../store/people.js';
import { readDeployment } from '../store/deployments.js';
import { T0, insertRecord, modelVersion, prediction, project } from '../store/fixtures.js';
import { consoleSignIn } from '../testing/console-client.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let orgId: string;
let adminKey: string;
const PAGE = '/console/projects/p1/deployment';
const unescape = (s: string) =>
  s
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    // Prettier wraps the page's text across lines: compare with the spaces folded.
    .replace(/\s+/g, ' ');
const name = (id: string) => `triage version ${id === 'mv1' ? 1 : 2}`;

beforeAll(async () => {
  db = await openStore({});
  app = createApp({
    db,
    config: { adminToken: 'console-deploy-admin-0123456789', version: 't', failuresPerSource: 1e6, failuresPerTarget: 1e6 },
    now: () => T0,
  });
  ({
    org: { id: orgId },
    adminKey,
  } = await createOrg(db, 'Console deployments'));
  await insertRecord(db, orgId, 'projects', 'p1', project('p1', 'Triage <clinic>'));
  await insertRecord(db, orgId, 'model_versions', 'mv1', modelVersion('mv1', 'a'.repeat(64), 'production'));
  await insertRecord(db, orgId, 'model_versions', 'mv2', { ...modelVersion('mv2', 'b'.repeat(64), 'staging'), version: 2 });
});
afterAll(async () => db.close());

describe('console: a project’s deployment', () => {
  it('renders, takes a change from its form and shows it, and shows a stale form’s conflict as its sentence', async () => {
    const admin = await consoleSignIn(app, adminKey);
    expect(await (await admin.get('/console/versions/mv1')).text()).toContain(`href="${PAGE}"`);
    const empty = await admin.get(PAGE);
    expect(empty.status).toBe(200);
    const first = await empty.text();
    expect(first).toContain('Deployment of Triage &lt;clinic&gt;');
    expect(first).toContain('This project has no deployment yet');
    expect(first).toContain('Save the deployment');
    const form = { mode: 'shadow', champion: 'mv1', challenger: 'mv2', level: 'assist', expectedRevision: '0', why: 'quiet trial' };
    const saved = await admin.post(PAGE, form);
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(PAGE);
    const state: DeploymentState = { mode: 'shadow', champion: 'mv1', challenger: 'mv2', level: 'assist' };
    expect((await readDeployment(db, orgId, 'p1'))?.state).toEqual(state);
    const shown = unescape(await (await admin.get(PAGE)).text());
    expect(shown).toContain(modeSentence(state, name));
    expect(shown).toContain('The model suggests an answer; you decide.');
    expect(shown).toContain('Revision 1, changed by organisation admin key (admin)');
    expect(shown).toMatch(/Changed → revision 1[\s\S]*quiet trial/);
    const stale = await admin.post(PAGE, { ...form, mode: 'single', why: 'other tab' });
    expect(stale.status).toBe(409);
    expect(unescape(await stale.text())).toContain(
      'Someone else changed this deployment first (now revision 1, by organisation admin key: quiet trial). Reload the page to see it and try again.',
    );
    // A ramp that cannot be read is a sentence too, and nothing changes.
    const ramp = await admin.post(PAGE, { ...form, mode: 'canary', keyColumn: 'patient', ramp: '5, lots', expectedRevision: '1' });
    expect(ramp.status).toBe(400);
    expect(await ramp.text()).toContain('Write the ramp as percentages');
    expect((await readDeployment(db, orgId, 'p1'))?.revision).toBe(1);
  });

  it('switches blue-green with its button and draws the figures per arm', async () => {
    const admin = await consoleSignIn(app, adminKey);
    const saved = await admin.post(PAGE, { mode: 'blue_green', champion: 'mv1', challenger: 'mv2', level: 'full', expectedRevision: '1', why: 'green ready' });
    expect(saved.status).toBe(303);
    const page = await (await admin.get(PAGE)).text();
    expect(page).toContain('Switch now');
    expect(page).toContain('ready on 0 of 0 devices');
    const switched = await admin.post(`${PAGE}/action`, { action: 'switch', expectedRevision: '2', why: 'go green' });
    expect(switched.status).toBe(303);
    expect((await readDeployment(db, orgId, 'p1'))?.state).toMatchObject({ champion: 'mv2', challenger: 'mv1' });
    for (const [id, arm, latencyMs] of [
      ['d1', 'champion', 4],
      ['d2', 'champion', 8],
      ['d3', 'challenger', 2],
    ] as const) {
      await insertRecord(db, orgId, 'predictions', id, {
        ...prediction(id, 'p1', arm === 'champion' ? 'mv2' : 'mv1'),
        latencyMs,
        deployment: { revision: 3, mode: 'shadow', level: 'full', arm, caseId: `case-${id}`, shown: arm === 'champion' },
      });
    }
    const figures = unescape(await (await admin.get(PAGE)).text());
    expect(figures).toContain('From 3 logged cases of this deployment');
    expect(figures).toMatch(/All devices<\/td>\s*<td>Champion<\/td>\s*<td>2<\/td>\s*<td>0 \(0%\)<\/td>\s*<td>7.8 ms<\/td>/);
    expect(figures).toMatch(/Switched → revision 3[\s\S]*go green/);
  });

  it('shows the page read-only to field staff and refuses their posts', async () => {
    const { key } = await createPerson(db, orgId, 'Femi', 'field');
    const femi = await consoleSignIn(app, key);
    const page = await (await femi.get(PAGE)).text();
    expect(page).toContain('Only an ML lead or an admin can change the deployment.');
    expect(page).not.toContain('Save the deployment');
    expect(page).not.toContain('Switch now');
    const refused = await femi.post(`${PAGE}/action`, { action: 'switch', expectedRevision: '3', why: '' });
    expect(refused.status).toBe(403);
    expect((await readDeployment(db, orgId, 'p1'))?.revision).toBe(3);
    expect((await femi.get('/console/projects/nope/deployment')).status).toBe(404);
  });
});
