/** What the scheduler listens to; the browser's globals by default, stand-ins in tests. */
export interface SchedulerEnv {
  window: EventTarget;
  document: EventTarget & { visibilityState: string };
  locks?: { request(name: string, opts: { ifAvailable: boolean }, fn: (lock: unknown) => Promise<void>): Promise<void> };
}

export interface SchedulerOptions {
  /** Time between syncs while all is well (default one minute). */
  idleMs?: number;
  /** Wait after a local change before syncing, so a burst of writes goes in one sync. */
  debounceMs?: number;
  random?: () => number;
  env?: SchedulerEnv;
}

export const MAX_BACKOFF_MS = 5 * 60_000;

/** Wait after `failures` failures in a row: exponential from 2 s, capped at 5 min, half of it jitter. */
export function backoffMs(failures: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.min(failures, 8));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * When to sync: at start, when the network returns, when the app becomes visible, soon after a
 * local change, and on a timer that backs off with jitter after failures (capped at 5 minutes).
 * Only one tab syncs at a time (Web Locks, where the browser has them): a tab that finds the lock
 * taken skips its turn, and the leader's work shows up in the shared IndexedDB.
 */
export class SyncScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private dueAt = Infinity;
  private failures = 0;
  private running = false;
  /** The soonest sync asked for while one was running (Infinity: none). */
  private againIn = Infinity;
  private stopped = true;
  private cleanup: (() => void)[] = [];

  constructor(
    private run: () => Promise<void>,
    private opts: SchedulerOptions = {},
  ) {}

  private get env(): SchedulerEnv {
    return this.opts.env ?? { window, document, locks: (navigator as Navigator & { locks?: SchedulerEnv['locks'] }).locks };
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    const env = this.env;
    const on = (target: EventTarget, ev: string, fn: () => void) => {
      target.addEventListener(ev, fn);
      this.cleanup.push(() => target.removeEventListener(ev, fn));
    };
    on(env.window, 'online', () => this.soon(0));
    on(env.document, 'visibilitychange', () => env.document.visibilityState === 'visible' && this.soon(0));
    this.soon(0);
  }

  stop() {
    this.stopped = true;
    this.clear();
    this.cleanup.forEach((f) => f());
    this.cleanup = [];
  }

  /** How many syncs in a row have failed (0 after a success). */
  get failureCount(): number {
    return this.failures;
  }

  /** A local change was made: sync after the debounce unless a sync is due sooner. */
  changed() {
    this.soon(this.opts.debounceMs ?? 1500);
  }

  /** Ask for a sync in `delayMs`. A sooner request wins over a later one already planned. */
  soon(delayMs = this.opts.debounceMs ?? 1500) {
    if (this.stopped) return;
    if (this.running) {
      this.againIn = Math.min(this.againIn, delayMs);
      return;
    }
    const due = Date.now() + delayMs;
    if (this.timer && due >= this.dueAt) return;
    this.plan(delayMs);
  }

  private clear() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dueAt = Infinity;
  }

  private plan(delayMs: number) {
    this.clear();
    this.dueAt = Date.now() + delayMs;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick() {
    this.clear();
    this.running = true;
    let ok: boolean;
    try {
      const locks = this.env.locks;
      if (locks) await locks.request('outpost-sync', { ifAvailable: true }, async (lock) => (lock ? this.run() : undefined));
      else await this.run();
      ok = true;
    } catch {
      ok = false;
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    this.failures = ok ? 0 : this.failures + 1;
    // After a failure the backoff wins over requests made meanwhile, so a busy server is not hammered.
    const wait = ok ? Math.min(this.againIn, this.opts.idleMs ?? 60_000) : backoffMs(this.failures, this.opts.random ?? Math.random);
    this.againIn = Infinity;
    this.plan(wait);
  }
}
