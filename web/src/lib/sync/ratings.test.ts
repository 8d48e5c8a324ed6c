// Blind rating across devices, against the real server app in-process: a study made on one device
// reaches another, both rate offline, and every device and the console count the same ratings.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studyResults } from '@shared/metrics/human.js';
import { pulledTables, PROTOCOL_HEADER } from '@shared/sync/protocol.js';
import type { RatingStudy } from '@shared/schema/human.js';
import { putRecord } from '../db/mutate.js';
import { projectStudies, rateItem, studyRatings } from '../db/human.js';
import { projectStudyRecords, studyRatingRecords } from '../../../../server/src/store/human.js';
import { inProcessServer, type InProcessServer } from './in-process.testing.js';

let srv: InProcessServer;
beforeAll(async () => {
  srv = await inProcessServer('Ratings');
});
afterAll(async () => srv.close());

const study: RatingStudy = {
  id: 'study-1',
  projectId: 'p1',
  name: 'triage v1 or v2',
  versionA: 'mv-a',
  versionB: 'mv-b',
  seed: 2024,
  items: Array.from({ length: 15 }, (_, i) => ({
    inputs: { age: 30 + i, clinic: i % 2 ? 'north' : 'south' },
    a: 'urgent (80% sure)',
    b: 'routine (60% sure)',
  })),
  compared: 300,
  disagreements: 40,
  by: 'device',
  createdAt: Date.UTC(2026, 5, 1),
};

describe('ratings sync', () => {
  it('a study made on one device is rated on two, offline, and every device and the console see all the ratings', async () => {
    const maker = await srv.newDevice('clinic tablet');
    const other = await srv.newDevice('nurse phone');
    await putRecord(maker.db, 'rating_studies', study);
    await maker.syncUntilDone();
    await other.syncUntilDone();
    const arrived = await projectStudies(other.db, 'p1');
    expect(arrived.map((s) => s.id)).toEqual(['study-1']);
    expect(arrived[0].items).toEqual(study.items);

    // Both rate while offline (no sync in between), each as its own rater.
    for (let i = 0; i < 15; i++) {
      await rateItem(maker.db, arrived[0], i, 'ann', i % 3 === 0 ? 'same' : 'first');
      await rateItem(other.db, arrived[0], i, 'bob', i % 4 === 0 ? 'second' : 'first');
    }
    await maker.syncUntilDone();
    await other.syncUntilDone();
    await maker.syncUntilDone();

    const onMaker = await studyRatings(maker.db, 'study-1');
    const onOther = await studyRatings(other.db, 'study-1');
    expect(onMaker).toHaveLength(30);
    expect(new Set(onMaker.map((r) => r.id))).toEqual(new Set(onOther.map((r) => r.id)));
    const onServer = await studyRatingRecords(srv.db, srv.orgId, ['study-1']);
    expect(onServer).toHaveLength(30);
    const [serverStudy] = await projectStudyRecords(srv.db, srv.orgId, 'p1');
    // The same ratings give the same results wherever they are counted.
    const results = studyResults(study, onMaker);
    expect(studyResults(arrived[0], onOther)).toEqual(results);
    expect(studyResults(serverStudy, onServer)).toEqual(results);
    expect(results).toMatchObject({ raters: 2, ratedItems: 15, ratings: 30 });
    expect(results.agreement.kind).toBe('cohen');

    await maker.close();
    await other.close();
  });

  it('a rating whose answer does not follow from what was shown is refused by the server with a reason', async () => {
    const d = await srv.newDevice('odd phone');
    const bad = { id: 'bad-1', studyId: 'study-1', itemIndex: 0, rater: 'eve', choice: 'first', shownFirst: 'a', preferred: 'b', createdAt: 1 };
    const res = await srv.app.request('/api/sync/push', {
      method: 'POST',
      body: JSON.stringify({ batchSeq: 0, changes: [{ table: 'ratings', id: 'bad-1', hlc: `${String(Date.now()).padStart(15, '0')}-0000-odd`, fields: bad }] }),
      headers: { authorization: `Bearer ${d.credential.token}`, 'content-type': 'application/json', [PROTOCOL_HEADER]: '4' },
    });
    expect(((await res.json()) as { rejected: { id: string; message: string }[] }).rejected).toEqual([
      expect.objectContaining({ id: 'bad-1', message: expect.stringMatching(/preferred/) }),
    ]);
    await d.close();
  });

  it('an app of protocol 3 is not sent the rating tables (it could not read them); protocol 4 is', () => {
    expect(pulledTables(3)).not.toContain('ratings');
    expect(pulledTables(3)).not.toContain('rating_studies');
    expect(pulledTables(4)).toEqual(expect.arrayContaining(['ratings', 'rating_studies', 'outcomes']));
  });
});
