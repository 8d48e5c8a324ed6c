import Dexie from 'dexie';
import { driftReport, type DriftReport, type DriftWindowRows } from '@shared/monitor/drift-report.js';
import type { DriftSettings } from '@shared/schema/monitoring.js';
import type { ModelVersion } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { outcomesOf } from '../db/monitoring.js';
import { loadReferenceRows } from './reference.js';

/** The window of a drift check unless the project sets one: the newest 500 predictions. */
export const DEFAULT_DRIFT: DriftSettings = { method: 'auto', window: { kind: 'count', size: 500 } };
/** A window by time reads at most this many of its newest predictions. */
export const WINDOW_CAP = 20_000;
const DAY_MS = 86_400_000;

/**
 * The predictions a drift check compares with the reference: the newest `size` of the version, or
 * those of the last `days` days (the newest WINDOW_CAP of them), read from the end of the version's
 * time index. Failed predictions are left out; outcomes are those recorded for the window's
 * predictions.
 */
export async function windowRows(
  db: OutpostDb,
  mv: ModelVersion,
  settings: DriftSettings,
  now = Date.now(),
): Promise<DriftWindowRows & { from: number | null }> {
  const w = settings.window;
  const lower = w.kind === 'days' ? now - w.days * DAY_MS : -Infinity;
  const limit = w.kind === 'count' ? w.size : WINDOW_CAP;
  const newest = await db.predictions
    .where('[modelVersionId+createdAt]')
    .between([mv.id, lower], [mv.id, Dexie.maxKey])
    .reverse()
    .filter((p) => !p.error)
    .limit(limit)
    .toArray();
  const outcomes = await outcomesOf(
    db,
    newest.map((p) => p.id),
  );
  return {
    inputs: newest.map((p) => p.inputs),
    predicted: newest.map((p) => p.output.label ?? p.output.value ?? ''),
    outcomes: newest.flatMap((p) => {
      const o = outcomes.get(p.id);
      return o ? [o.value] : [];
    }),
    from: newest.length ? newest[newest.length - 1].createdAt : null,
  };
}

/** `unavailable` in English; `said` the same sentence's key for the screen (the person's language). */
export type DriftCheck =
  { report: DriftReport; from: number | null } | { unavailable: string; said: { key: 'drift.unavailable.old' | 'drift.unavailable.notHere' } };

/** Check a version's newest predictions against its reference (see driftReport). */
export async function checkDrift(db: OutpostDb, mv: ModelVersion, settings: DriftSettings = DEFAULT_DRIFT, now = Date.now()): Promise<DriftCheck> {
  if (!mv.reference)
    return {
      unavailable: 'This version was made before Outpost kept training data with a model: train and register it again to check for change.',
      said: { key: 'drift.unavailable.old' },
    };
  const ref = await loadReferenceRows(db, mv);
  if (!ref)
    return {
      unavailable: 'The training data of this version is not on this device yet. Connect to sync, then check again.',
      said: { key: 'drift.unavailable.notHere' },
    };
  const window = await windowRows(db, mv, settings, now);
  return { report: driftReport(ref, mv.pipeline, window, settings.method), from: window.from };
}
