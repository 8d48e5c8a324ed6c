import type { OutpostDb } from './db.js';
import { runHashes, versionHashes } from './blob-refs.js';

/** Rough bytes per stored cell and per logged prediction: an estimate for the person, not a measurement. */
const CELL_BYTES = 12;
const PREDICTION_BYTES = 400;

/**
 * About how much of this phone each project takes: its model files and kept run models (exact
 * sizes of the blobs here), the rows each dataset version keeps here (rows × columns × about 12
 * bytes, without reading them) and its prediction log (about 400 bytes a prediction). Cheap enough for the first screen.
 */
export async function projectStorage(db: OutpostDb): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const add = (p: string, n: number) => out.set(p, (out.get(p) ?? 0) + n);
  const sizes = new Map((await db.blobState.toArray()).map((b) => [b.hash, b.size]));
  const counted = new Set<string>();
  const blob = (p: string, h: string | undefined) => {
    if (!h || counted.has(h)) return;
    counted.add(h);
    add(p, sizes.get(h) ?? 0);
  };
  for (const v of await db.model_versions.toArray()) if (!v.deleted) versionHashes(v).forEach((h) => blob(v.projectId, h));
  for (const r of await db.runs.toArray()) {
    if (r.deleted) continue;
    for (const h of await runHashes(db, r.id)) blob(r.projectId, h);
  }
  // Each version keeps its own rows here (those made or imported on this phone).
  const stored = new Set(await db.datasetRows.orderBy('datasetId').uniqueKeys());
  const versioned = new Set<string>();
  for (const v of await db.dataset_versions.toArray()) {
    versioned.add(v.datasetId);
    if (!v.deleted && stored.has(v.id)) add(v.projectId, v.rowCount * Math.max(1, v.columns.length) * CELL_BYTES);
  }
  for (const d of await db.datasets.toArray())
    if (!d.deleted && !versioned.has(d.id) && stored.has(d.id)) add(d.projectId, d.rowCount * Math.max(1, d.columns.length) * CELL_BYTES);
  for (const p of await db.projects.toArray()) add(p.id, (await db.predictions.where('projectId').equals(p.id).count()) * PREDICTION_BYTES);
  return out;
}
