import { DatasetMeta } from '@shared/schema/records.js';
import { projectPersonal, type PersonalChoice } from '@shared/data/privacy.js';
import type { Queryable } from './db.js';

/**
 * The `personal` marks of every dataset record of a project, deleted ones too (projectPersonal in
 * shared/src/data/privacy.ts says why), for the prediction log to leave out or hash. The one query
 * for them: the server's own predictions (serving) and those pushed by phones (sync) read it.
 */
export async function personalMarks(q: Queryable, orgId: string, projectId: string): Promise<{ personal?: Record<string, PersonalChoice> }[]> {
  const rows = await q.query<{ personal: unknown }>(
    `select data->'personal' as personal from records where org_id = $1 and tbl = 'datasets' and data->>'projectId' = $2 and data ? 'personal'`,
    [orgId, projectId],
  );
  return rows.flatMap((r) => {
    const p = DatasetMeta.shape.personal.safeParse(r.personal);
    return p.success && p.data ? [{ personal: p.data }] : [];
  });
}

/** A project's marks merged, the stricter choice winning (projectPersonal). */
export async function projectMarks(q: Queryable, orgId: string, projectId: string): Promise<Record<string, PersonalChoice>> {
  return projectPersonal(await personalMarks(q, orgId, projectId));
}

/** The project's salt for hashed personal values (rowSalt), or undefined while it has none. */
export async function projectSalt(q: Queryable, orgId: string, projectId: string): Promise<string | undefined> {
  const [row] = await q.query<{ salt: string | null }>(`select data->>'rowSalt' as salt from records where org_id = $1 and tbl = 'projects' and id = $2`, [
    orgId,
    projectId,
  ]);
  return row?.salt ?? undefined;
}
