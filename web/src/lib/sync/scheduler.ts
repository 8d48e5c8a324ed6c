/**
 * When to sync: at start, when the network returns, when the app becomes visible, soon after a
 * local change, and on a timer that backs off with jitter after failures (capped at 5 minutes).
 * Only one tab syncs at a time (Web Locks), so two open tabs never push the same outbox twice.
 */
export class SyncScheduler {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private running = false;
  private again = false;
  private stopped = true;
  private cleanup: (() => void)[] = [];

  constructor(
    private run: () => Promise<void>,
    private opts: { idleMs?: number; random?: () => number } = {},
  ) {}

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    const on = (target: EventTarget, ev: string, fn: () => void) => {
      target.addEventListener(ev, fn);
      this.cleanup.push(() => target.removeEventListener(ev, fn));
    };
    on(window, 'online', () => this.soon(0));
    on(document, 'visibilitychange', () => document.visibilityState === 'visible' && this.soon(0));
    this.soon(0);
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.cleanup.forEach((f) => f());
    this.cleanup = [];
  }

  /** Ask for a sync in `delayMs` (sooner requests win). */
  soon(delayMs = 1500) {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick() {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    let ok = false;
    try {
      const locks = (navigator as Navigator & { locks?: LockManager }).locks;
      if (locks) await locks.request('outpost-sync', { ifAvailable: true }, async (lock) => (lock ? this.run() : undefined));
      else await this.run();
      ok = true;
    } catch {
      ok = false;
    } finally {
      this.running = false;
    }
    this.failures = ok ? 0 : this.failures + 1;
    const random = this.opts.random ?? Math.random;
    const idle = this.opts.idleMs ?? 60_000;
    const backoff = Math.min(5 * 60_000, 2000 * 2 ** Math.min(this.failures, 8));
    const wait = this.again ? 0 : ok ? idle : backoff / 2 + random() * (backoff / 2);
    this.again = false;
    this.soon(wait);
  }
}
