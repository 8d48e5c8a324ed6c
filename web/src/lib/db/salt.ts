import { saltId } from '@shared/data/privacy.js';
import type { OutpostDb } from './db.js';
import { shareCurrentVersion } from './dataset-settings.js';

/**
 * Two phones that turned row sharing on while both were offline each made a salt for the
 * project; the project record keeps one of them (last writer wins), so the hashed personal
 * columns one of them sent are codes the others cannot match (the same phone number, two codes).
 * After a sync, each current version made here whose shared rows were hashed with a salt the
 * project no longer has gets them again with the project's salt (sent at the next sync; the
 * server withdraws nothing, the old file is replaced). Older versions keep their codes.
 * Returns how many versions were shared again.
 */
export async function reshareAfterSaltChange(db: OutpostDb, now = Date.now()): Promise<number> {
  let shared = 0;
  for (const p of await db.projects.toArray()) {
    if (!p.shareRows || !p.rowSalt || p.deleted) continue;
    const id = await saltId(p.rowSalt);
    for (const d of await db.datasets.where('projectId').equals(p.id).toArray()) {
      if (d.deleted || !d.versionId) continue;
      const v = await db.dataset_versions.get(d.versionId);
      if (!v?.rows?.salt || v.rows.salt === id) continue;
      // Only rows kept here as typed can be hashed again; rows that came as codes stay as they are.
      if (!(await db.datasetRows.where('datasetId').equals(v.id).count())) continue;
      if (await shareCurrentVersion(db, d.id, now)) shared++;
    }
  }
  return shared;
}
