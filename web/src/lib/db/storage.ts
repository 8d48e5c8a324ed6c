import type { OutpostDb } from './db.js';

/** Share of the browser's quota above which Outpost frees space (only data already synced). */
export const PRESSURE_SHARE = 0.8;

export interface EvictionResult {
  evicted: number;
  /** Per project: how many logged predictions were removed from this device (they are on the server). */
  byProject: Record<string, number>;
}

/**
 * Free space under storage pressure: delete the oldest prediction logs that the server already
 * has, never anything still in the outbox, and keep a per-project count of what was removed so
 * totals stay right. Returns what it removed. Stops after `max` rows.
 */
export async function evictSynced(db: OutpostDb, max = 5000): Promise<EvictionResult> {
  const byProject: Record<string, number> = {};
  let evicted = 0;
  await db.transaction('rw', [db.predictions, db.outbox, db.kv], async () => {
    // Outbox rows are indexed by [table+id]; a range over that index lists the pending predictions.
    const stillPending = new Set((await db.outbox.where('[table+id]').between(['predictions', ''], ['predictions', '\uffff']).toArray()).map((r) => r.id));
    const oldest = await db.predictions
      .orderBy('createdAt')
      .filter((p) => !stillPending.has(p.id))
      .limit(max)
      .toArray();
    await db.predictions.bulkDelete(oldest.map((p) => p.id));
    for (const p of oldest) byProject[p.projectId] = (byProject[p.projectId] ?? 0) + 1;
    evicted = oldest.length;
    const kept = ((await db.kv.get('evicted:predictions'))?.value as Record<string, number> | undefined) ?? {};
    for (const [k, n] of Object.entries(byProject)) kept[k] = (kept[k] ?? 0) + n;
    await db.kv.put({ key: 'evicted:predictions', value: kept });
  });
  return { evicted, byProject };
}

/** How many predictions of a project were removed from this device to free space. */
export async function evictedCount(db: OutpostDb, projectId: string): Promise<number> {
  return (((await db.kv.get('evicted:predictions'))?.value as Record<string, number> | undefined) ?? {})[projectId] ?? 0;
}

/** After a sync: when the device is short of space, free what is already safe on the server. */
export async function relieveStoragePressure(db: OutpostDb, estimate: () => Promise<{ usage?: number; quota?: number }>): Promise<EvictionResult | undefined> {
  const e = await estimate().catch(() => ({}) as { usage?: number; quota?: number });
  if (!e.usage || !e.quota || e.usage / e.quota < PRESSURE_SHARE) return undefined;
  return evictSynced(db);
}
