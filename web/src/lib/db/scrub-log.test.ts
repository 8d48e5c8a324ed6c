import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { inferColumns } from '@shared/data/columns.js';
import { saltedHash } from '@shared/data/privacy.js';
import { OutpostDb } from './db.js';
import { createProject } from './projects.js';
import { importDataset } from './datasets.js';
import { ensureSalt } from './dataset-versions.js';
import { markPersonal } from './dataset-settings.js';
import { putRecords } from './mutate.js';
import { loggedPrediction } from './fixtures.testing.js';
import { scrubLocalLog } from './scrub-log.js';

// Predictions logged before a column was marked personal: the phone's own log and the copies it
// has not sent yet are rewritten as they would be logged now.
describe('the log after a late mark', () => {
  it('drops a never column, codes a hash column, in the log and in the queue; again changes nothing', async () => {
    const db = new OutpostDb('scrub-log');
    const p = await createProject(db, 'Clinic');
    const salt = await ensureSalt(db, p.id);
    const rows = [{ phone: '08031234567', name: 'Amina Bello', age: 3 }];
    const d = await importDataset(db, {
      projectId: p.id,
      name: 'v',
      fileName: 'v.csv',
      hash: 'c'.repeat(64),
      rows,
      columns: inferColumns(rows, ['phone', 'name', 'age']),
    });
    const logged = [0, 1, 2].map((i) =>
      loggedPrediction({ projectId: p.id, inputs: { age: i, phone: '08031234567' }, attributes: { name: i === 2 ? 'Ngozi Okafor' : 'Amina Bello' } }),
    );
    const other = loggedPrediction({ projectId: 'elsewhere', inputs: { phone: '08031234567' } });
    await putRecords(db, 'predictions', [...logged, other]);

    await markPersonal(db, d.id, 'phone', 'never');
    await markPersonal(db, d.id, 'name', 'hash');
    const amina = await saltedHash(salt, 'Amina Bello');
    for (const x of logged) {
      const kept = (await db.predictions.get(x.id))!;
      expect(kept.inputs).toEqual({ age: x.inputs.age, phone: null });
      expect(kept.attributes?.name).toBe(x.id === logged[2].id ? await saltedHash(salt, 'Ngozi Okafor') : amina);
    }
    for (const x of logged) {
      const [q] = await db.outbox.where('[table+id]').equals(['predictions', x.id]).toArray();
      expect(q.fields).toMatchObject({ inputs: { phone: null } });
      expect(JSON.stringify(q.fields)).not.toContain('Amina');
    }
    expect((await db.predictions.get(other.id))?.inputs.phone).toBe('08031234567');
    expect(await scrubLocalLog(db, p.id)).toBe(0);
    db.close();
  });
});
