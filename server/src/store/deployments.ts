import { v7 as uuidv7 } from 'uuid';
import type { ErrorCode, Reason } from '@shared/errors.js';
import { mayPromote, type Actor } from '@shared/schema/registry.js';
import { Deployment, DeploymentEvent, DeploymentState, type DeviceDeploymentStatus } from '@shared/schema/deployment.js';
import { ModelVersion, Prediction, Project, type Stage } from '@shared/schema/records.js';
import { Outcome } from '@shared/schema/monitoring.js';
import { advanceDue, advanced, rollbackReason, rolledBack, switched, type ChallengerHealth } from '@shared/deploy/changes.js';
import { deploymentFigures, type DeploymentFigures } from '@shared/deploy/figures.js';
import { fleetOf } from '@shared/monitor/fleet.js';
import { formatHlc } from '@shared/sync/hlc.js';
import type { Db, Queryable } from './db.js';
import { lockRecords, type RecordSeq } from './record-writes.js';
import { moveStage, writeServerRecord } from './registry.js';
import { serverGates } from './gates.js';
import { fleetInput } from './console.js';

/**
 * Deployments on the server: one record per project (tbl `deployments`, id = the project's id),
 * written only here, by compare-and-set on its revision, with its history (`deployment_events`)
 * in the same transaction. Devices pull the record and follow it offline (shared/src/deploy/).
 *
 * What a change must pass: a person who may promote (or the server's own rules); a state that
 * parses; the revision the person saw; versions of this project that are not deleted, and not
 * archived unless the deployment already names them (switching back); the project's gates for
 * a champion (it is promoted through the registry in the same transaction) and for a canary's or
 * blue-green's challenger (a shadow's answers are hidden, so an unproven version may earn its
 * figures there); and for blue-green's switch, the new colour ready on every recent device.
 */

export type DeploymentChangeKind = 'changed' | 'advanced' | 'switched' | 'rolled_back';
export type DeploymentOutcome = { deployment: Deployment } | { code: ErrorCode; message: string; reason?: Reason };

/** Who the automatic rules act as. */
export const SERVER_ACTOR: Actor = { kind: 'server', id: 'server', name: 'Outpost server' };
/** Devices seen within this long must have blue-green's new colour before the switch. */
export const READY_WINDOW_DAYS = 14;
/** Most deployed predictions the figures read (the newest). */
export const FIGURES_LIMIT = 50_000;

type VersionData = Record<string, unknown>;
const versionNo = (v: VersionData) => `Version ${String(v.version ?? '?')}`;
const refused = (code: ErrorCode, message: string, reason?: Reason): DeploymentOutcome => ({ code, message, ...(reason ? { reason } : {}) });
/** A version that fails its gates in a deployment: the gates' reason, with which part it was to take. */
const gatesFailedAs = (reason: Reason | undefined, role: 'challenger' | 'champion', v: VersionData): Reason => ({
  code: 'gates_failed',
  params: { ...reason?.params, role, version: String(v.version ?? '?') },
});

/** The project's deployment, or null (a stored record that no longer parses counts as none). */
export async function readDeployment(q: Queryable, orgId: string, projectId: string, lock = false): Promise<Deployment | null> {
  const [row] = await q.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'deployments' and id = $2${lock ? ' for update' : ''}`, [
    orgId,
    projectId,
  ]);
  const d = Deployment.safeParse(row?.data);
  return d.success ? d.data : null;
}

/** A project (not deleted) and its versions that are not deleted, newest first; undefined when there is no such project. */
export async function projectVersions(q: Queryable, orgId: string, projectId: string): Promise<{ project: Project; versions: ModelVersion[] } | undefined> {
  const [row] = await q.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'projects' and id = $2`, [orgId, projectId]);
  const project = Project.safeParse(row?.data);
  if (!project.success || project.data.deleted) return undefined;
  const rows = await q.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'model_versions' and data->>'projectId' = $2`, [
    orgId,
    projectId,
  ]);
  const versions = rows
    .flatMap((r) => {
      const v = ModelVersion.safeParse(r.data);
      return v.success && !v.data.deleted ? [v.data] : [];
    })
    .sort((a, b) => b.version - a.version || a.modelName.localeCompare(b.modelName));
  return { project: project.data, versions };
}

/** The deployment's history, newest first. */
export async function deploymentEvents(q: Queryable, orgId: string, projectId: string, limit = 200): Promise<DeploymentEvent[]> {
  const rows = await q.query<{ data: unknown }>(
    `select data from records where org_id = $1 and tbl = 'deployment_events' and data->>'projectId' = $2 order by seq desc limit $3`,
    [orgId, projectId, limit],
  );
  return rows.flatMap((r) => {
    const e = DeploymentEvent.safeParse(r.data);
    return e.success ? [e.data] : [];
  });
}

async function writeEvent(q: Queryable, seq: RecordSeq, orgId: string, hlc: string, e: Omit<DeploymentEvent, 'id'>): Promise<void> {
  const id = uuidv7();
  await writeServerRecord(q, seq, orgId, 'deployment_events', id, DeploymentEvent.parse({ id, ...e }), hlc, e.actor);
}

async function writeRevision(
  q: Queryable,
  seq: RecordSeq,
  orgId: string,
  projectId: string,
  current: Deployment | null,
  state: DeploymentState,
  change: { actor: Actor; why: string; at: number; hlc: string; kind: DeploymentChangeKind },
): Promise<Deployment> {
  const { actor, why, at, hlc, kind } = change;
  const revision = (current?.revision ?? 0) + 1;
  const d = Deployment.parse({ id: projectId, projectId, revision, state, changedBy: actor, why, at });
  await writeServerRecord(q, seq, orgId, 'deployments', projectId, d, hlc, actor);
  await writeEvent(q, seq, orgId, hlc, { projectId, kind, revision, before: current?.state ?? null, after: state, actor, why, at });
  return d;
}

const stateIssues = (err: { issues: { message: string }[] }) =>
  `The deployment was not changed: ${[...new Set(err.issues.slice(0, 3).map((i) => i.message))].join('; ')}.`;

/** Check one version a state names: of this organisation and project, not deleted, not archived unless already named. */
async function namedVersion(
  q: Queryable,
  orgId: string,
  projectId: string,
  id: string,
  named: Set<string>,
): Promise<{ data: VersionData } | { refusal: string }> {
  const [row] = await q.query<{ data: VersionData }>(`select data from records where org_id = $1 and tbl = 'model_versions' and id = $2`, [orgId, id]);
  if (!row || row.data.deleted === true)
    return { refusal: `There is no model version ${id} in this organisation (it may have been deleted); choose another version.` };
  if (row.data.projectId !== projectId) return { refusal: `${versionNo(row.data)} belongs to another project; choose a version of this project.` };
  if (row.data.stage === 'archived' && !named.has(id))
    return { refusal: `${versionNo(row.data)} was archived; choose another version, or move it back to staging first.` };
  return { data: row.data };
}

/** The newest proposal's device measurements of a version (the latency and memory gates read them). */
async function newestMeasurements(q: Queryable, orgId: string, versionId: string) {
  const [row] = await q.query<{ data: { measurements?: never } }>(
    `select data from records where org_id = $1 and tbl = 'proposals' and data->>'modelVersionId' = $2 order by seq desc limit 1`,
    [orgId, versionId],
  );
  return row?.data.measurements;
}

/** Recent devices of the organisation that do not report `versionId` ready, and how many recent devices there are. */
export async function notReady(q: Queryable, orgId: string, versionId: string): Promise<{ total: number; missing: string[] }> {
  // The window is the database's clock, the one that stamps last_seen_at.
  const rows = await q.query<{ name: string; ready: unknown }>(
    `select name, ready from devices where org_id = $1 and revoked_at is null and last_seen_at > now() - interval '${READY_WINDOW_DAYS} days' order by name, id`,
    [orgId],
  );
  const missing = rows.filter((r) => !(Array.isArray(r.ready) && r.ready.includes(versionId))).map((r) => r.name);
  return { total: rows.length, missing };
}

const isSwitch = (current: Deployment | null, s: DeploymentState) =>
  !!current &&
  current.state.mode === 'blue_green' &&
  s.mode === 'blue_green' &&
  s.champion !== null &&
  s.champion === current.state.challenger &&
  s.champion !== current.state.champion;

/**
 * Change a project's deployment (see the module comment), inside a transaction. A refusal by a
 * gate or by readiness is kept in the history and returned, like moveStage's: the caller commits
 * and then answers the refusal. Other refusals write nothing.
 */
export async function changeDeployment(
  q: Queryable,
  orgId: string,
  projectId: string,
  req: { expectedRevision: number; state: unknown; why: string; force?: boolean },
  actor: Actor,
  now: number,
  hlc: string,
  kind: DeploymentChangeKind,
): Promise<DeploymentOutcome> {
  if (!mayPromote(actor.role) && actor.kind !== 'server') return refused('forbidden', 'Only an ML lead or an admin can change a deployment.');
  const parsed = DeploymentState.safeParse(req.state);
  if (!parsed.success) return refused('bad_request', stateIssues(parsed.error));
  const state = parsed.data;
  const why = req.why.slice(0, 1000);
  const seq = await lockRecords(q, orgId);
  const [projectRow] = await q.query<{ data: VersionData }>(`select data from records where org_id = $1 and tbl = 'projects' and id = $2`, [orgId, projectId]);
  if (!projectRow || projectRow.data.deleted === true) return refused('not_found', 'There is no project with that id in your organisation.');
  const current = await readDeployment(q, orgId, projectId, true);
  const revision = current?.revision ?? 0;
  if (revision !== req.expectedRevision) {
    return refused(
      'conflict',
      current
        ? `Someone else changed this deployment first (now revision ${revision}, by ${current.changedBy.name}: ${current.why || 'no reason given'}). Reload the page to see it and try again.`
        : `This project has no deployment yet (you expected revision ${req.expectedRevision}). Reload the page and try again.`,
    );
  }
  const named = new Set([current?.state.champion, current?.state.challenger].filter((x): x is string => !!x));
  const versions = new Map<string, VersionData>();
  for (const id of [state.champion, state.challenger]) {
    if (!id) continue;
    const v = await namedVersion(q, orgId, projectId, id, named);
    if ('refusal' in v) return refused('bad_request', v.refusal);
    versions.set(id, v.data);
  }
  if (state.level === 'partial') {
    const valued = [...versions.values()].find((v) => v.task !== 'classification');
    if (valued)
      return refused(
        'bad_request',
        `Partial automation needs a model that says how sure it is (a classifier); ${versionNo(valued).toLowerCase()} answers with a value. Choose assistance or full automation.`,
      );
  }
  const refuse = async (code: ErrorCode, message: string, reason?: Reason) => {
    await writeEvent(q, seq, orgId, hlc, { projectId, kind: 'refused', revision, before: current?.state ?? null, after: state, actor, why: message, at: now });
    return refused(code, message, reason);
  };
  // A challenger that answers cases (canary) or is about to (blue-green) passes the gates a champion would.
  const challenger = state.challenger ? versions.get(state.challenger) : undefined;
  if (challenger && state.challenger && (state.mode === 'canary' || state.mode === 'blue_green') && !named.has(state.challenger)) {
    const measurements = await newestMeasurements(q, orgId, state.challenger);
    const failed = await serverGates()(q, orgId, challenger, {
      id: uuidv7(),
      modelVersionId: state.challenger,
      from: challenger.stage as Stage,
      to: 'production',
      createdAt: now,
      ...(measurements ? { measurements } : {}),
    });
    if (failed)
      return refuse(
        'gate_failed',
        `${versionNo(challenger)} cannot be the challenger yet: ${failed.message}`,
        gatesFailedAs(failed.reason, 'challenger', challenger),
      );
  }
  if (isSwitch(current, state) && !req.force) {
    const { total, missing } = await notReady(q, orgId, state.champion!);
    if (missing.length) {
      const names = missing.slice(0, 3).join(', ') + (missing.length > 3 ? ` and ${missing.length - 3} more` : '');
      return refuse(
        'conflict',
        `${missing.length} of ${total} devices do not have ${versionNo(versions.get(state.champion!)!).toLowerCase()} ready yet (${names}). Wait until they have synced, or switch even if not every device is ready (those answer with the version they have until they download it).`,
      );
    }
  }
  const champion = state.champion ? versions.get(state.champion) : undefined;
  // The rules only move a canary along or stop it: they never make a version the production version.
  if (champion && state.champion && champion.stage !== 'production' && actor.kind !== 'server') {
    const move = { id: uuidv7(), modelVersionId: state.champion, from: champion.stage as Stage, to: 'production' as const, createdAt: now, why };
    const moved = await moveStage(q, orgId, move, hlc, actor, serverGates(), { followDeployment: false });
    if (moved === 'proposed') return refused('forbidden', 'Only an ML lead or an admin can make a version the production version.');
    if (moved !== 'applied') {
      if (moved.code === 'gate_failed')
        return refuse('gate_failed', `${versionNo(champion)} cannot be the champion: ${moved.message}`, gatesFailedAs(moved.reason, 'champion', champion));
      return refused(moved.code as ErrorCode, moved.message, moved.reason);
    }
  }
  return { deployment: await writeRevision(q, seq, orgId, projectId, current, state, { actor, why, at: now, hlc, kind }) };
}

/**
 * The registry's side of the coupling: a version became the production version (a promotion in
 * the console, by a person's device, or an approved proposal) and the project's deployment names
 * another champion, so the deployment follows in the same transaction. A promoted challenger ends
 * the trial (one model again); any other version takes the champion's place.
 */
export async function followPromotion(
  q: Queryable,
  seq: RecordSeq,
  orgId: string,
  projectId: string,
  versionId: string,
  versionNumber: number,
  actor: Actor,
  hlc: string,
  at: number,
): Promise<void> {
  const current = await readDeployment(q, orgId, projectId, true);
  if (!current || current.state.champion === versionId) return;
  const s = current.state;
  const single: DeploymentState = {
    mode: 'single',
    champion: versionId,
    challenger: null,
    level: s.level,
    ...(s.confidence !== undefined ? { confidence: s.confidence } : {}),
  };
  const replaced = DeploymentState.safeParse({ ...s, champion: versionId });
  const state = s.challenger === versionId || !replaced.success ? single : replaced.data;
  const why = `Version ${versionNumber} became the production version in the registry.`;
  await writeRevision(q, seq, orgId, projectId, current, state, { actor, why, at, hlc, kind: 'changed' });
}

/** What the rules read of a canary's challenger: its fleet monitor, drift found anywhere, and its answers at this step. */
export async function challengerHealth(q: Queryable, orgId: string, d: Deployment): Promise<ChallengerHealth> {
  const id = d.state.challenger ?? '';
  const input = await fleetInput(q, orgId, id);
  const fleet = fleetOf(input).find((f) => f.version.id === id);
  const deviceDrift = input.verdicts.some((v) => v.verdict.modelVersionId === id && v.verdict.drift?.drifted);
  const [{ n }] = await q.query<{ n: number }>(
    `select count(*)::int as n from records where org_id = $1 and tbl = 'predictions' and data->>'modelVersionId' = $2
       and data->'deployment'->>'arm' = 'challenger' and (data->>'createdAt')::float8 >= $3`,
    [orgId, id, d.state.canary?.stepSince ?? 0],
  );
  return { states: fleet?.fleet.states ?? [], drifted: !!fleet?.drifted || deviceDrift, predictionsAtStep: n };
}

/**
 * The canary rules of an organisation, run after each monitor upload (and safe to run as often as
 * wanted): a canary whose challenger has one of its chosen monitors in alert is rolled back, one
 * whose rule is met moves to its next step. Each change is a compare-and-set on the revision read,
 * so two servers running the rules at once make one change (the other's conflict is dropped).
 * Returns the changes made.
 */
export async function applyDeploymentRules(db: Db, orgId: string, now: number): Promise<Deployment[]> {
  const rows = await db.query<{ data: unknown }>(
    `select data from records where org_id = $1 and tbl = 'deployments' and data->'state'->>'mode' = 'canary' order by id`,
    [orgId],
  );
  const made: Deployment[] = [];
  for (const row of rows) {
    const d = Deployment.safeParse(row.data);
    if (!d.success) continue;
    const health = await challengerHealth(db, orgId, d.data);
    const reason = rollbackReason(d.data.state, health);
    let next: { state: DeploymentState | null; why: string; kind: DeploymentChangeKind } | null = null;
    if (reason) next = { state: rolledBack(d.data.state), why: reason, kind: 'rolled_back' };
    else if (advanceDue(d.data.state, health, now)) {
      const hours = Math.floor((now - d.data.state.canary!.stepSince) / 3_600_000);
      const why = `Moved to the next step automatically: the new version answered ${health.predictionsAtStep} cases in ${hours} hours at this step with no alert.`;
      next = { state: advanced(d.data.state, now), why, kind: 'advanced' };
    }
    if (!next?.state) continue;
    const hlc = formatHlc({ millis: now, counter: 0, node: 'server' });
    const change = { expectedRevision: d.data.revision, state: next.state, why: next.why };
    const outcome = await db.tx((q) => changeDeployment(q, orgId, d.data.projectId, change, SERVER_ACTOR, now, hlc, next.kind));
    // A refusal (most often: another server made this change first) leaves the deployment to the next upload.
    if ('deployment' in outcome) made.push(outcome.deployment);
  }
  return made;
}

/** One device as the deployment page shows it: which revision it follows and which versions it keeps ready. */
export interface DeploymentDevice {
  id: string;
  name: string;
  lastSeenAt: string | null;
  /** The revision it last said it follows (null: it has not said). */
  revision: number | null;
  serving: string | null;
  behind: boolean;
  ready: string[] | null;
}

/** The organisation's devices (not revoked) and how each follows this project's deployment. */
export async function deploymentDevices(q: Queryable, orgId: string, projectId: string): Promise<DeploymentDevice[]> {
  const rows = await q.query<{ id: string; name: string; lastSeenAt: string | null; ready: unknown; deployments: unknown }>(
    `select id, name, last_seen_at::text as "lastSeenAt", ready, deployments from devices where org_id = $1 and revoked_at is null order by last_seen_at desc nulls last, name`,
    [orgId],
  );
  return rows.map((r) => {
    const mine = (Array.isArray(r.deployments) ? (r.deployments as DeviceDeploymentStatus[]) : []).find((x) => x?.projectId === projectId);
    return {
      id: r.id,
      name: r.name,
      lastSeenAt: r.lastSeenAt,
      revision: typeof mine?.revision === 'number' ? mine.revision : null,
      serving: typeof mine?.serving === 'string' ? mine.serving : null,
      behind: mine?.behind === true,
      ready: Array.isArray(r.ready) ? r.ready.filter((x): x is string => typeof x === 'string') : null,
    };
  });
}

export interface DeploymentFiguresView {
  fleet: DeploymentFigures;
  devices: { deviceId: string; name: string; figures: DeploymentFigures }[];
  /** Deployed predictions read, and whether there were more than FIGURES_LIMIT (only the newest were read). */
  predictions: number;
  capped: boolean;
}

/** The figures per arm of a project's deployed predictions (the newest FIGURES_LIMIT) and its outcomes, fleet-wide and per device. */
export async function deploymentFiguresFor(q: Queryable, orgId: string, projectId: string): Promise<DeploymentFiguresView> {
  const rows = await q.query<{ data: unknown; device_id: string | null }>(
    `select data, device_id from records where org_id = $1 and tbl = 'predictions' and data->>'projectId' = $2 and data->'deployment' is not null
       order by seq desc limit $3`,
    [orgId, projectId, FIGURES_LIMIT + 1],
  );
  const capped = rows.length > FIGURES_LIMIT;
  const predictions: { p: Prediction; deviceId: string }[] = [];
  for (const r of rows.slice(0, FIGURES_LIMIT)) {
    const p = Prediction.safeParse(r.data);
    if (p.success) predictions.push({ p: p.data, deviceId: r.device_id ?? '' });
  }
  const outcomeRows = await q.query<{ data: unknown }>(`select data from records where org_id = $1 and tbl = 'outcomes' and data->>'projectId' = $2`, [
    orgId,
    projectId,
  ]);
  const outcomes = outcomeRows.flatMap((r) => {
    const o = Outcome.safeParse(r.data);
    return o.success ? [o.data] : [];
  });
  const names = new Map((await q.query<{ id: string; name: string }>(`select id, name from devices where org_id = $1`, [orgId])).map((d) => [d.id, d.name]));
  const ids = [...new Set(predictions.map((x) => x.deviceId))].sort((a, b) => (names.get(a) ?? a).localeCompare(names.get(b) ?? b));
  return {
    fleet: deploymentFigures(
      predictions.map((x) => x.p),
      outcomes,
    ),
    devices: ids.map((deviceId) => ({
      deviceId,
      name: names.get(deviceId) ?? 'unknown device',
      figures: deploymentFigures(
        predictions.filter((x) => x.deviceId === deviceId).map((x) => x.p),
        outcomes,
      ),
    })),
    predictions: predictions.length,
    capped,
  };
}

/** The one-button changes of the console and the API. */
export type DeploymentAction = 'advance' | 'switch' | 'rollback';

/**
 * The state a one-button change makes of the current one, with the kind it is kept under, or the
 * sentence saying why it does not apply: the canary's next step; blue-green's switch; rolling
 * back, which stops a canary and, in blue-green, switches back to the other colour.
 */
export function actionChange(d: Deployment, action: DeploymentAction, now: number): { state: DeploymentState; kind: DeploymentChangeKind } | string {
  const s = d.state;
  if (action === 'advance') {
    const next = advanced(s, now);
    if (next) return { state: next, kind: 'advanced' };
    return s.mode === 'canary' ? 'The canary is already at the last step of its ramp.' : 'Only a canary has steps to advance.';
  }
  if (action === 'switch') {
    const next = switched(s);
    return next ? { state: next, kind: 'switched' } : 'Only a blue-green deployment switches between its two versions.';
  }
  const back = s.mode === 'blue_green' ? switched(s) : rolledBack(s);
  return back ? { state: back, kind: 'rolled_back' } : 'Only a canary or a blue-green deployment rolls back; change the deployment to choose another version.';
}
