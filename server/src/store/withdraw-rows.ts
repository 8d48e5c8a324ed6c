import { mergeChange } from '@shared/sync/merge.js';
import { columnsBreakingMarks } from '@shared/data/withdraw.js';
import { loggablePredictions, publicColumns, type PersonalChoice } from '@shared/data/privacy.js';
import type { DatasetVersion } from '@shared/schema/dataset-version.js';
import type { Queryable } from './db.js';
import type { RecordSeq } from './record-writes.js';
import { projectMarks, projectSalt } from './personal-marks.js';

type Row = { id: string; data: Pick<DatasetVersion, 'columns' | 'rows'> & Record<string, unknown>; hlc: Record<string, string> };

/**
 * A column marked personal after its rows were sent: every version of the dataset whose shared
 * rows file holds that column in a form the mark forbids loses its file. The version's `rows`
 * is cleared (null, stamped with the mark's own stamp, so a device that later shares the version
 * again with the mark followed wins by the usual per-field rule) and pulled by every device, which
 * then drops its copy; the file's bytes leave the organisation (and the server, when no other
 * organisation holds the same bytes). Every version's column summary drops the marked columns'
 * values too (their most frequent values, lowest, highest, mean). Runs and model versions made from those rows keep their
 * figures; the rows themselves stay only on the phone that made them. Runs in the mark's push
 * transaction, after the dataset record is written. Returns how many versions lost their file.
 */
export async function withdrawRowsBreakingMarks(
  q: Queryable,
  seq: RecordSeq,
  orgId: string,
  datasetId: string,
  personal: Record<string, PersonalChoice> | undefined,
  hlc: string,
): Promise<number> {
  if (!personal || !Object.keys(personal).length) return 0;
  const versions = await q.query<Row>(
    `select id, data, hlc from records where org_id = $1 and tbl = 'dataset_versions' and data->>'datasetId' = $2 for update`,
    [orgId, datasetId],
  );
  const files = new Set<string>();
  let withdrawn = 0;
  for (const v of versions) {
    // The column summaries of older versions showed the column's most frequent values, its
    // lowest, highest and mean: those go as well, as for a column marked before it was sent.
    const fields: Record<string, unknown> = {};
    const columns = publicColumns(v.data.columns, personal);
    if (JSON.stringify(columns) !== JSON.stringify(v.data.columns)) fields.columns = columns;
    const breaks = columnsBreakingMarks(personal, v.data).length > 0;
    if (breaks) fields.rows = null;
    if (!Object.keys(fields).length) continue;
    const { state, changed } = mergeChange('dataset_versions', v, hlc, fields);
    if (!changed) continue;
    if (breaks && state.data.rows === null) {
      files.add(v.data.rows!.hash);
      withdrawn++;
    }
    await q.query(
      `update records set data = $4::jsonb, hlc = $5::jsonb, seq = $6, device_id = null, updated_at = now() where org_id = $1 and tbl = $2 and id = $3`,
      [orgId, 'dataset_versions', v.id, JSON.stringify(state.data), JSON.stringify(state.hlc), await seq.take(1)],
    );
  }
  for (const hash of files) await dropFileIfUnnamed(q, orgId, hash);
  return withdrawn;
}

/** The organisation lets go of a rows file no version of it names any more; the bytes go when nobody holds them. */
export async function dropFileIfUnnamed(q: Queryable, orgId: string, hash: string): Promise<void> {
  // Two versions (of any dataset) may share one file: it stays while a version still names it.
  const named = await q.query(`select 1 from records where org_id = $1 and tbl = 'dataset_versions' and data->'rows'->>'hash' = $2 limit 1`, [orgId, hash]);
  if (named.length) return;
  await q.query(`delete from blob_owners where hash = $1 and org_id = $2`, [hash, orgId]);
  await q.query(`delete from blob_chunks where hash = $1 and org_id = $2`, [hash, orgId]);
  const others = await q.query(`select 1 from blob_owners where hash = $1 limit 1`, [hash]);
  if (others.length) return;
  await q.query(`delete from blob_parts where hash = $1`, [hash]);
  await q.query(`delete from blobs where hash = $1`, [hash]);
}

/**
 * A version pushed by a phone that had not heard of a mark yet (it made the version offline):
 * its rows file is not taken when it breaks the dataset's marks as the server holds them. The
 * version is kept without it (rows null, pulled back by that phone too), and the file is let go.
 * Returns the fields to merge and the file to let go after the write, if any.
 */
export async function withoutForbiddenRows(
  q: Queryable,
  orgId: string,
  fields: Record<string, unknown>,
  current: Record<string, unknown> | undefined,
): Promise<{ fields: Record<string, unknown>; drop?: string }> {
  const rows = fields.rows as DatasetVersion['rows'];
  if (!rows) return { fields };
  const datasetId = String(fields.datasetId ?? current?.datasetId ?? '');
  const [d] = await q.query<{ personal: Record<string, PersonalChoice> | null }>(
    `select data->'personal' as personal from records where org_id = $1 and tbl = 'datasets' and id = $2`,
    [orgId, datasetId],
  );
  const personal = d?.personal ?? undefined;
  const columns = (fields.columns ?? current?.columns ?? []) as DatasetVersion['columns'];
  const scrubbed = fields.columns ? { ...fields, columns: publicColumns(columns, personal) } : fields;
  if (!columnsBreakingMarks(personal, { columns, rows }).length) return { fields: scrubbed };
  return { fields: { ...scrubbed, rows: null }, drop: rows.hash };
}

/**
 * The prediction log written before a column was marked personal: every prediction of the project
 * that holds the column's value as it was typed, in its inputs or its kept attributes, gets the
 * value the log would hold now (privacy.ts `loggablePredictions`): null for `never`, the salted
 * hash for `hash` (null while the project has no salt). The hash is computed here in SQL, the same
 * SHA-256 of "outpost-personal-1\n" + salt + "\n" + value.trim() (sha256() is built into Postgres
 * 11 and later, and PGlite). Values already a 64-hex code are left alone, so running it again
 * changes nothing. Predictions are append-only and never pulled by phones: nothing else to tell.
 * The day counts the monitors read (monitor_days) are rewritten beside it (day-marks.ts).
 * Returns how many predictions changed.
 */
export async function scrubPredictionLog(
  q: Queryable,
  orgId: string,
  projectId: string,
  personal: Record<string, PersonalChoice> | undefined,
  ids?: string[],
): Promise<number> {
  if (!personal || !Object.keys(personal).length || ids?.length === 0) return 0;
  const salt = await projectSalt(q, orgId, projectId);
  let changed = 0;
  for (const [column, choice] of Object.entries(personal)) {
    for (const part of ['inputs', 'attributes']) {
      const params: unknown[] = [orgId, projectId, column];
      const value = `data->'${part}'->>$3`;
      let replaced = `'null'::jsonb`;
      if (choice === 'hash' && salt) {
        params.push(salt);
        replaced = `to_jsonb(encode(sha256(convert_to('outpost-personal-1' || chr(10) || $${params.length}::text || chr(10) || btrim(${value}, E' \t\n\r'), 'UTF8')), 'hex'))`;
      }
      let only = '';
      if (ids) {
        params.push(ids);
        only = `and id = any($${params.length}::text[])`;
      }
      const rows = await q.query(
        `update records set data = jsonb_set(data, array['${part}', $3::text], ${replaced})
           where org_id = $1 and tbl = 'predictions' and data->>'projectId' = $2 ${only} and data->'${part}' ? $3 and ${value} is not null
             ${choice === 'hash' ? `and ${value} !~ '^[0-9a-f]{64}$'` : ''}
           returning id`,
        params,
      );
      changed += rows.length;
    }
  }
  return changed;
}

/**
 * Predictions pushed by a phone that logged them before it heard of a mark (offline): cleaned
 * before they are stored, by the rule the phone follows (privacy.ts `loggablePredictions`: null
 * for `never`, the project's salted hash for `hash`, an input derived from a marked column
 * following its column), so the raw value is never written, not even in a row version a later
 * update would leave behind. Read inside the push's transaction after the organisation's record
 * lock, so a mark committed before is seen, and one committed after scrubs these rows in its own
 * (scrubPredictionLog). One query for the marks and one for the salt per project in the batch.
 */
export async function loggablePushedPredictions<C extends { id: string; fields: Record<string, unknown> }>(
  q: Queryable,
  orgId: string,
  predictions: C[],
): Promise<C[]> {
  const byProject = new Map<string, C[]>();
  for (const p of predictions) {
    const projectId = String(p.fields.projectId ?? '');
    const same = byProject.get(projectId);
    if (same) same.push(p);
    else byProject.set(projectId, [p]);
  }
  const clean = new Map<C, C>();
  for (const [projectId, changes] of byProject) {
    const personal = await projectMarks(q, orgId, projectId);
    if (!Object.keys(personal).length) continue;
    const salt = await projectSalt(q, orgId, projectId);
    const versions = [...new Set(changes.map((c) => String(c.fields.modelVersionId ?? '')))];
    const rows = await q.query<{ id: string; features: unknown }>(
      `select id, data->'pipeline'->'features' as features from records where org_id = $1 and tbl = 'model_versions' and id = any($2::text[])`,
      [orgId, versions],
    );
    const featuresOf = new Map(rows.map((r) => [r.id, Array.isArray(r.features) ? (r.features as { name: string; source?: { column: string } }[]) : []]));
    for (const versionId of versions) {
      const mine = changes.filter((c) => String(c.fields.modelVersionId ?? '') === versionId);
      const logged = await loggablePredictions(
        mine.map((c) => c.fields as Logged),
        personal,
        salt,
        featuresOf.get(versionId),
      );
      mine.forEach((c, i) => clean.set(c, { ...c, fields: logged[i] }));
    }
  }
  return predictions.map((p) => clean.get(p) ?? p);
}

type Logged = Record<string, unknown> & { inputs: Record<string, string | number | null>; attributes?: Record<string, string | number | null> };
