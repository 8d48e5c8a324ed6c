import { z } from 'zod';
import { scrubLocalLog } from './scrub-log.js';
import { DataRule } from '@shared/schema/data-rules.js';
import { checkRules } from '@shared/data/rules.js';
import type { OutpostDb } from './db.js';
import { patchRecord } from './mutate.js';
import { releaseHeldBlobs, saveLocalBlob } from './blobs.js';
import { ensureFirstVersions, ensureSalt, rowsCoding, setPersonal, shareable, storedRows } from './dataset-versions.js';
import { personalWarnings, type PersonalChoice, type PersonalWarning } from '@shared/data/privacy.js';
import { projectPhotoHashes } from './photos.js';
import { SaidError } from '../said-error.js';

/**
 * A dataset's settings that change its versions' side records: its data tests (the current
 * version is checked again at once) and, per project, whether rows sync (the current version of
 * each dataset whose rows are here gets its shareable rows). Older versions keep what they had.
 */

/** Replace a dataset's data tests and check its current version against them (when its rows are here). */
export async function setRules(db: OutpostDb, datasetId: string, rules: DataRule[], now = Date.now()): Promise<void> {
  const parsed = z.array(DataRule).max(100).safeParse(rules);
  if (!parsed.success) throw new SaidError('bad_request', { key: 'error.ruleIncomplete' });
  await patchRecord(db, 'datasets', datasetId, { rules: parsed.data }, now);
  const d = await db.datasets.get(datasetId);
  if (!d?.versionId) return;
  const v = await db.dataset_versions.get(d.versionId);
  const rows = await storedRows(db, d.versionId);
  if (!v || (!rows.length && v.rowCount > 0)) return;
  await patchRecord(
    db,
    'dataset_versions',
    v.id,
    {
      checks: checkRules(
        rows,
        v.columns.map((c) => c.name),
        parsed.data,
        now,
      ),
    },
    now,
  );
}

/** Give the current version of a dataset its shareable rows, if its project lets rows sync and its rows are here. */
export async function shareCurrentVersion(db: OutpostDb, datasetId: string, now = Date.now()): Promise<boolean> {
  const d = await db.datasets.get(datasetId);
  if (!d?.versionId || d.deleted) return false;
  const v = await db.dataset_versions.get(d.versionId);
  const rows = await storedRows(db, d.versionId);
  if (!v || !rows.length) return false;
  const { coded, names } = await rowsCoding(db, v);
  const s = await shareable(db, d, rows, names, now, coded);
  if (!s) return false;
  if (v.rows?.hash === s.meta.hash) return true;
  await db.transaction('rw', [db.dataset_versions, db.blobState, db.blobBytes, db.outbox, db.kv], async () => {
    await saveLocalBlob(db, s.meta.hash, s.bytes.slice().buffer);
    await patchRecord(db, 'dataset_versions', v.id, { rows: s.meta }, now);
  });
  return true;
}

/**
 * Turn row sync on or off for a project. On: the project gets its salt (when it has none) and each
 * dataset's current version made here gets its shareable rows, sent at the next sync. Off: nothing
 * more is sent; what was sent stays on the server.
 */
export async function setShareRows(db: OutpostDb, projectId: string, on: boolean, now = Date.now()): Promise<number> {
  await ensureFirstVersions(db, now);
  await patchRecord(db, 'projects', projectId, { shareRows: on }, now);
  if (!on) return 0;
  // Photos were held off the server until now (photos.ts): they go with the rows.
  await releaseHeldBlobs(db, await projectPhotoHashes(db, projectId));
  await ensureSalt(db, projectId, now);
  let shared = 0;
  for (const d of await db.datasets.where('projectId').equals(projectId).toArray()) if (await shareCurrentVersion(db, d.id, now)) shared++;
  return shared;
}

/** Mark a column personal (or not) and, when rows sync, give the current version shared rows that follow the choice. */
export async function markPersonal(db: OutpostDb, datasetId: string, column: string, choice: PersonalChoice | null, now = Date.now()): Promise<void> {
  await setPersonal(db, datasetId, column, choice, now);
  await shareCurrentVersion(db, datasetId, now);
  // Predictions logged here before the mark no longer hold the column as it was typed.
  const d = await db.datasets.get(datasetId);
  if (choice && d) await scrubLocalLog(db, d.projectId);
}

/** Columns of the project's datasets (rows on this phone) that look personal and nobody marked, with what to do. */
export async function unmarkedPersonal(db: OutpostDb, projectId: string): Promise<{ dataset: string; sentence: string; said: PersonalWarning['said'] }[]> {
  const out: { dataset: string; sentence: string; said: PersonalWarning['said'] }[] = [];
  for (const d of await db.datasets.where('projectId').equals(projectId).toArray()) {
    if (d.deleted || !d.versionId) continue;
    const first = await db.datasetRows.get([d.versionId, 0]);
    if (!first) continue;
    for (const w of personalWarnings(
      first.rows.slice(0, 200),
      d.columns.map((c) => c.name),
      d.personal,
    ))
      out.push({ dataset: d.name, sentence: w.sentence, said: w.said });
  }
  return out;
}
