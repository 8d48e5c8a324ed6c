import { db } from '../lib/db/instance.js';
import { holdInterruptedRuns } from '../lib/runs/resume.js';
import { ensureFirstVersions } from '../lib/db/dataset-versions.js';
import { sync } from './sync.svelte.js';
import { ACTIVE_KEY } from '../lib/search/active.js';

/** What happens once when the app opens; returns what to undo when it closes. */
export function startApp(): () => void {
  // A search cut off by the page closing resumes once its cut-off run is marked failed; its code
  // loads only then, so the first screen stays light. A training cut off with a saved epoch is
  // kept running and offered to carry on (runs/resume.ts, on the Train tab).
  void holdInterruptedRuns(db)
    .then(() => db.kv.get(ACTIVE_KEY))
    .then(async (active) => {
      if (!active) return;
      const [{ search }, { resumeInterruptedSearch }] = await Promise.all([import('../lib/search/session.js'), import('../lib/search/search.svelte.js')]);
      await resumeInterruptedSearch(db, search);
    })
    .catch(() => {});
  // Datasets imported before versions become their first version (their rows' hash needs Web Crypto, so after the upgrade).
  void ensureFirstVersions(db).catch(() => 0);
  // Ask the browser not to evict our data under storage pressure (may be refused; Settings shows it).
  void navigator.storage?.persist?.().catch(() => false);
  void sync.start();
  // Pipelines whose rules are on run again on new rows or a retraining proposal (docs/pipelines.md):
  // the watcher is small, the runner and the training load only when a run is due.
  let stopPipelines = () => {};
  void import('../lib/pipelines/watch.js')
    .then(
      ({ watchPipelines }) => (stopPipelines = watchPipelines(db, async (id, trigger) => (await import('../lib/pipelines/app.js')).startByRule(id, trigger))),
    )
    .catch(() => {});
  return () => {
    sync.stop();
    stopPipelines();
  };
}
