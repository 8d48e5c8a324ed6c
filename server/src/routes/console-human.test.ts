// The console's human evaluation page: the studies of a version's project with the results the
// devices compute (the same shared function), the version's human baseline, and a page that
// survives odd records and escapes what people typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { openStore, type Db } from '../store/index.js';
import { createOrg } from '../store/orgs.js';
import { T0, insertRecord, modelVersion } from '../store/fixtures.js';
import { consoleSignIn } from '../testing/console-client.js';
import { agreementSentence, preferenceSentence, ratingAnswer, shownFirstFor, studyResults } from '@shared/metrics/human.js';
import type { Rating, RatingStudy } from '@shared/schema/human.js';

let db: Db;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  db = await openStore({});
  app = createApp({ db, config: { adminToken: 'console-human-admin-0123456789', version: 't' }, now: () => T0 });
});
afterAll(async () => db.close());

const study: RatingStudy = {
  id: 'st1',
  projectId: 'p1',
  name: 'Triage <b>v1</b> or v2',
  versionA: 'mv1',
  versionB: 'mv2',
  seed: 11,
  items: Array.from({ length: 12 }, (_, i) => ({ inputs: { x: i }, a: 'a', b: 'b' })),
  compared: 100,
  disagreements: 12,
  createdAt: T0,
};

describe('console: human evaluation', () => {
  it('lists the project’s studies with the shared results, names the versions, and shows the human baseline', async () => {
    const { org, adminKey } = await createOrg(db, 'Human');
    await insertRecord(db, org.id, 'model_versions', 'mv1', {
      ...modelVersion('mv1', 'a'.repeat(64)),
      humanBaseline: {
        rows: 40,
        skipped: 2,
        metrics: { task: 'regression', n: 40, mae: 3.25, rmse: 4, r2: 0.5 },
        decisionColumn: 'nurse_said',
        targetColumn: 'y',
        recordedAt: T0,
      },
    });
    await insertRecord(db, org.id, 'model_versions', 'mv2', { ...modelVersion('mv2', 'b'.repeat(64)), version: 2 });
    await insertRecord(db, org.id, 'rating_studies', 'st1', study);
    // A record that no longer parses is left out, not a broken page.
    await insertRecord(db, org.id, 'rating_studies', 'odd', { id: 'odd', projectId: 'p1', items: 'x' });
    const ratings: Rating[] = [];
    for (const rater of ['ann', 'bob'])
      for (let i = 0; i < 12; i++) {
        const r: Rating = {
          id: `${rater}-${i}`,
          studyId: 'st1',
          itemIndex: i,
          rater,
          ...ratingAnswer(i % 3 ? 'first' : 'second', shownFirstFor(11, i, rater)),
          createdAt: T0 + i,
        };
        ratings.push(r);
        await insertRecord(db, org.id, 'ratings', r.id, r);
      }
    const admin = await consoleSignIn(app, adminKey);
    const versionPage = await (await admin.get('/console/versions/mv1')).text();
    expect(versionPage).toContain('href="/console/versions/mv1/ratings"');
    const res = await admin.get('/console/versions/mv1/ratings');
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    const expected = studyResults(study, ratings);
    expect(text).toContain(preferenceSentence(expected, 'triage v1', 'triage v2'));
    expect(text).toContain(agreementSentence(expected.agreement));
    expect(text).toContain('Blind rating studies of this project (1)');
    expect(text).toContain('Triage &lt;b&gt;v1&lt;/b&gt; or v2');
    expect(text).not.toContain('<b>v1</b>');
    expect(text).toContain('People: off by 3.25 on average on 40 cases');
    expect(text).toContain('<code>nurse_said</code>');
    // The other version's page shows the same studies, and says it has no baseline.
    const other = await (await admin.get('/console/versions/mv2/ratings')).text();
    expect(other).toContain('Blind rating studies of this project (1)');
    expect(other).toContain('No human baseline recorded');
  });

  it('answers 404 with a sentence for a version of another organisation, and asks to sign in first', async () => {
    const { adminKey } = await createOrg(db, 'Elsewhere');
    const admin = await consoleSignIn(app, adminKey);
    const res = await admin.get('/console/versions/mv1/ratings');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('no model version with that id');
    expect(await (await app.request('/console/versions/mv1/ratings')).text()).toContain('Sign in first.');
  });
});
