import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferColumns } from '@shared/data/columns.js';
import { cohensKappa, fleissKappa } from '@shared/stats/agreement.js';
import { createProject } from '../db/projects.js';
import { importDataset, loadRows } from '../db/datasets.js';
import { setShareRows } from '../db/dataset-settings.js';
import { dropRowsWithMissing, datasetVersions } from '../db/dataset-versions.js';
import { inProcessServer, type InProcessServer } from '../sync/in-process.testing.js';
import type { HeadlessDevice } from '../sync/headless.js';
import type { OutpostDb } from '../db/db.js';
import { datasetItems, datasetLabels, giveLabel, saveDecided, viewOf, type Labeller } from './labels.js';

// Two people label the same rows on two phones through the real server (PGlite in memory): both
// phones then show the same agreement and conflicts; a reviewer's decision and the agreed labels
// become one dataset version; a label for a row removed on the other phone is shown as gone and
// never lands on another row.
let srv: InProcessServer;
let a: HeadlessDevice;
let b: HeadlessDevice;
beforeAll(async () => {
  srv = await inProcessServer('Labeling');
  a = await srv.newDevice('clinic phone');
  b = await srv.newDevice('district phone');
}, 60_000);
afterAll(async () => {
  await a.close();
  await b.close();
  await srv.close();
});

const NAMES = ['patient', 'muac', 'oedema', 'status'];
const rows = Array.from({ length: 10 }, (_, i) => ({
  patient: `Patient ${i}`,
  muac: 10 + i * 0.5,
  oedema: i === 9 ? null : i % 3 === 0 ? 'yes' : 'no',
  status: null as string | null,
}));
const ada: Labeller = { id: 'ada', name: 'Ada' };
const bola: Labeller = { id: 'bola', name: 'Bola' };

async function view(db: OutpostDb, datasetId: string, me: string) {
  const d = (await db.datasets.get(datasetId))!;
  return viewOf(d, await datasetItems(db, d, 'status'), 'status', await datasetLabels(db, datasetId), me);
}

describe('labeling on two phones', () => {
  it('both see the same agreement and conflicts; a review and the agreed labels become one version; a label for a removed row is gone', async () => {
    const p = await createProject(a.db, 'Nutrition');
    await setShareRows(a.db, p.id, true);
    const d = await importDataset(a.db, {
      projectId: p.id,
      name: 'muac',
      fileName: 'muac.csv',
      hash: 'c'.repeat(64),
      rows,
      columns: inferColumns(rows, NAMES),
      target: 'status',
      // The second phone holds patient names as codes: item keys leave personal columns out.
      personal: { patient: 'hash' },
    });
    await a.sync();
    await b.sync();
    expect(await loadRows(b.db, d.id)).toHaveLength(10);

    const onA = await view(a.db, d.id, ada.id);
    const onB = await view(b.db, d.id, bola.id);
    expect(onA.queue).toHaveLength(10);
    expect(onB.queue.map((q) => q.item)).toEqual(onA.queue.map((q) => q.item));

    // Ada labels all ten on her phone; Bola the first eight on his, disagreeing on rows 2 and 5.
    const adaSays = ['sam', 'ok', 'sam', 'ok', 'ok', 'sam', 'ok', 'ok', 'sam', 'ok'];
    const bolaSays = ['sam', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'];
    const dA = (await a.db.datasets.get(d.id))!;
    const dB = (await b.db.datasets.get(d.id))!;
    let t = Date.now();
    for (const [i, q] of onA.queue.entries()) await giveLabel(a.db, { dataset: dA, column: 'status', item: q.item, value: adaSays[i] }, ++t, ada);
    for (const [i, q] of onB.queue.slice(0, 8).entries()) await giveLabel(b.db, { dataset: dB, column: 'status', item: q.item, value: bolaSays[i] }, ++t, bola);
    // Bola changes his mind on row 1 (a new record; the old one stays in the history).
    await giveLabel(b.db, { dataset: dB, column: 'status', item: onB.queue[1].item, value: 'sam' }, ++t, bola);
    await giveLabel(b.db, { dataset: dB, column: 'status', item: onB.queue[1].item, value: 'ok' }, ++t, bola);
    await a.sync();
    await b.sync();
    await a.sync();

    const seenA = await view(a.db, d.id, ada.id);
    const seenB = await view(b.db, d.id, bola.id);
    expect(seenA.agreement).toEqual(seenB.agreement);
    expect(seenA.agreement).toMatchObject({ shared: 8, agreed: 6, labellers: 2, method: 'cohen' });
    expect(seenA.agreement.kappa).toBeCloseTo(cohensKappa(adaSays.slice(0, 8), bolaSays), 12);
    expect(seenA.conflicts.map((c) => c.item)).toEqual([onA.queue[2].item, onA.queue[5].item]);
    expect(seenB.conflicts).toEqual(seenA.conflicts);
    expect(seenA.queue).toEqual([]);
    expect(seenB.queue.map((q) => q.item)).toEqual(onA.queue.slice(8).map((q) => q.item));
    expect((await datasetLabels(a.db, d.id)).filter((l) => l.by === 'bola' && l.item === onB.queue[1].item)).toHaveLength(3);

    // A reviewer settles row 2 as "sam"; row 5 stays a conflict and is not written.
    await giveLabel(a.db, { dataset: dA, column: 'status', item: onA.queue[2].item, value: 'sam', review: true }, ++t, { id: 'lead', name: 'Lead' });
    // On the second phone, row 9 (no oedema value) is removed before anyone's labels arrive there.
    await dropRowsWithMissing(b.db, d.id, ['oedema']);
    const v = await saveDecided(a.db, d.id, 'status', t + 1);
    expect(v?.change).toMatchObject({ kind: 'labels', rowsChanged: 9 });
    const labelled = await loadRows(a.db, d.id);
    expect(labelled.map((r) => r.status)).toEqual(['sam', 'ok', 'sam', 'ok', 'ok', null, 'ok', 'ok', 'sam', 'ok']);
    // Nothing more to save: the same press makes no second version.
    expect(await saveDecided(a.db, d.id, 'status')).toBeNull();
    expect(await datasetVersions(a.db, d.id)).toHaveLength(2);

    // The phone that removed row 9 shows Ada's label for it as gone and never writes it anywhere.
    await b.sync();
    const onB2 = await view(b.db, d.id, bola.id);
    expect(onB2.gone.map((g) => g.item)).toContain(onA.queue[9].item);
    expect(onB2.changes.every((c) => c.index < 9)).toBe(true);
  }, 60_000);
  it("three people on three phones: every phone shows the same Fleiss' kappa and the same majority labels", async () => {
    const c = await srv.newDevice('ward phone');
    try {
      const p = await createProject(a.db, 'Triage');
      await setShareRows(a.db, p.id, true);
      const six = rows.slice(0, 6).map((r) => ({ muac: r.muac, oedema: r.oedema, status: null }));
      const d = await importDataset(a.db, {
        projectId: p.id,
        name: 'triage',
        fileName: 'triage.csv',
        hash: 'd'.repeat(64),
        rows: six,
        columns: inferColumns(six, ['muac', 'oedema', 'status']),
        target: 'status',
      });
      await a.sync();
      await b.sync();
      await c.sync();
      const says: Record<string, string[]> = {
        ada: ['sam', 'ok', 'ok', 'sam', 'ok', 'ok'],
        bola: ['sam', 'ok', 'sam', 'sam', 'ok', 'sam'],
        chidi: ['sam', 'sam', 'ok', 'sam', 'ok', 'ok'],
      };
      let t = Date.now();
      for (const [dev, who] of [
        [a, ada],
        [b, bola],
        [c, { id: 'chidi', name: 'Chidi' }],
      ] as const) {
        const here = (await dev.db.datasets.get(d.id))!;
        const q = (await view(dev.db, d.id, who.id)).queue;
        expect(q).toHaveLength(6);
        for (const [i, item] of q.entries()) await giveLabel(dev.db, { dataset: here, column: 'status', item: item.item, value: says[who.id][i] }, ++t, who);
        await dev.sync();
      }
      await a.sync();
      await b.sync();
      const seen = await Promise.all([a, b, c].map((dev) => view(dev.db, d.id, 'nobody')));
      for (const v of seen) {
        expect(v.agreement).toEqual(seen[0].agreement);
        expect(v.changes).toEqual(seen[0].changes);
      }
      expect(seen[0].agreement).toMatchObject({ shared: 6, agreed: 3, labellers: 3, method: 'fleiss', kappaItems: 6, raters: 3 });
      const table = [0, 1, 2, 3, 4, 5].map((i) => ['ok', 'sam'].map((v) => Object.values(says).filter((s) => s[i] === v).length));
      expect(seen[0].agreement.kappa).toBeCloseTo(fleissKappa(table), 12);
      // Two of three decide every row here.
      expect(seen[0].changes.map((ch) => ch.value)).toEqual(['sam', 'ok', 'ok', 'sam', 'ok', 'ok']);
    } finally {
      await c.close();
    }
  }, 60_000);
});
