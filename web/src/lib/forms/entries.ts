import { CollectionForm, checkEntry, checkForm, ENTRY_ID, type FieldProblem, type FormProblem } from '@shared/forms/form.js';
import type { DatasetMeta } from '@shared/schema/records.js';
import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import { inferColumns } from '@shared/data/columns.js';
import { versionHash } from '@shared/data/versions.js';
import type { OutpostDb } from '../db/db.js';
import { newId, patchRecord } from '../db/mutate.js';
import { appendRows, createDataset, loadVersionRows } from '../db/dataset-versions.js';
import { SaidError } from '../said-error.js';

/**
 * Collection forms on the device (docs/forms.md): a form is a synced field of the dataset it
 * fills; each entry saved is one row of a new version of that dataset (appendRows), carrying the
 * entry id made when the form was opened, so saving the same entry again adds nothing.
 */

/** The datasets of a project that have a form, and those that could get one; deleted ones are not listed. */
export async function projectForms(db: OutpostDb, projectId: string): Promise<{ withForm: DatasetMeta[]; without: DatasetMeta[] }> {
  const all = (await db.datasets.where('projectId').equals(projectId).toArray()).filter((d) => !d.deleted).sort((a, b) => a.createdAt - b.createdAt);
  return { withForm: all.filter((d) => d.form), without: all.filter((d) => !d.form && !d.images) };
}

/** A dataset and its form, or null when the dataset was deleted (here or on another phone) or never arrived. */
export async function formOf(db: OutpostDb, datasetId: string): Promise<{ dataset: DatasetMeta; form: CollectionForm } | null> {
  const d = await db.datasets.get(datasetId);
  return d && !d.deleted && d.form ? { dataset: d, form: d.form } : null;
}

export class FormRefused extends Error {
  constructor(readonly problems: FormProblem[]) {
    super('The form is not complete.');
  }
}

function parsed(form: CollectionForm): CollectionForm {
  const problems = checkForm(form);
  const p = CollectionForm.safeParse(form);
  if (problems.length || !p.success) throw new FormRefused(problems.length ? problems : [{ key: 'forms.noName' }]);
  return p.data;
}

/** Give a dataset its form (or change it): checked first, then one synced field of the dataset. */
export async function saveForm(db: OutpostDb, datasetId: string, form: CollectionForm, now = Date.now()): Promise<void> {
  const f = parsed(form);
  const d = await db.datasets.get(datasetId);
  if (!d || d.deleted) throw new SaidError('not_found', { key: 'error.datasetNotHere' });
  await patchRecord(db, 'datasets', datasetId, { form: f }, now);
}

/** A new, empty dataset made for a form a person built: its first version has no rows yet, only the form's columns. */
export async function createFormDataset(db: OutpostDb, projectId: string, name: string, form: CollectionForm, now = Date.now()): Promise<DatasetMeta> {
  const f = parsed(form);
  const names = [ENTRY_ID, ...f.fields.map((x) => x.name)];
  const columns = inferColumns([], names);
  const meta: DatasetMeta = {
    id: newId(),
    projectId,
    name: name.trim().slice(0, 200) || 'Entries',
    fileName: '',
    hash: await versionHash([], names),
    rowCount: 0,
    columns,
    createdAt: now,
    form: f,
  };
  await createDataset(db, meta, [], columns, now);
  return (await db.datasets.get(meta.id)) ?? meta;
}

/** An entry's id, made when the form is opened (UUIDv7: ordering by it is nearly the order forms were opened). */
export const newEntryId = (): string => newId();

export type SaveOutcome =
  | { outcome: 'saved'; version: DatasetVersion }
  /** This entry id is in the dataset already (the form was submitted twice): nothing is added. */
  | { outcome: 'already' }
  | { outcome: 'refused'; problems: Record<string, FieldProblem> }
  /** The dataset (and so its form) was deleted, here or on another phone. */
  | { outcome: 'gone' };

// One save at a time on this page (a double tap waits for the first), and across tabs where the
// browser has Web Locks, so the second save of an entry always sees the first one's row.
let queue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  const next: Promise<T> = queue.then(() => (locks ? (locks.request('outpost-form-entry', run) as Promise<T>) : run()));
  queue = next.catch(() => undefined);
  return next;
}

/**
 * Save one entry: every field checked (a value out of range or a required field missing refuses
 * the whole entry, with a sentence per field), then one row `{entry_id, …values}` added as a new
 * version of the form's dataset. Saving the same entry id again adds nothing.
 */
export function saveEntry(db: OutpostDb, datasetId: string, entryId: string, raw: Record<string, string | undefined>, now = Date.now()): Promise<SaveOutcome> {
  return oneAtATime(async () => {
    const f = await formOf(db, datasetId);
    if (!f) return { outcome: 'gone' };
    const { row, problems } = checkEntry(f.form, raw);
    if (Object.keys(problems).length) return { outcome: 'refused', problems };
    const current = f.dataset.versionId ? await loadVersionRows(db, f.dataset.versionId) : [];
    if (current.some((r) => r[ENTRY_ID] === entryId)) return { outcome: 'already' };
    const version = await appendRows(db, datasetId, [{ [ENTRY_ID]: entryId, ...row }], now, 'entries', { joinBatch: true });
    return { outcome: 'saved', version };
  });
}

/** How many entries the dataset's current version holds (rows with an entry id). */
export async function entryCount(db: OutpostDb, datasetId: string): Promise<number> {
  const d = await db.datasets.get(datasetId);
  if (!d?.versionId) return 0;
  return (await loadVersionRows(db, d.versionId)).filter((r) => r[ENTRY_ID] !== undefined && r[ENTRY_ID] !== null).length;
}
