import { DatasetMeta, Project } from '@shared/schema/records.js';
import { DatasetVersion } from '@shared/schema/dataset-version.js';
import { Label } from '@shared/labels/label.js';
import type { Queryable } from './db.js';
import { datasetLabelRecords } from './labels.js';

/** Records parsed through their schema; one that no longer parses is counted, not shown. */
function parsed<T>(rows: { data: unknown }[], schema: { safeParse(x: unknown): { success: boolean; data?: T } }): { ok: T[]; unread: number } {
  const ok: T[] = [];
  for (const r of rows) {
    const p = schema.safeParse(r.data);
    if (p.success) ok.push(p.data as T);
  }
  return { ok, unread: rows.length - ok.length };
}

export interface ProjectData {
  project: Project;
  /** The project's datasets, not deleted, oldest first. */
  datasets: DatasetMeta[];
  /** Every dataset of the project, deleted ones too: their personal marks still count (projectPersonal). */
  allDatasets: DatasetMeta[];
  /** Versions of those datasets, not deleted. */
  versions: DatasetVersion[];
  /** Records of the three tables that no longer parse (left out). */
  unread: number;
}

/** A project's datasets and their versions as synced, or undefined when the organisation has no such project. */
export async function projectData(q: Queryable, orgId: string, projectId: string): Promise<ProjectData | undefined> {
  const [row] = await q.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'projects' and id = $2`, [orgId, projectId]);
  const project = Project.safeParse(row?.data);
  if (!project.success || project.data.deleted) return undefined;
  const of = (tbl: string) =>
    q.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = $2 and data->>'projectId' = $3 order by seq`, [orgId, tbl, projectId]);
  const datasets = parsed(await of('datasets'), DatasetMeta);
  const versions = parsed(await of('dataset_versions'), DatasetVersion);
  const live = datasets.ok.filter((d) => !d.deleted);
  const ids = new Set(live.map((d) => d.id));
  return {
    project: project.data,
    datasets: live.sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name)),
    allDatasets: datasets.ok,
    versions: versions.ok.filter((v) => !v.deleted && ids.has(v.datasetId)),
    unread: datasets.unread + versions.unread,
  };
}

/** The labels of one dataset (every record, the history), those that parse. */
export async function datasetLabels(q: Queryable, orgId: string, datasetId: string): Promise<Label[]> {
  return parsed(
    (await datasetLabelRecords(q, orgId, datasetId)).map((data) => ({ data })),
    Label,
  ).ok;
}

/** The most projects the console's front page lists (newest first). */
export const PROJECTS_LIST_LIMIT = 100;

/** The organisation's projects, not deleted, newest first: the front page links to each one's pages. */
export async function projectList(q: Queryable, orgId: string): Promise<Project[]> {
  const rows = await q.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'projects' order by seq desc limit $2`, [
    orgId,
    PROJECTS_LIST_LIMIT,
  ]);
  return parsed(rows, Project).ok.filter((p) => !p.deleted);
}
