import type { Queryable } from './db.js';
import type { CheckedChange } from './push-check.js';
import type { Refused } from './record-writes.js';

/**
 * Pushed labels the server refuses although their shape is right (docs/labels.md): a label naming
 * a dataset the organisation holds under another project. A label for a dataset the server has
 * not seen yet (it may come in a later batch) or one deleted since is kept: labels are append-only
 * and devices show those whose item or dataset is gone as such.
 */
export async function refusedLabels(q: Queryable, orgId: string, changes: CheckedChange[]): Promise<Map<CheckedChange, Refused>> {
  const refused = new Map<CheckedChange, Refused>();
  const labels = changes.filter((c) => c.table === 'labels');
  if (!labels.length) return refused;
  const ids = [...new Set(labels.map((c) => String(c.fields.datasetId)))];
  const rows = await q.query<{ id: string; project: string | null }>(
    `select id, data->>'projectId' as project from records where org_id = $1 and tbl = 'datasets' and id = any($2::text[])`,
    [orgId, ids],
  );
  const projectOf = new Map(rows.map((r) => [r.id, r.project]));
  for (const c of labels) {
    const project = projectOf.get(String(c.fields.datasetId));
    if (project && project !== c.fields.projectId)
      refused.set(c, {
        code: 'invalid_body',
        message: 'This label names a dataset of another project; it was left out of sync.',
        reason: { code: 'label_other_project' },
      });
  }
  return refused;
}

/** The labels of one dataset as the server holds them (every record: the history), oldest first. */
export async function datasetLabelRecords(q: Queryable, orgId: string, datasetId: string): Promise<Record<string, unknown>[]> {
  const rows = await q.query<{ data: Record<string, unknown> }>(
    `select data from records where org_id = $1 and tbl = 'labels' and data->>'datasetId' = $2 order by seq`,
    [orgId, datasetId],
  );
  return rows.map((r) => r.data);
}
