/**
 * A training holds a Web Lock named by its run while it trains, so that another tab or window of
 * the app opening meanwhile can tell the run is alive: without it, that tab's start-up would mark
 * the run as cut off (its record says `running`, as a run the app was closed during does). The
 * browser frees the lock when the tab closes or crashes, so a run really cut off is seen as such.
 * Where Web Locks are missing (tests, very old browsers) nothing is held and nothing is kept.
 */
const PREFIX = 'outpost-run:';

type Locks = Pick<LockManager, 'request' | 'query'>;
const theLocks = (): Locks | undefined => (globalThis.navigator as Navigator | undefined)?.locks;

/** Takes the run's lock; resolves once held, with the function that frees it. */
export function holdRunLock(runId: string, locks: Locks | undefined = theLocks()): Promise<() => void> {
  if (!locks) return Promise.resolve(() => {});
  return new Promise((held) => {
    void locks.request(PREFIX + runId, () => new Promise<void>((free) => held(free))).catch(() => held(() => {}));
  });
}

/** The ids of runs a tab of this app is training now (their locks are held). */
export async function runsTrainingNow(locks: Locks | undefined = theLocks()): Promise<Set<string>> {
  if (!locks) return new Set();
  const { held = [] } = await locks.query().catch(() => ({ held: [] as LockInfo[] }));
  return new Set(
    held
      .map((l) => l.name ?? '')
      .filter((n) => n.startsWith(PREFIX))
      .map((n) => n.slice(PREFIX.length)),
  );
}
