import { loggablePredictions, projectPersonal } from '@shared/data/privacy.js';
import type { Prediction } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';

const PAGE = 500;

/**
 * The prediction log on this phone made before a column was marked personal: every prediction of
 * the project is rewritten as it would be logged now (loggablePredictions: null for `never`, the
 * salted code for `hash`, codes kept), and so is each queued copy not sent yet. The server does the
 * same to what it already holds (server/src/store/withdraw-rows.ts). The day counts the monitors
 * read keep their figures. Page by page, so a long log does not sit in memory whole. Returns how
 * many predictions changed.
 */
export async function scrubLocalLog(db: OutpostDb, projectId: string): Promise<number> {
  const personal = projectPersonal(await db.datasets.where('projectId').equals(projectId).toArray());
  if (!Object.keys(personal).length) return 0;
  const salt = (await db.projects.get(projectId))?.rowSalt;
  const features = new Map<string, { name: string; source?: { column: string } }[]>();
  const ids = await db.predictions.where('projectId').equals(projectId).primaryKeys();
  let changed = 0;
  for (let i = 0; i < ids.length; i += PAGE) {
    const page = (await db.predictions.bulkGet(ids.slice(i, i + PAGE))).filter((p): p is Prediction => !!p);
    const out: Prediction[] = [];
    for (const versionId of new Set(page.map((p) => p.modelVersionId))) {
      if (!features.has(versionId)) features.set(versionId, (await db.model_versions.get(versionId))?.pipeline.features ?? []);
      const mine = page.filter((p) => p.modelVersionId === versionId);
      const clean = await loggablePredictions(mine, personal, salt, features.get(versionId));
      clean.forEach((p, j) => {
        if (JSON.stringify([p.inputs, p.attributes]) !== JSON.stringify([mine[j].inputs, mine[j].attributes])) out.push(p);
      });
    }
    if (!out.length) continue;
    await db.transaction('rw', [db.predictions, db.outbox], async () => {
      await db.predictions.bulkPut(out);
      for (const p of out)
        for (const r of await db.outbox.where('[table+id]').equals(['predictions', p.id]).toArray())
          await db.outbox.update(r.seq!, { fields: { ...r.fields, inputs: p.inputs, ...(p.attributes ? { attributes: p.attributes } : {}) } });
    });
    changed += out.length;
  }
  return changed;
}
