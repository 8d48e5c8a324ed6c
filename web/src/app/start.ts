import { db } from '../lib/db/instance.js';
import { failInterruptedRuns } from '../lib/db/runs.js';
import { ensureFirstVersions } from '../lib/db/dataset-versions.js';
import { sync } from './sync.svelte.js';

/** What happens once when the app opens; returns what to undo when it closes. */
export function startApp(): () => void {
  void failInterruptedRuns(db);
  // Datasets imported before versions become their first version (their rows' hash needs Web Crypto, so after the upgrade).
  void ensureFirstVersions(db).catch(() => 0);
  // Ask the browser not to evict our data under storage pressure (may be refused; Settings shows it).
  void navigator.storage?.persist?.().catch(() => false);
  void sync.start();
  return () => sync.stop();
}
