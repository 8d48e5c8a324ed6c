import type { Run } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';
import { cleanNote, parseTags } from '@shared/runs/compare.js';
import { patchRecord, putRecord } from './mutate.js';
import { INTERRUPTED_RUN } from '../i18n/run-words.js';

export async function saveRun(db: OutpostDb, run: Run): Promise<Run> {
  return putRecord(db, 'runs', run);
}

/** A project's training runs, newest first. */
export async function projectRuns(db: OutpostDb, projectId: string): Promise<Run[]> {
  // Deleted runs (tombstones, from here or another device) are not listed.
  return (await db.runs.where('projectId').equals(projectId).reverse().sortBy('startedAt')).filter((r) => !r.deleted);
}

/**
 * A run still marked "running" when the app starts was cut off (page closed, phone restarted):
 * mark it failed so nobody waits for it, except those in `keep` (a run that can carry on from its
 * checkpoint, runs/resume.ts, is offered to the person instead).
 */
export async function failInterruptedRuns(db: OutpostDb, now = Date.now(), keep: ReadonlySet<string> = new Set()): Promise<number> {
  const stale = await db.runs
    .where('startedAt')
    .below(now)
    .filter((r) => r.status === 'running' && !keep.has(r.id))
    .toArray();
  for (const r of stale) {
    await putRecord(db, 'runs', { ...r, status: 'failed', error: INTERRUPTED_RUN, finishedAt: now });
  }
  return stale.length;
}

/**
 * Keep a person's tags and note on a run. Only these two fields are queued (per-field
 * last-writer-wins), so a note written here never overwrites what another device changed in the
 * same run. Tags are parsed from what was typed (commas between); an empty note is stored as ''.
 */
export async function saveRunNotes(db: OutpostDb, runId: string, typed: { tags: string; note: string }, now = Date.now()): Promise<void> {
  await patchRecord(db, 'runs', runId, { tags: parseTags(typed.tags), note: cleanNote(typed.note) }, now);
}
