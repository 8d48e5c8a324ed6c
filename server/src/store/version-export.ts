import type { Queryable } from './db.js';

/**
 * A model version's record and its project's record as the organisation stores them, for an
 * export (not trusted to have any shape: the caller parses them).
 */
export async function versionWithProject(db: Queryable, orgId: string, versionId: string): Promise<{ version: unknown; project: unknown } | undefined> {
  const [v] = await db.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'model_versions' and id = $2`, [orgId, versionId]);
  if (!v) return undefined;
  const projectId = (v.data as { projectId?: unknown } | null)?.projectId;
  const [p] =
    typeof projectId === 'string'
      ? await db.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'projects' and id = $2`, [orgId, projectId])
      : [];
  return { version: v.data, project: p?.data };
}
