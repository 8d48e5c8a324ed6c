import type { Arm, AutomationLevel, Deployment } from '@shared/schema/deployment.js';
import type { ModelVersion, Prediction, PredictionOutput } from '@shared/schema/records.js';
import { applyLevel, planCase, predictionDeployment, type CasePlan, type PlannedRun } from '@shared/deploy/plan.js';
import { inputColumns } from '@shared/features/pipeline.js';
import type { OutpostDb } from '../db/db.js';
import { deploymentVersions, fallbackVersion, rememberServed, versionReady } from '../db/deployments.js';
import { newId } from '../db/mutate.js';
import { runAndLog } from '../monitor/predict.js';
import { userMessage } from '../messages.js';
import { localHold } from './hold.js';

type Row = Record<string, string | number | null>;

/**
 * Serving under a project's deployment on the device: each case is planned by the shared rule
 * (shared/src/deploy/plan.ts) against the versions whose weights are here, the versions it needs
 * run (rows grouped per version, so a batch loads each model once), every run is logged with the
 * deployment it followed, and the level of automation decides what the person sees.
 */

/** One case as served: who answered, what the person sees, and whether they decide. */
export interface CaseResult {
  caseId: string;
  projectId: string;
  /** The level that applied (human when no model could answer). */
  level: AutomationLevel;
  /** The arm and version of the answer that counts (null: no model answered; people decide). */
  arm: Arm | null;
  versionId: string | null;
  /** The primary answer (null when it failed or nothing ran). */
  output: PredictionOutput | null;
  /** The person sees the answer (as the decision, or as a suggestion when they decide). */
  shown: boolean;
  personDecides: boolean;
  /** Partial automation: the model was not sure enough. */
  deferred: boolean;
  /** A version the deployment asks for is not on this device yet. */
  behind: boolean;
  /** Canary: the row had no value in the key column, so it got the champion. */
  keyMissing: boolean;
  /** Every prediction logged for this case (shadow: two); a person's decision is recorded against each. */
  predictionIds: string[];
  /** Why the primary answer failed, in a sentence. */
  error?: string;
}

export interface ServeOptions {
  /** Columns kept beside the inputs for monitors (the fairness monitor's protected attribute). */
  monitored?: string[];
  onProgress?: (fraction: number) => void;
}

interface RunResult {
  predictionId?: string;
  output: PredictionOutput | null;
  error?: string;
}

/** Versions that can answer rows here: their weights are complete and they read columns (not a tensor). */
async function runnable(db: OutpostDb, ids: string[]): Promise<Map<string, ModelVersion>> {
  const out = new Map<string, ModelVersion>();
  for (const id of new Set(ids)) {
    const mv = await db.model_versions.get(id);
    if (mv && mv.artifacts.input?.kind !== 'tensor' && (await versionReady(db, mv))) out.set(id, mv);
  }
  return out;
}

/**
 * Predict rows under a deployment and log every run. Rows are planned with `has` = the weights
 * are complete here and `fallback` = the version this device last answered with for the project
 * (else its production version); a model that fails leaves that case to the person. Returns one
 * CaseResult per row, in order.
 */
export async function predictDeployed(
  db: OutpostDb,
  given: Deployment,
  rows: Row[],
  source: Prediction['source'],
  opts: ServeOptions = {},
): Promise<CaseResult[]> {
  // A canary whose new version alerts on this phone is stopped here at once (hold.ts).
  const d = (await localHold(db, given))?.deployment ?? given;
  const candidates = await runnable(db, [...deploymentVersions(d), ...(await db.model_versions.where('projectId').equals(d.projectId).primaryKeys())]);
  const ready = new Set(candidates.keys());
  const fallback = await fallbackVersion(db, d.projectId, ready);
  const has = (id: string) => ready.has(id);
  const plans: CasePlan[] = [];
  for (const row of rows) plans.push(await planCase(d, row, has, fallback));
  const caseIds = rows.map(() => newId());

  // Rows grouped per version, so each model loads once and predicts its rows together.
  const groups = new Map<string, { c: number; run: PlannedRun }[]>();
  plans.forEach((p, c) => p.runs.forEach((run) => groups.set(run.versionId, [...(groups.get(run.versionId) ?? []), { c, run }])));
  const total = [...groups.values()].reduce((n, g) => n + g.length, 0);
  let done = 0;
  const results = new Map<string, RunResult>();
  const key = (c: number, run: PlannedRun) => `${c}:${run.arm}:${run.primary}`;
  for (const [versionId, entries] of groups) {
    const mv = candidates.get(versionId)!;
    try {
      const ran = await runAndLog(
        db,
        mv,
        entries.map((e) => rows[e.c]),
        source,
        {
          monitored: opts.monitored,
          deployment: (i, output) => {
            const { c, run } = entries[i];
            const level = run.primary ? applyLevel(plans[c].level, d.state.confidence, output) : null;
            return predictionDeployment(d, plans[c], run, caseIds[c], level);
          },
          onProgress: (f) => opts.onProgress?.((done + f * entries.length) / Math.max(1, total)),
        },
        false,
      );
      ran.logged.forEach((l, i) =>
        results.set(key(entries[i].c, entries[i].run), { predictionId: l.predictionId, output: l.error ? null : l.output, error: l.error }),
      );
    } catch (err) {
      // The model would not load: it answered nothing, so nothing is logged for it.
      for (const e of entries) results.set(key(e.c, e.run), { output: null, error: userMessage(err) });
    }
    done += entries.length;
  }

  const out = plans.map((plan, c): CaseResult => {
    const primary = plan.runs.find((r) => r.primary);
    const answer = primary ? results.get(key(c, primary)) : undefined;
    const output = answer?.output ?? null;
    const level = applyLevel(plan.level, d.state.confidence, output);
    const ids = plan.runs.map((r) => results.get(key(c, r))?.predictionId).filter((id): id is string => !!id);
    return {
      caseId: caseIds[c],
      projectId: d.projectId,
      level: plan.level,
      arm: primary?.arm ?? null,
      versionId: primary?.versionId ?? null,
      output,
      shown: level.shown,
      personDecides: level.personDecides,
      deferred: level.deferred,
      behind: plan.behind,
      keyMissing: plan.keyMissing,
      predictionIds: ids,
      ...(answer?.error ? { error: answer.error } : {}),
    };
  });
  // What this device answered with last is what it falls back to while it is behind the next revision.
  const served = [...out].reverse().find((r) => r.versionId && r.output)?.versionId;
  if (served) await rememberServed(db, d.projectId, served);
  opts.onProgress?.(1);
  return out;
}

/**
 * Results of a file scored under a deployment as CSV: the columns of the versions that answered,
 * the answer (empty where a person decides and it was not shown), who answered it (`answered_by`:
 * "version N", `arm`), and whether the model decided or a person must (`decided_by`), with the id
 * of the case's first prediction to record its outcome against later.
 */
const inputColumnsOf = (v: ModelVersion | undefined): string[] => (v ? inputColumns(v.pipeline) : []);

export function deployedResultsCsv(versions: readonly ModelVersion[], rows: Row[], results: CaseResult[]): string {
  const byId = new Map(versions.map((v) => [v.id, v]));
  const inputCols = [...new Set(results.flatMap((r) => (r.versionId ? inputColumnsOf(byId.get(r.versionId)) : [])))];
  const header = ['prediction_id', ...inputCols, 'prediction', 'answered_by', 'arm', 'decided_by'];
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [header.join(',')];
  rows.forEach((row, i) => {
    const r = results[i];
    const o = r.shown ? r.output : null;
    const by = r.versionId ? `version ${byId.get(r.versionId)?.version ?? '?'}` : '';
    const answer = o ? (o.label ?? o.value) : '';
    lines.push([r.predictionIds[0], ...inputCols.map((c) => row[c]), answer, by, r.arm ?? '', r.personDecides ? 'person needed' : 'model'].map(esc).join(','));
  });
  return lines.join('\n') + '\n';
}
