import type { Project } from '@shared/schema/records.js';
import { ProjectMonitoring } from '@shared/schema/monitoring.js';
import { Gates } from '@shared/registry/gates.js';
import type { OutpostDb } from './db.js';
import { newId, patchRecord, putRecord } from './mutate.js';
import { SaidError } from '../said-error.js';

export async function createProject(db: OutpostDb, name: string, now = Date.now()): Promise<Project> {
  const trimmed = name.trim();
  if (!trimmed) throw new SaidError('bad_request', { key: 'error.projectName' });
  return putRecord(db, 'projects', { id: newId(), name: trimmed, description: '', createdAt: now });
}

export async function listProjects(db: OutpostDb): Promise<Project[]> {
  const all = await db.projects.orderBy('createdAt').reverse().toArray();
  return all.filter((p) => !p.deleted);
}

/** One project, or undefined when it is not on this device (deleted ones included: the screen says so). */
export async function getProject(db: OutpostDb, id: string): Promise<Project | undefined> {
  return db.projects.get(id);
}

/**
 * Change some of a project's monitor settings (fairness, thresholds, drift window, retraining
 * rules, business figures); each setting is its own synced field, so two people changing
 * different settings on two devices both keep theirs.
 */
export async function updateProjectMonitoring(db: OutpostDb, projectId: string, fields: Partial<ProjectMonitoring>, now = Date.now()): Promise<void> {
  const parsed = ProjectMonitoring.partial().parse(fields);
  await patchRecord(db, 'projects', projectId, parsed, now);
}

/** Set a project's promotion gates (one synced field). */
export async function updateProjectGates(db: OutpostDb, projectId: string, gates: Gates, now = Date.now()): Promise<void> {
  await patchRecord(db, 'projects', projectId, { gates: Gates.parse(gates) }, now);
}
