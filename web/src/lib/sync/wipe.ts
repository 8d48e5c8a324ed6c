import type { OutpostDb } from '../db/db.js';

/** kv key that says when (and why) this phone's data was wiped, for the screens. */
export const WIPED_KEY = 'wiped';

/**
 * What a phone does when the server says its credential was revoked (`credential_revoked`): the
 * organisation removed it, usually because it was lost or stolen, so everything of the
 * organisation on it goes (projects, data, models, predictions, what waited to sync, the
 * credential). Changes not yet synced are lost with it: that is the point of revoking. Only a
 * note that it happened stays, so the phone can say so instead of looking empty for no reason. An
 * unknown credential (`unauthorized`, a server set up again) does not wipe: the data stays and the
 * person connects again.
 */
export async function wipeAfterRevocation(db: OutpostDb, now = Date.now()): Promise<void> {
  await db.transaction('rw', db.tables, async () => {
    for (const t of db.tables) await t.clear();
    await db.kv.put({ key: WIPED_KEY, value: { at: now } });
  });
}

/** When this phone was wiped after its credential was revoked, or null. */
export async function wipedAt(db: OutpostDb): Promise<number | null> {
  const v = (await db.kv.get(WIPED_KEY))?.value as { at?: number } | undefined;
  return typeof v?.at === 'number' ? v.at : null;
}
