/**
 * One search per project at a time across the app's tabs and windows on this device. The session
 * of each tab refuses a second search of its own; two tabs share the database but not the session,
 * so a Web Lock named by the project guards the study loop: the tab that holds it runs, another
 * is refused at once (it does not queue: a search started twice would run the same trials twice).
 * The browser frees the lock when the tab that holds it closes or crashes, so a search closed
 * midway can be resumed by the next tab that opens. Where Web Locks are missing (tests, very old
 * browsers), only the tab's own guard applies.
 *
 * Returns whether `fn` ran (false: another tab holds the project's search).
 */
export async function withSearchLock(projectId: string, fn: () => Promise<void>): Promise<boolean> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) {
    await fn();
    return true;
  }
  return locks.request(`outpost-search:${projectId}`, { ifAvailable: true }, async (lock) => {
    if (!lock) return false;
    await fn();
    return true;
  });
}
