import Dexie from 'dexie';
import type { Prediction } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';

type TimeIndex = '[projectId+createdAt]' | '[modelVersionId+createdAt]';

/**
 * The prediction log of one project or model version, oldest first, a page at a time along its
 * time index. Each page starts where the last one ended (keyset paging), skipping only the rows
 * of that same millisecond already read, so reading a million logged predictions costs the same
 * per page at the end as at the start (an offset would walk every row before it).
 */
export async function* logPages(db: OutpostDb, index: TimeIndex, key: string, pageSize = 2000): AsyncGenerator<Prediction[]> {
  let from = -Infinity;
  let skip = 0;
  for (;;) {
    const page = await db.predictions.where(index).between([key, from], [key, Dexie.maxKey]).offset(skip).limit(pageSize).toArray();
    if (!page.length) return;
    yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1].createdAt;
    // Rows of the last millisecond read so far: this page's, plus earlier pages' when they all share it.
    skip = (last === from ? skip : 0) + page.filter((p) => p.createdAt === last).length;
    from = last;
  }
}

/** How many predictions a project or version has logged on this device (counted on the index). */
export function countLogged(db: OutpostDb, index: TimeIndex, key: string): Promise<number> {
  return db.predictions.where(index).between([key, -Infinity], [key, Dexie.maxKey]).count();
}
