// Monitors on a device with a long prediction log: the app's own Dexie schema and monitoring code
// on fake-indexeddb in Node (an in-memory IndexedDB; the browser's is slower per row but the shape of
// the cost is the same). Outpost keeps day counts as it logs; the peer is what a monitor without
// them does (Evidently's way: read the window of rows and compute from them), over the whole log.
import 'fake-indexeddb/auto';
import type { ModelVersion, Prediction } from '@shared/schema/records.js';
import { binaryModel, modelVersionOf } from '@shared/monitor/model.testing.js';
import { versionMonitor } from '@shared/monitor/version.js';
import { mulberry32 } from '@shared/data/random.js';
import { OutpostDb } from '../web/src/lib/db/db.js';
import { newId, putRecords } from '../web/src/lib/db/mutate.js';
import { enroll } from '../web/src/lib/sync/credential.js';
import { SyncEngine } from '../web/src/lib/sync/engine.js';
import { fetchTransport } from '../web/src/lib/sync/transport.js';
import { countFromLog, logPredictions, recordOutcomes, versionDays, waitingForOutcome } from '../web/src/lib/db/monitoring.js';

export interface MonitorPoint {
  logged: number;
  /** Logging one more prediction (with its outbox row and day counts), ms, median of 50 single-row writes. */
  logOneMs: number;
  /** Opening the monitors from the day counts: read the days, compute every figure and state, ms. */
  openMs: number;
  /** The peer: the same figures by reading every logged prediction and its outcome, ms (null past `recomputeUpTo`). */
  recomputeMs: number | null;
  /** Wall time of logging up to this size (with a tenth of outcomes), s. */
  loggingS: number;
  /** The follow-up list (20 oldest without an outcome), ms. */
  followUpMs: number;
  heapMb: number;
  /** Outbox rows waiting at this size (predictions, outcomes, day counts), before the drain. */
  outboxRows: number;
  /** Pushing the oldest outbox rows (up to DRAIN_ROWS) to a server: rows drained and ms per 1,000 (null without a server). */
  drained: number;
  drainMsPerK: number | null;
  /** Stored bytes: each table's rows times the mean JSON size of a sample of them, MB. */
  storageMb: number;
}

/** The oldest outbox rows pushed at each size: ten full batches, enough to see the per-row cost. */
const DRAIN_ROWS = 10_000;

/** About how much the database holds: each table's row count times the mean JSON size of 100 of its rows. */
async function storageBytes(db: OutpostDb): Promise<number> {
  let total = 0;
  for (const t of db.tables) {
    const n = await t.count();
    if (!n) continue;
    const sample = await t.limit(100).toArray();
    total += (n * sample.reduce((a, r) => a + JSON.stringify(r).length, 0)) / sample.length;
  }
  return total;
}

const version: ModelVersion = modelVersionOf({ ...binaryModel, id: 'bench-mv', projectId: 'bench-p' });

function batch(rng: () => number, n: number, t0: number): Prediction[] {
  return Array.from({ length: n }, (_, i) => {
    const p = rng();
    return {
      id: newId(),
      projectId: version.projectId,
      modelVersionId: version.id,
      inputs: { size: Math.round(rng() * 120) / 10, clinic: ['north', 'south', 'east'][i % 3] },
      output: { label: p >= 0.5 ? 'malignant' : 'benign', probabilities: { benign: 1 - p, malignant: p } },
      latencyMs: 0.05 + rng(),
      source: 'batch',
      createdAt: t0 + i,
    };
  });
}

const time = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Log predictions up to each size in `sizes` (a tenth with outcomes), measuring at each. With
 * `drain` (a server and an enrolment code), the device enrols and at each size pushes the oldest
 * outbox rows with the app's sync engine, timed.
 */
export async function monitorScaling(sizes: number[], recomputeUpTo = Infinity, drain?: { serverUrl: string; code: string }): Promise<MonitorPoint[]> {
  const db = new OutpostDb(`bench-monitor-${newId()}`);
  await db.model_versions.put(version);
  // Through the outbox, so the server knows the project its predictions belong to.
  await putRecords(db, 'projects', [{ id: version.projectId, name: 'bench', description: '', createdAt: version.createdAt }]);
  let engine: SyncEngine | undefined;
  if (drain) {
    const credential = await enroll(db, drain.serverUrl, drain.code, 'bench-monitor', fetchTransport(drain.serverUrl, undefined));
    engine = new SyncEngine({ db, transport: fetchTransport(drain.serverUrl, credential.token, 120_000), deviceId: credential.deviceId });
  }
  const rng = mulberry32(1);
  const points: MonitorPoint[] = [];
  let logged = 0;
  // 2,000 predictions a day of the log, so a million spans about 500 days.
  let t = version.createdAt;
  const started = performance.now();
  for (const size of sizes) {
    while (logged < size) {
      const n = Math.min(2000, size - logged);
      const ps = batch(rng, n, t);
      await logPredictions(db, version, ps);
      await recordOutcomes(
        db,
        version.projectId,
        ps.filter((_, i) => i % 10 === 0).map((p) => ({ predictionId: p.id, value: rng() < 0.6 ? 'benign' : 'malignant', source: 'log' as const })),
        t + 1,
      );
      logged += n;
      t += 86_400_000;
    }
    // Outbox rows are what a sync would take away; keep them, as a device offline for months would.
    const singles: number[] = [];
    // Ten untimed first: the smallest log would otherwise be timed on a path not yet compiled.
    for (let i = 0; i < 10; i++) await logPredictions(db, version, batch(rng, 1, t - 2000 + i));
    logged += 10;
    for (let i = 0; i < 50; i++) singles.push(await time(() => logPredictions(db, version, batch(rng, 1, t - 1000 + i))));
    logged += 50;
    const openMs = median(
      await Promise.all(
        [0, 1, 2].map(() =>
          time(async () => {
            versionMonitor(version, {}, await versionDays(db, version.id));
          }),
        ),
      ),
    );
    const loggingS = (performance.now() - started) / 1000;
    const recompute = async () => versionMonitor(version, {}, [...(await countFromLog(db, version)).values()]);
    const recomputeMs = size <= recomputeUpTo ? await time(recompute) : null;
    const followUpMs = await time(() => waitingForOutcome(db, version.projectId, 20));
    const storageMb = (await storageBytes(db)) / 1e6;
    const outboxRows = await db.outbox.count();
    let drained = 0;
    let drainMsPerK: number | null = null;
    if (engine) {
      const last = await db.outbox
        .orderBy('seq')
        .offset(Math.min(DRAIN_ROWS, outboxRows) - 1)
        .first();
      const ms = await time(async () => (drained = (await engine.push(last!.seq!)).pushed));
      drainMsPerK = (ms * 1000) / drained;
    }
    globalThis.gc?.();
    points.push({
      logged,
      logOneMs: median(singles),
      openMs,
      recomputeMs,
      loggingS,
      followUpMs,
      heapMb: process.memoryUsage().heapUsed / 2 ** 20,
      outboxRows,
      drained,
      drainMsPerK,
      storageMb,
    });
    console.log(
      `  ${logged} logged (${loggingS.toFixed(0)} s): log one ${median(singles).toFixed(2)} ms, open ${openMs.toFixed(1)} ms, recompute ${recomputeMs === null ? '—' : recomputeMs.toFixed(0)} ms, follow-up ${followUpMs.toFixed(1)} ms, drain ${drainMsPerK === null ? '—' : `${drainMsPerK.toFixed(0)} ms per 1,000 of ${outboxRows} waiting`}, storage ${storageMb.toFixed(1)} MB`,
    );
  }
  db.close();
  await db.delete();
  return points;
}
