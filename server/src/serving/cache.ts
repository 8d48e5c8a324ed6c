/**
 * Loaded models kept between requests, least recently used first out. A model stays loaded while a
 * request uses it even when it has been evicted (it is released when the last such request
 * finishes), so eviction never pulls a model out from under a running prediction.
 *
 * Bounds: at most `maxEntries` models and `maxBytes` of weight bytes (a loaded model holds about
 * its weights' size, once in ONNX Runtime's or TensorFlow.js's memory) are kept for reuse; on top
 * of that, only models still in use by requests in flight, each released when its request ends.
 * One model larger than `maxBytes` is still loaded and kept alone. A load that fails is not kept,
 * so the next request tries again.
 */
export interface CacheLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxEntries: 16, maxBytes: 256 * 1024 * 1024 };

interface Entry<T> {
  value: Promise<T>;
  bytes: number;
  users: number;
  evicted: boolean;
  disposed: boolean;
}

export interface Lease<T> {
  value: T;
  /** Done with it: it may be released now if it was evicted meanwhile. */
  release(): void;
}

export class ModelCache<T> {
  // A Map iterates in insertion order: re-inserting on use makes the first entry the least recent.
  readonly #entries = new Map<string, Entry<T>>();

  constructor(
    private readonly dispose: (value: T) => void,
    private readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS,
  ) {}

  /** The value under `key`, loading it with `load` (which says how many bytes it holds) if it is not kept. */
  async acquire(key: string, load: () => Promise<{ value: T; bytes: number }>): Promise<Lease<T>> {
    let entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    } else {
      const loading = load();
      entry = { value: loading.then((l) => l.value), bytes: 0, users: 0, evicted: false, disposed: false };
      this.#entries.set(key, entry);
      const e = entry;
      loading.then(
        (l) => {
          e.bytes = l.bytes;
          this.#evict(key);
        },
        () => {
          if (this.#entries.get(key) === e) this.#entries.delete(key);
        },
      );
    }
    entry.users++;
    let value: T;
    try {
      value = await entry.value;
    } catch (err) {
      entry.users--;
      throw err;
    }
    const e = entry;
    let released = false;
    return {
      value,
      release: () => {
        if (released) return;
        released = true;
        e.users--;
        this.#releaseIfUnused(e, value);
      },
    };
  }

  /** Models kept for reuse now, and their weight bytes. */
  get size(): { entries: number; bytes: number } {
    let bytes = 0;
    for (const e of this.#entries.values()) bytes += e.bytes;
    return { entries: this.#entries.size, bytes };
  }

  #evict(keep: string): void {
    let { entries, bytes } = this.size;
    for (const [key, e] of this.#entries) {
      if (entries <= this.limits.maxEntries && bytes <= this.limits.maxBytes) break;
      if (key === keep) continue;
      this.#entries.delete(key);
      entries--;
      bytes -= e.bytes;
      this.#retire(e);
    }
  }

  // Still loading or in use: released by its last user (a pending load once it resolves).
  #retire(e: Entry<T>): void {
    e.evicted = true;
    e.value.then(
      (v) => this.#releaseIfUnused(e, v),
      () => {},
    );
  }

  #releaseIfUnused(e: Entry<T>, v: T): void {
    if (!e.evicted || e.users > 0 || e.disposed) return;
    e.disposed = true;
    this.dispose(v);
  }

  /** Release every kept model (a server shutting down, or a test). */
  clear(): void {
    for (const [key, e] of this.#entries) {
      this.#entries.delete(key);
      this.#retire(e);
    }
  }
}
