import { Rating, RatingStudy } from '@shared/schema/human.js';
import { ModelVersion } from '@shared/schema/records.js';
import type { Queryable } from './db.js';

/** The most studies of one project the console lists (newest first). */
export const STUDIES_LIST_LIMIT = 50;

/** Records of one table parsed through its schema; one that no longer parses is left out rather than breaking the page. */
function parsed<T>(rows: { data: unknown }[], schema: { safeParse(x: unknown): { success: boolean; data?: T } }): T[] {
  return rows.flatMap((r) => {
    const p = schema.safeParse(r.data);
    return p.success ? [p.data as T] : [];
  });
}

/** One model version of the organisation, as synced (undefined when it has none by that id or it does not parse). */
export async function versionRecord(db: Queryable, orgId: string, id: string): Promise<ModelVersion | undefined> {
  const rows = await db.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'model_versions' and id = $2`, [orgId, id]);
  return parsed(rows, ModelVersion)[0];
}

/** The versions of one project, for naming the versions a study compares. */
export async function projectVersionRecords(db: Queryable, orgId: string, projectId: string): Promise<ModelVersion[]> {
  const rows = await db.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'model_versions' and data->>'projectId' = $2`, [
    orgId,
    projectId,
  ]);
  return parsed(rows, ModelVersion);
}

/** A project's rating studies as synced, newest first, without deleted ones. */
export async function projectStudyRecords(db: Queryable, orgId: string, projectId: string): Promise<RatingStudy[]> {
  const rows = await db.query<{ data: unknown }>(
    `select data from records where org_id = $1 and tbl = 'rating_studies' and data->>'projectId' = $2 order by seq desc limit $3`,
    [orgId, projectId, STUDIES_LIST_LIMIT],
  );
  return parsed(rows, RatingStudy).filter((s) => !s.deleted);
}

/** Every rating of these studies, from every device. */
export async function studyRatingRecords(db: Queryable, orgId: string, studyIds: string[]): Promise<Rating[]> {
  if (!studyIds.length) return [];
  const rows = await db.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'ratings' and data->>'studyId' = any($2::text[])`, [
    orgId,
    studyIds,
  ]);
  return parsed(rows, Rating);
}
