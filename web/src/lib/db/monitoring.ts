import Dexie from 'dexie';
import type { ModelVersion, Prediction } from '@shared/schema/records.js';
import type { Outcome } from '@shared/schema/monitoring.js';
import type { DeviceVerdict } from '@shared/sync/protocol.js';
import { addOutcome, addPrediction, dayOf, emptySummary, type DaySummary } from '@shared/monitor/summary.js';
import { latestOutcome, parseOutcome, supersedes } from '@shared/monitor/outcomes.js';
import type { MonitorDayRow, OutpostDb } from './db.js';
import { newId, putRecord, putRecords } from './mutate.js';
import { countLogged, logPages } from './pages.js';
import { recentPredictions } from './predictions.js';
import { ensureSalt } from './dataset-versions.js';
import { loggablePredictions, projectPersonal } from '@shared/data/privacy.js';

/**
 * Monitoring on the device: every logged prediction and recorded outcome updates its day's counts
 * (MonitorDayRow) in the same transaction, so monitors never re-read the whole log, and the log
 * and the counts can never disagree after a crash.
 */

/** The protected attribute a project's fairness monitor counts groups of, if any. */
async function groupAttributeOf(db: OutpostDb, projectId: string): Promise<string | undefined> {
  return (await db.projects.get(projectId))?.fairness?.attribute;
}

/**
 * What of a prediction goes to the server: all of it, or, when the project keeps inputs on the
 * device (`shareInputs: false`), the prediction without its inputs and kept attributes.
 */
export function sentPrediction(shareInputs: boolean | undefined): (p: Prediction) => Record<string, unknown> {
  if (shareInputs !== false) return (p) => ({ ...p });
  return ({ attributes: _a, ...p }) => ({ ...p, inputs: {} });
}

/** Count predictions of one version into their days (inside the caller's transaction). */
async function countPredictions(db: OutpostDb, mv: ModelVersion, predictions: Prediction[], groupAttribute: string | undefined): Promise<void> {
  const byDay = new Map<string, Prediction[]>();
  for (const p of predictions) {
    const d = dayOf(p.createdAt);
    const list = byDay.get(d);
    if (list) list.push(p);
    else byDay.set(d, [p]);
  }
  for (const [day, ps] of byDay) {
    const row = await db.monitorDays.get([mv.id, day]);
    const s = row?.summary ?? emptySummary(mv, day, groupAttribute);
    for (const p of ps) addPrediction(s, mv, p);
    await db.monitorDays.put({ modelVersionId: mv.id, day, projectId: mv.projectId, summary: s, dirty: 1 });
  }
}

/**
 * Predictions as the device may keep and send them: no raw value of a column marked personal on
 * any dataset of the project (loggablePredictions in shared/src/data/privacy.ts), whatever the
 * model reads (a model trained before the mark, an imported one). The project's salt is made the
 * first time a hashed column needs it. Done before the log's transaction: hashing is Web Crypto,
 * which a Dexie transaction does not wait for.
 */
async function loggable(db: OutpostDb, mv: ModelVersion, predictions: Prediction[]): Promise<Prediction[]> {
  const personal = projectPersonal(await db.datasets.where('projectId').equals(mv.projectId).toArray());
  if (!Object.keys(personal).length) return predictions;
  const features: { name: string; source?: { column: string } }[] = mv.pipeline.features;
  const hashed = (k: string) => (personal[k] ?? personal[features.find((f) => f.name === k)?.source?.column ?? '']) === 'hash';
  const needsSalt = predictions.some((p) => [...Object.keys(p.inputs), ...Object.keys(p.attributes ?? {})].some(hashed));
  const salt = (await db.projects.get(mv.projectId))?.rowSalt ?? (needsSalt ? await ensureSalt(db, mv.projectId) : undefined);
  return loggablePredictions(predictions, personal, salt, features);
}

/**
 * Log predictions of one model version and queue them for sync, with their day counts, in one
 * transaction. What is logged and counted has no raw personal value (see loggable); a personal
 * input then counts as missing (`never`) or unseen (`hash`) in the drift monitor, which is what
 * the log holds.
 */
export async function logPredictions(db: OutpostDb, mv: ModelVersion, given: Prediction[]): Promise<void> {
  const predictions = await loggable(db, mv, given);
  await db.transaction('rw', [db.predictions, db.outbox, db.kv, db.monitorDays, db.projects], async () => {
    const project = await db.projects.get(mv.projectId);
    await putRecords(db, 'predictions', predictions, Date.now(), sentPrediction(project?.shareInputs));
    await countPredictions(db, mv, predictions, project?.fairness?.attribute);
  });
}

/**
 * Count an outcome into its prediction's day when it is the prediction's newest: the outcome it
 * supersedes is taken back first. An outcome already stored (this device's own, pulled back), one
 * older than the prediction's current outcome (history), or one for a prediction this device does
 * not hold (it waits) changes no count. Runs inside the caller's transaction, before the outcome is
 * stored.
 */
export async function countOutcome(db: OutpostDb, o: Outcome): Promise<void> {
  if (await db.outcomes.get(o.id)) return;
  const p = await db.predictions.get(o.predictionId);
  if (!p) return;
  const previous = latestOutcome(await db.outcomes.where('predictionId').equals(o.predictionId).toArray());
  if (previous && !supersedes(o, previous)) return;
  const mv = await db.model_versions.get(p.modelVersionId);
  const row = mv && (await db.monitorDays.get([mv.id, dayOf(p.createdAt)]));
  // No counts for that day yet: they are built from the log, outcomes included, when the monitor opens.
  if (!mv || !row) return;
  if (previous) addOutcome(row.summary, mv, p, previous.value, -1);
  addOutcome(row.summary, mv, p, o.value, 1);
  await db.monitorDays.put({ ...row, dirty: 1 });
}

export interface OutcomeEntry {
  predictionId: string;
  /** As typed or read from a file; parsed against the prediction's model. */
  value: string | number;
  source: Outcome['source'];
}

export interface OutcomeReport {
  recorded: number;
  /** Entries whose prediction is not on this device: recorded, and counted once the prediction is here. */
  waiting: number;
  /** Entries refused, with the sentence to show (nothing was stored for them). */
  refused: { predictionId: string; message: string }[];
}

/**
 * Record outcomes (the real results) of predictions, queued for sync, each counted into its
 * prediction's day. A value is checked against the prediction's model (a label of its, or a
 * number); for a prediction this device has never seen it is checked against the project's
 * newest model and waits for its prediction. All in one transaction.
 */
export async function recordOutcomes(db: OutpostDb, projectId: string, entries: OutcomeEntry[], now = Date.now()): Promise<OutcomeReport> {
  const report: OutcomeReport = { recorded: 0, waiting: 0, refused: [] };
  await db.transaction('rw', [db.outcomes, db.outbox, db.kv, db.predictions, db.monitorDays, db.model_versions], async () => {
    const newest = (await db.model_versions.where('projectId').equals(projectId).sortBy('createdAt')).filter((v) => !v.deleted).pop();
    let stamp = now;
    for (const e of entries) {
      const p = await db.predictions.get(e.predictionId);
      if (p && p.projectId !== projectId) {
        report.refused.push({ predictionId: e.predictionId, message: 'That prediction belongs to another project.' });
        continue;
      }
      const mv = p ? await db.model_versions.get(p.modelVersionId) : newest;
      if (!mv) {
        report.refused.push({ predictionId: e.predictionId, message: 'This project has no model yet, so there is nothing to compare an outcome with.' });
        continue;
      }
      const parsed = parseOutcome(e.value, mv.pipeline);
      if (!parsed.ok) {
        report.refused.push({ predictionId: e.predictionId, message: parsed.message });
        continue;
      }
      // Strictly increasing times within one call, so "the later one wins" holds inside a file too.
      const o: Outcome = { id: newId(), projectId, predictionId: e.predictionId, value: parsed.value, source: e.source, recordedAt: stamp++ };
      if (p) o.modelVersionId = p.modelVersionId;
      await countOutcome(db, o);
      await putRecord(db, 'outcomes', o, now);
      if (p) report.recorded++;
      else report.waiting++;
    }
  });
  return report;
}

/** Every outcome recorded for a prediction, newest first (the first is the one that counts). */
export async function outcomeHistory(db: OutpostDb, predictionId: string): Promise<Outcome[]> {
  const all = await db.outcomes.where('predictionId').equals(predictionId).toArray();
  return all.sort((a, b) => (supersedes(a, b) ? -1 : supersedes(b, a) ? 1 : 0));
}

/** A project's newest predictions with the outcome that counts for each (the prediction log's rows). */
export async function recentWithOutcomes(db: OutpostDb, projectId: string, limit: number): Promise<{ prediction: Prediction; outcome?: Outcome }[]> {
  const recent = await recentPredictions(db, projectId, limit);
  const outcomes = await outcomesOf(
    db,
    recent.map((p) => p.id),
  );
  return recent.map((prediction) => ({ prediction, outcome: outcomes.get(prediction.id) }));
}

/** The outcome that counts for each of these predictions (those without one are absent). */
export async function outcomesOf(db: OutpostDb, predictionIds: string[]): Promise<Map<string, Outcome>> {
  const all = await db.outcomes.where('predictionId').anyOf(predictionIds).toArray();
  const out = new Map<string, Outcome>();
  for (const o of all) {
    const held = out.get(o.predictionId);
    if (!held || supersedes(o, held)) out.set(o.predictionId, o);
  }
  return out;
}

/**
 * The follow-up list: a project's predictions still waiting for an outcome, oldest first (failed
 * predictions are left out). Reads the log in pages along its index, so it stays quick however
 * long the log is.
 */
export async function waitingForOutcome(db: OutpostDb, projectId: string, limit = 20): Promise<Prediction[]> {
  const out: Prediction[] = [];
  for await (const page of logPages(db, '[projectId+createdAt]', projectId, 200)) {
    const have = await outcomesOf(
      db,
      page.map((p) => p.id),
    );
    for (const p of page) if (!p.error && !have.has(p.id) && out.length < limit) out.push(p);
    if (out.length >= limit) break;
  }
  return out;
}

/** A version's day counts, oldest day first. */
export async function versionDays(db: OutpostDb, modelVersionId: string): Promise<DaySummary[]> {
  const rows = await db.monitorDays.where('[modelVersionId+day]').between([modelVersionId, Dexie.minKey], [modelVersionId, Dexie.maxKey]).toArray();
  return rows.map((r) => r.summary);
}

/**
 * Whether a version's day counts lag its log: predictions logged before this release (or counts
 * lost), or groups counted for another protected attribute than the project's setting.
 */
export async function countsNeedRebuild(db: OutpostDb, mv: ModelVersion): Promise<boolean> {
  const days = await versionDays(db, mv.id);
  const counted = days.reduce((n, d) => n + d.predictions, 0);
  const logged = await countLogged(db, '[modelVersionId+createdAt]', mv.id);
  if (counted < logged) return true;
  const attribute = await groupAttributeOf(db, mv.projectId);
  return days.some((d) => d.groupAttribute !== attribute);
}

/**
 * A version's day counts computed from its log and the outcomes of its predictions, a page at a
 * time (progress from 0 to 1), without storing them: what the kept counts must equal.
 */
export async function countFromLog(db: OutpostDb, mv: ModelVersion, onProgress?: (fraction: number) => void): Promise<Map<string, DaySummary>> {
  const total = await countLogged(db, '[modelVersionId+createdAt]', mv.id);
  const attribute = await groupAttributeOf(db, mv.projectId);
  const fresh = new Map<string, DaySummary>();
  let done = 0;
  for await (const page of logPages(db, '[modelVersionId+createdAt]', mv.id)) {
    const outcomes = await outcomesOf(
      db,
      page.map((p) => p.id),
    );
    for (const p of page) {
      const day = dayOf(p.createdAt);
      const s = fresh.get(day) ?? emptySummary(mv, day, attribute);
      fresh.set(day, s);
      addPrediction(s, mv, p);
      const o = outcomes.get(p.id);
      if (o) addOutcome(s, mv, p, o.value, 1);
    }
    done += page.length;
    onProgress?.(done / Math.max(1, total));
  }
  return fresh;
}

/**
 * Count a version's days again from its log and outcomes (progress from 0 to 1). Days whose
 * predictions were freed from this device keep their counts.
 */
export async function rebuildCounts(db: OutpostDb, mv: ModelVersion, onProgress?: (fraction: number) => void): Promise<void> {
  const fresh = await countFromLog(db, mv, onProgress);
  await db.transaction('rw', db.monitorDays, async () => {
    for (const [day, summary] of fresh) await db.monitorDays.put({ modelVersionId: mv.id, day, projectId: mv.projectId, summary, dirty: 1 });
  });
  onProgress?.(1);
}

/** Day counts the server does not have yet. */
export async function unsentDays(db: OutpostDb, limit = 200): Promise<MonitorDayRow[]> {
  return db.monitorDays.where('dirty').equals(1).limit(limit).toArray();
}

/** The server has these days' counts: mark them sent unless they changed while they travelled. */
export async function markDaysSent(db: OutpostDb, sent: MonitorDayRow[]): Promise<void> {
  await db.transaction('rw', db.monitorDays, async () => {
    for (const r of sent) {
      const now = await db.monitorDays.get([r.modelVersionId, r.day]);
      if (now && JSON.stringify(now.summary) === JSON.stringify(r.summary)) await db.monitorDays.update([r.modelVersionId, r.day], { dirty: 0 });
    }
  });
}

const VERDICT_PREFIX = 'monitor:verdict:';
interface VerdictRow {
  verdict: DeviceVerdict;
  sent: boolean;
}

/** Keep this device's latest verdict on a version's monitors, to send with the next sync. */
export async function saveVerdict(db: OutpostDb, verdict: DeviceVerdict): Promise<void> {
  const key = VERDICT_PREFIX + verdict.modelVersionId;
  const held = (await db.kv.get(key))?.value as VerdictRow | undefined;
  const same = held && JSON.stringify({ ...held.verdict, at: 0 }) === JSON.stringify({ ...verdict, at: 0 });
  // The same verdict again is not news for the server: only its time would change.
  if (!same) await db.kv.put({ key, value: { verdict, sent: false } satisfies VerdictRow });
}

/** Verdicts the server has not received yet. */
export async function unsentVerdicts(db: OutpostDb): Promise<VerdictRow[]> {
  const rows = await db.kv.where('key').startsWith(VERDICT_PREFIX).toArray();
  return rows.map((r) => r.value as VerdictRow).filter((v) => !v.sent);
}

export async function markVerdictsSent(db: OutpostDb, sent: VerdictRow[]): Promise<void> {
  await db.transaction('rw', db.kv, async () => {
    for (const v of sent) {
      const key = VERDICT_PREFIX + v.verdict.modelVersionId;
      const now = (await db.kv.get(key))?.value as VerdictRow | undefined;
      if (now && now.verdict.at === v.verdict.at) await db.kv.put({ key, value: { ...now, sent: true } });
    }
  });
}

/**
 * Predictions of a project whose input (or kept attribute) `column` has one of these values, by
 * value: for a file of outcomes keyed by, say, a patient number instead of the prediction's id.
 * Reads the log in pages; only this device's predictions can be matched.
 */
export async function predictionIdsByKey(db: OutpostDb, projectId: string, column: string, keys: ReadonlySet<string>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for await (const page of logPages(db, '[projectId+createdAt]', projectId)) {
    for (const p of page) {
      const v = p.inputs[column] ?? p.attributes?.[column];
      if (v === null || v === undefined) continue;
      const k = String(v).trim();
      if (keys.has(k)) out.set(k, [...(out.get(k) ?? []), p.id]);
    }
  }
  return out;
}

/** Predictions of a project still waiting for an outcome, over every version (from the day counts). */
export async function projectWaiting(db: OutpostDb, projectId: string): Promise<number> {
  const rows = await db.monitorDays.where('projectId').equals(projectId).toArray();
  return rows.reduce((n, r) => n + Math.max(0, r.summary.predictions - r.summary.errors - r.summary.outcomes - r.summary.unknownOutcomes), 0);
}
