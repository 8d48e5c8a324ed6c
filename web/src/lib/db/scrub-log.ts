import { loggablePredictions, projectPersonal, saltedHash, type PersonalChoice } from '@shared/data/privacy.js';
import { rawGroups, withoutRawGroups } from '@shared/monitor/day-groups.js';
import type { Prediction } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';

const PAGE = 500;

/**
 * The prediction log on this phone made before a column was marked personal: every prediction of
 * the project is rewritten as it would be logged now (loggablePredictions: null for `never`, the
 * salted code for `hash`, codes kept), and so is each queued copy not sent yet. The server does the
 * same to what it already holds (server/src/store/withdraw-rows.ts). The day counts the monitors
 * read keep their figures, but a fairness group named by a marked column's value is renamed to
 * its code or dropped (scrubDayGroups). Page by page, so a long log does not sit in memory whole.
 * Returns how many predictions changed.
 */
export async function scrubLocalLog(db: OutpostDb, projectId: string): Promise<number> {
  const personal = projectPersonal(await db.datasets.where('projectId').equals(projectId).toArray());
  if (!Object.keys(personal).length) return 0;
  const salt = (await db.projects.get(projectId))?.rowSalt;
  await scrubDayGroups(db, projectId, personal, salt);
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

/**
 * The day counts of a project's monitors once their protected attribute is marked personal: the
 * raw group names (values of the column, kept from predictions counted before the mark) become the
 * salted codes the log now holds, or go with their counts for `never` or without a salt
 * (withoutRawGroups). Changed days are sent to the server again (dirty), where they replace this
 * device's old ones. The codes are computed before the transaction (Web Crypto, which a Dexie
 * transaction does not wait for); a raw name counted meanwhile, which has none, is dropped.
 * Returns how many days changed.
 */
export async function scrubDayGroups(db: OutpostDb, projectId: string, personal: Record<string, PersonalChoice>, salt: string | undefined): Promise<number> {
  const marked = (attribute: string | undefined) => (attribute ? personal[attribute] : undefined);
  const days = (await db.monitorDays.where('projectId').equals(projectId).toArray()).filter((r) => marked(r.summary.groupAttribute));
  const raw = new Set(days.filter((r) => marked(r.summary.groupAttribute) === 'hash').flatMap((r) => rawGroups(r.summary)));
  const codes = new Map<string, string>();
  if (salt) for (const v of raw) codes.set(v, await saltedHash(salt, v));
  let changed = 0;
  await db.transaction('rw', db.monitorDays, async () => {
    for (const { modelVersionId, day } of days) {
      const row = await db.monitorDays.get([modelVersionId, day]);
      const mark = row && marked(row.summary.groupAttribute);
      if (!row || !mark) continue;
      const summary = withoutRawGroups(row.summary, mark === 'hash' && salt ? codes : null);
      if (summary === row.summary) continue;
      await db.monitorDays.put({ ...row, summary, dirty: 1 });
      changed++;
    }
  });
  return changed;
}

const MARK_ARRIVED = 'privacy:scrub:';

/**
 * A dataset record pulled from the server with a column marked personal that this device's copy
 * did not mark so (another phone marked it): the project's log and day counts here must be
 * cleaned as on the phone that marked it. Kept in the pull's own transaction (inside it, with the
 * record), so a sync cut off before the cleaning still cleans at its next pull; see scrubMarkedLogs.
 */
export async function noteMarkArrived(
  db: OutpostDb,
  before: Record<string, PersonalChoice> | undefined,
  after: Record<string, PersonalChoice> | undefined,
  projectId: string,
): Promise<void> {
  if (Object.entries(after ?? {}).some(([column, choice]) => before?.[column] !== choice)) await db.kv.put({ key: MARK_ARRIVED + projectId, value: true });
}

/** Clean the log and day counts of every project a pulled mark reached (noteMarkArrived). Returns how many predictions changed. */
export async function scrubMarkedLogs(db: OutpostDb): Promise<number> {
  let changed = 0;
  for (const key of await db.kv.where('key').startsWith(MARK_ARRIVED).primaryKeys()) {
    changed += await scrubLocalLog(db, String(key).slice(MARK_ARRIVED.length));
    await db.kv.delete(key);
  }
  return changed;
}
