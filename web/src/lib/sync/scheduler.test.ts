import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffMs, MAX_BACKOFF_MS, SyncScheduler, type SchedulerEnv } from './scheduler.js';

// The scheduler with stand-ins for the browser's window, document and Web Locks, on fake timers.
function env(withLocks = false) {
  const held = { taken: false };
  const e: SchedulerEnv & { held: typeof held } = {
    window: new EventTarget(),
    document: Object.assign(new EventTarget(), { visibilityState: 'hidden' }),
    held,
  };
  if (withLocks) {
    e.locks = {
      async request(_name, _opts, fn) {
        if (held.taken) return fn(null);
        held.taken = true;
        try {
          await fn({});
        } finally {
          held.taken = false;
        }
      },
    };
  }
  return e;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('sync scheduler', () => {
  it('syncs at start, when the network returns, and when the app becomes visible', async () => {
    const e = env();
    const run = vi.fn(async () => {});
    const s = new SyncScheduler(run, { env: e, idleMs: 60_000 });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    e.window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
    e.document.dispatchEvent(new Event('visibilitychange')); // still hidden: nothing
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
    e.document.visibilityState = 'visible';
    e.document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(3);
    s.stop();
    e.window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(run).toHaveBeenCalledTimes(3);
  });

  it('gathers a burst of local changes into one sync after the debounce', async () => {
    const run = vi.fn(async () => {});
    const s = new SyncScheduler(run, { env: env(), debounceMs: 1000, idleMs: 60_000 });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 5; i++) {
      s.changed();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    s.stop();
  });

  it('a change made during a sync is synced right after it', async () => {
    let release = () => {};
    const run = vi.fn(() => new Promise<void>((r) => (release = r)));
    const s = new SyncScheduler(run, { env: env(), debounceMs: 500, idleMs: 60_000 });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    s.changed();
    release();
    await vi.advanceTimersByTimeAsync(499);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
    s.stop();
  });

  it('backs off with jitter after failures, capped at five minutes, and resets after a success', async () => {
    expect(backoffMs(1, () => 0)).toBe(2000);
    expect(backoffMs(1, () => 1)).toBe(4000);
    expect(backoffMs(30, () => 1)).toBe(MAX_BACKOFF_MS);
    expect(backoffMs(30, () => 0)).toBe(MAX_BACKOFF_MS / 2);
    let fail = true;
    const at: number[] = [];
    const run = vi.fn(async () => {
      at.push(Date.now());
      if (fail) throw new Error('server down');
    });
    const s = new SyncScheduler(run, { env: env(), random: () => 1, idleMs: 60_000 });
    s.start();
    for (let i = 0; i < 15; i++) await vi.advanceTimersByTimeAsync(MAX_BACKOFF_MS);
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    expect(gaps.slice(0, 3)).toEqual([4000, 8000, 16000]);
    expect(Math.max(...gaps)).toBe(MAX_BACKOFF_MS);
    expect(gaps[gaps.length - 1]).toBe(MAX_BACKOFF_MS);
    fail = false;
    await vi.advanceTimersByTimeAsync(MAX_BACKOFF_MS);
    expect(s.failureCount).toBe(0);
    const n = at.length;
    await vi.advanceTimersByTimeAsync(60_000); // back to the idle pace
    expect(at.length).toBe(n + 1);
    s.stop();
  });

  it('only one tab syncs at a time: a tab that finds the lock taken skips its turn', async () => {
    const e = env(true);
    let release = () => {};
    const leader = vi.fn(() => new Promise<void>((r) => (release = r)));
    const follower = vi.fn(async () => {});
    const a = new SyncScheduler(leader, { env: e });
    const b = new SyncScheduler(follower, { env: e });
    a.start();
    await vi.advanceTimersByTimeAsync(0);
    b.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(leader).toHaveBeenCalledTimes(1);
    expect(follower).not.toHaveBeenCalled();
    release();
    await vi.advanceTimersByTimeAsync(0);
    a.stop(); // the leading tab is closed: the other takes over
    e.window.dispatchEvent(new Event('online'));
    await vi.advanceTimersByTimeAsync(0);
    expect(follower).toHaveBeenCalledTimes(1);
    a.stop();
    b.stop();
  });
});
