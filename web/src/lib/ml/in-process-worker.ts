/**
 * Test support only: runs a worker module in this thread behind the Worker interface, because
 * Node has no Web Workers. Messages are structured-cloned (transfers detach, as in a browser) and
 * delivered asynchronously in both directions, so the real protocol, parsing and cancellation
 * paths run. The module is evaluated once per call, against its own stand-in `self`.
 */
export async function inProcessWorker(importModule: () => Promise<unknown>): Promise<{ create: () => Worker; sent: unknown[] }> {
  let current: FakeWorker | null = null;
  const sent: unknown[] = [];
  const scope = {
    onmessage: null as ((ev: { data: unknown }) => unknown) | null,
    postMessage(m: unknown, transfer: Transferable[] = []) {
      const data = structuredClone(m, { transfer: transfer as Transferable[] });
      sent.push(data);
      const target = current;
      setTimeout(() => target && !target.terminated && target.onmessage?.({ data } as MessageEvent), 0);
    },
  };
  const previous = (globalThis as { self?: unknown }).self;
  (globalThis as { self?: unknown }).self = scope;
  try {
    await importModule();
  } finally {
    (globalThis as { self?: unknown }).self = previous;
  }
  class FakeWorker {
    terminated = false;
    onmessage: ((ev: MessageEvent) => unknown) | null = null;
    onerror: ((ev: ErrorEvent) => unknown) | null = null;
    onmessageerror: ((ev: MessageEvent) => unknown) | null = null;
    postMessage(m: unknown, transfer: Transferable[] = []) {
      const data = structuredClone(m, { transfer: transfer as Transferable[] });
      setTimeout(() => !this.terminated && scope.onmessage?.({ data }), 0);
    }
    terminate() {
      this.terminated = true;
    }
    addEventListener() {}
    removeEventListener() {}
    dispatchEvent() {
      return false;
    }
  }
  return {
    sent,
    create: () => {
      current = new FakeWorker();
      return current as unknown as Worker;
    },
  };
}
