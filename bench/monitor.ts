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
import { newId } from '../web/src/lib/db/mutate.js';
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

/** Log predictions up to each size in `sizes` (a tenth with outcomes), measuring at each. */
export async function monitorScaling(sizes: number[], recomputeUpTo = Infinity): Promise<MonitorPoint[]> {
  const db = new OutpostDb(`bench-monitor-${newId()}`);
  await db.model_versions.put(version);
  await db.projects.put({ id: version.projectId, name: 'bench', description: '', createdAt: version.createdAt });
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
    globalThis.gc?.();
    points.push({ logged, logOneMs: median(singles), openMs, recomputeMs, loggingS, followUpMs, heapMb: process.memoryUsage().heapUsed / 2 ** 20 });
    console.log(
      `  ${logged} logged (${loggingS.toFixed(0)} s): log one ${median(singles).toFixed(2)} ms, open ${openMs.toFixed(1)} ms, recompute ${recomputeMs === null ? '—' : recomputeMs.toFixed(0)} ms, follow-up ${followUpMs.toFixed(1)} ms`,
    );
  }
  db.close();
  await db.delete();
  return points;
}
