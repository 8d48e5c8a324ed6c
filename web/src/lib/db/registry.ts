import type { ModelAlias, Proposal, RegistryEvent } from '@shared/schema/registry.js';
import type { OutpostDb } from './db.js';
import { CREDENTIAL_KEY } from '../sync/credential.js';

/**
 * The registry as this device last pulled it: each version's history, proposals and aliases
 * (written by the server only), and whether this device belongs to an organisation (then its
 * moves to production are proposals an ML lead approves).
 */

/** A version's history, newest first. */
export async function versionHistory(db: OutpostDb, modelVersionId: string): Promise<RegistryEvent[]> {
  return (await db.registry_events.where('modelVersionId').equals(modelVersionId).toArray()).sort((a, b) => b.at - a.at);
}

/** The proposals of a project's versions, newest first. */
export async function projectProposals(db: OutpostDb, projectId: string): Promise<Proposal[]> {
  return (await db.proposals.where('projectId').equals(projectId).toArray()).sort((a, b) => b.at - a.at);
}

/** A project's aliases. */
export async function projectAliases(db: OutpostDb, projectId: string): Promise<ModelAlias[]> {
  return db.model_aliases.where('projectId').equals(projectId).toArray();
}

/** Moves to production this device has queued and the server has not answered yet (shown as proposals). */
export async function queuedPromotions(db: OutpostDb): Promise<Set<string>> {
  const rows = await db.outbox.where('[table+id]').between(['stage_changes', ''], ['stage_changes', '\uffff']).toArray();
  return new Set(rows.filter((r) => r.fields.to === 'production').map((r) => String(r.fields.modelVersionId)));
}

/** Whether this device is connected to an organisation. */
export async function inOrganisation(db: OutpostDb): Promise<boolean> {
  return !!(await db.kv.get(CREDENTIAL_KEY));
}
