import { v7 as uuidv7 } from 'uuid';
import { mayPromote, type Actor, type ModelAlias, type Proposal, type RegistryEvent } from '@shared/schema/registry.js';
import type { Stage } from '@shared/schema/records.js';
import { stageMoveAllowed, type StageChange } from '@shared/sync/stages.js';
import { aliasId } from '@shared/sync/registry-ids.js';
import type { Queryable } from './db.js';
import { lockRecords, type RecordSeq, type WriteOutcome } from './record-writes.js';
import { followPromotion } from './deployments.js';
import type { GateRefusal } from '@shared/registry/gates.js';

/**
 * The model registry on the server: stage moves by compare-and-set, who may make them, proposals
 * and their approval, aliases, and the history of all of it. Every change writes its history
 * record (and proposal or alias) in the same transaction as the move, as records of the
 * organisation that every device pulls; devices never write them.
 */

type Row = { id: string; data: Record<string, unknown>; hlc: Record<string, string> };
export type RegistryOutcome = Exclude<WriteOutcome, 'ignored'> | 'proposed';

/** Write a record only the server writes (history, proposals, aliases), with the next sequence number. */
export async function writeServerRecord(
  q: Queryable,
  seq: RecordSeq,
  orgId: string,
  tbl: string,
  id: string,
  data: object,
  hlc: string,
  actor: Actor,
): Promise<void> {
  await q.query(
    `insert into records (org_id, tbl, id, data, hlc, seq, device_id) values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7)
     on conflict (org_id, tbl, id) do update set data = excluded.data, hlc = excluded.hlc, seq = excluded.seq, device_id = excluded.device_id, updated_at = now()`,
    [orgId, tbl, id, JSON.stringify(data), JSON.stringify({ '*': hlc }), await seq.take(1), actor.kind === 'device' ? actor.id : null],
  );
}

async function event(q: Queryable, seq: RecordSeq, orgId: string, hlc: string, e: Omit<RegistryEvent, 'id'>): Promise<void> {
  const id = uuidv7();
  await writeServerRecord(q, seq, orgId, 'registry_events', id, { id, ...e }, hlc, e.actor);
}

async function versionRow(q: Queryable, orgId: string, id: string): Promise<Row | undefined> {
  return (await q.query<Row>(`select id, data, hlc from records where org_id = $1 and tbl = 'model_versions' and id = $2 for update`, [orgId, id]))[0];
}

/** What a move needs beyond compare-and-set: the checks that may refuse it (promotion gates). */
export type GateCheck = (q: Queryable, orgId: string, version: Record<string, unknown>, s: StageChange) => Promise<GateRefusal | null>;

/**
 * Move a model version's stage by compare-and-set: it must be in `from` now, the move must be
 * allowed, and the one who moves it must be allowed to. Making a version the production version,
 * or archiving the production version, needs a person who may promote (an ML lead or an admin):
 * from anyone else the move to production becomes a proposal for such a person to approve, and
 * other moves away from production are refused. Promotion archives the project's current
 * production version, and makes the promoted version the champion of the project's deployment
 * when it has one (a new revision in the same transaction; `followDeployment: false` when the
 * deployment's own change is what promotes it). `gates` may refuse a promotion with a reason.
 * Each outcome is kept in the version's history. Run it inside a transaction: it takes the
 * organisation's record lock itself.
 */
export async function moveStage(
  q: Queryable,
  orgId: string,
  s: StageChange,
  hlc: string,
  actor: Actor,
  gates?: GateCheck,
  { followDeployment = true }: { followDeployment?: boolean } = {},
): Promise<RegistryOutcome> {
  const seq = await lockRecords(q, orgId);
  const row = await versionRow(q, orgId, s.modelVersionId);
  if (!row) return { code: 'not_found', message: 'That model version is not on the server.', reason: { code: 'version_not_found' } };
  const current = row.data.stage as Stage;
  const projectId = String(row.data.projectId);
  const at = s.createdAt;
  const why = s.why ?? '';
  if (current !== s.from) {
    return {
      code: 'conflict',
      message: `This model version is now “${current}” on the server (changed elsewhere); your change to “${s.to}” was not applied.`,
      reason: { code: 'stage_changed', params: { current, to: s.to } },
    };
  }
  if (!stageMoveAllowed(s.from, s.to))
    return {
      code: 'conflict',
      message: `A version cannot move from “${s.from}” to “${s.to}”.`,
      reason: { code: 'stage_move_not_allowed', params: { from: s.from, to: s.to } },
    };
  const promoting = s.to === 'production';
  if ((promoting || s.from === 'production') && !mayPromote(actor.role)) {
    if (!promoting)
      return { code: 'forbidden', message: 'Only an ML lead or an admin can take a version out of production.', reason: { code: 'production_lead_only' } };
    return propose(q, seq, orgId, projectId, s, hlc, actor);
  }
  if (promoting && gates) {
    const failed = await gates(q, orgId, row.data, s);
    if (failed) {
      await event(q, seq, orgId, hlc, { projectId, modelVersionId: s.modelVersionId, kind: 'refused', from: s.from, to: s.to, actor, why: failed.message, at });
      return { code: 'gate_failed', message: failed.message, reason: failed.reason };
    }
  }
  const set = async (r: Row, stage: Stage) =>
    q.query(`update records set data = $4::jsonb, hlc = $5::jsonb, seq = $6, device_id = $7, updated_at = now() where org_id = $1 and tbl = $2 and id = $3`, [
      orgId,
      'model_versions',
      r.id,
      JSON.stringify({ ...r.data, stage }),
      JSON.stringify({ ...r.hlc, stage: hlc }),
      await seq.take(1),
      actor.kind === 'device' ? actor.id : null,
    ]);
  if (promoting) {
    const others = await q.query<Row>(
      `select id, data, hlc from records where org_id = $1 and tbl = 'model_versions' and id <> $2 and data->>'projectId' = $3 and data->>'stage' = 'production' for update`,
      [orgId, s.modelVersionId, projectId],
    );
    for (const o of others) {
      await set(o, 'archived');
      await event(q, seq, orgId, hlc, {
        projectId,
        modelVersionId: o.id,
        kind: 'moved',
        from: 'production',
        to: 'archived',
        actor,
        why: 'Another version became production.',
        at,
      });
    }
  }
  await set(row, s.to);
  await event(q, seq, orgId, hlc, { projectId, modelVersionId: s.modelVersionId, kind: 'moved', from: s.from, to: s.to, actor, why, at });
  if (promoting && followDeployment) await followPromotion(q, seq, orgId, projectId, s.modelVersionId, Number(row.data.version), actor, hlc, at);
  return 'applied';
}

/** A pending proposal of a version (one at a time per version). */
async function pendingProposal(q: Queryable, orgId: string, modelVersionId: string): Promise<Proposal | undefined> {
  const rows = await q.query<{ data: Proposal }>(
    `select data from records where org_id = $1 and tbl = 'proposals' and data->>'modelVersionId' = $2 and data->>'status' = 'pending' for update`,
    [orgId, modelVersionId],
  );
  return rows[0]?.data;
}

async function propose(q: Queryable, seq: RecordSeq, orgId: string, projectId: string, s: StageChange, hlc: string, actor: Actor): Promise<RegistryOutcome> {
  if (await pendingProposal(q, orgId, s.modelVersionId)) return 'proposed';
  const p: Proposal = {
    id: s.id,
    projectId,
    modelVersionId: s.modelVersionId,
    to: s.to,
    status: 'pending',
    proposedBy: actor,
    why: s.why ?? '',
    ...(s.measurements ? { measurements: s.measurements } : {}),
    at: s.createdAt,
  };
  await writeServerRecord(q, seq, orgId, 'proposals', p.id, p, hlc, actor);
  await event(q, seq, orgId, hlc, { projectId, modelVersionId: s.modelVersionId, kind: 'proposed', from: s.from, to: s.to, actor, why: p.why, at: p.at });
  return 'proposed';
}

/**
 * Approve or reject a pending proposal. Approving moves the version (gates and compare-and-set
 * as for any move, from the stage it is in now); rejecting only records the decision. Needs a
 * person who may promote.
 */
export async function decideProposal(
  q: Queryable,
  orgId: string,
  proposalId: string,
  approve: boolean,
  why: string,
  actor: Actor,
  now: number,
  hlc: string,
  gates?: GateCheck,
): Promise<RegistryOutcome> {
  if (!mayPromote(actor.role))
    return {
      code: 'forbidden',
      message: 'Only an ML lead or an admin can approve or reject a proposal.',
      reason: { code: 'lead_only', params: { action: 'decide' } },
    };
  const seq = await lockRecords(q, orgId);
  const [row] = await q.query<{ data: Proposal }>(`select data from records where org_id = $1 and tbl = 'proposals' and id = $2 for update`, [
    orgId,
    proposalId,
  ]);
  if (!row) return { code: 'not_found', message: 'That proposal is not on the server.', reason: { code: 'proposal_not_found' } };
  const p = row.data;
  if (p.status !== 'pending')
    return { code: 'conflict', message: `That proposal was already ${p.status}.`, reason: { code: 'proposal_decided', params: { status: p.status } } };
  if (approve) {
    const version = await versionRow(q, orgId, p.modelVersionId);
    if (!version) return { code: 'not_found', message: 'The proposed version is no longer on the server.', reason: { code: 'version_not_found' } };
    const moved = await moveStage(
      q,
      orgId,
      { id: uuidv7(), modelVersionId: p.modelVersionId, from: version.data.stage as Stage, to: p.to, createdAt: now, why, measurements: p.measurements },
      hlc,
      actor,
      gates,
    );
    if (moved !== 'applied') return moved;
  }
  const decided: Proposal = { ...p, status: approve ? 'approved' : 'rejected', decidedBy: actor, decisionWhy: why, decidedAt: now };
  await writeServerRecord(q, seq, orgId, 'proposals', p.id, decided, hlc, actor);
  const kind = approve ? 'approved' : 'rejected';
  await event(q, seq, orgId, hlc, { projectId: p.projectId, modelVersionId: p.modelVersionId, kind, to: p.to, actor, why, at: now });
  return 'applied';
}

/** Point an alias of a model (`champion`) at one of its versions; needs a person who may promote. */
export async function setAlias(
  q: Queryable,
  orgId: string,
  modelVersionId: string,
  alias: string,
  actor: Actor,
  now: number,
  hlc: string,
): Promise<RegistryOutcome> {
  if (!mayPromote(actor.role))
    return { code: 'forbidden', message: 'Only an ML lead or an admin can set an alias.', reason: { code: 'lead_only', params: { action: 'alias' } } };
  const seq = await lockRecords(q, orgId);
  const version = await versionRow(q, orgId, modelVersionId);
  if (!version) return { code: 'not_found', message: 'That model version is not on the server.' };
  const projectId = String(version.data.projectId);
  const modelName = String(version.data.modelName);
  const a: ModelAlias = { id: await aliasId(projectId, modelName, alias), projectId, modelName, alias, modelVersionId, setBy: actor, at: now };
  await writeServerRecord(q, seq, orgId, 'model_aliases', a.id, a, hlc, actor);
  await event(q, seq, orgId, hlc, {
    projectId,
    modelVersionId,
    kind: 'alias',
    alias,
    actor,
    why: `${alias} now points at version ${String(version.data.version)}.`,
    at: now,
  });
  return 'applied';
}

/** The registry's records of an organisation (or of one version), oldest first: history, proposals, aliases. */
export async function registryRecords<T>(
  q: Queryable,
  orgId: string,
  tbl: 'registry_events' | 'proposals' | 'model_aliases',
  modelVersionId?: string,
): Promise<T[]> {
  const rows = await q.query<{ data: T }>(
    `select data from records where org_id = $1 and tbl = $2 and ($3::text is null or data->>'modelVersionId' = $3) order by seq`,
    [orgId, tbl, modelVersionId ?? null],
  );
  return rows.map((r) => r.data);
}
