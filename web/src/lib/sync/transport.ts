import type { z } from 'zod';
import { OutpostError, type ErrorCode } from '@shared/errors.js';
import { PROTOCOL, PROTOCOL_HEADER, RejectedChange } from '@shared/sync/protocol.js';
import type { Message } from '../i18n/catalogue.js';
import { english } from '../i18n/speaking.js';
import { reasonSaid } from './refusals.js';

export interface RequestInit {
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Cancels the request (e.g. the app is closing); a timeout applies as well. */
  signal?: AbortSignal;
}

/**
 * How the sync engine reaches the server. `fetch` in the browser and the headless client;
 * `app.request()` in tests, so the real server runs in-process with no network.
 */
export interface Transport {
  request(method: string, path: string, init?: RequestInit): Promise<Response>;
}

/** Requests to `baseUrl` with the device's bearer token, each given at most `timeoutMs`. */
export function fetchTransport(baseUrl: string, token: string | undefined, timeoutMs = 30_000): Transport {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers, [PROTOCOL_HEADER]: String(PROTOCOL.version) };
      if (token) headers.authorization = `Bearer ${token}`;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init.signal ? either(init.signal, timeout) : timeout;
      try {
        return await fetch(`${base}${path}`, { method, headers, body: init.body as BodyInit | undefined, signal, cache: 'no-store' });
      } catch (e) {
        const why = init.signal?.aborted ? 'stopped' : timeout.aborted ? 'timedOut' : 'none';
        throw SyncError.worded('network', { key: 'sync.failure.unreachable', values: { server: base, why } }, true, { cause: (e as Error).name });
      }
    },
  };
}

export const SERVER_OUTDATED =
  'The server is older than this app. Ask your coordinator to update the server; your work is kept on this device and syncs once the server is updated.';

/**
 * Versions in the field (PROTOCOL, shared/src/sync/protocol.ts): every request says which sync
 * protocol this app speaks, and a successful answer from the server must say which it speaks. An
 * answer from a server too old for this app (no version, or one below `minServer`) stops the sync
 * with `server_outdated` before anything is read from it, so nothing leaves the outbox on an
 * answer this app would misread. Only answers that look like the server's own (JSON or blob
 * bytes) are checked: a captive portal's HTML page is left to `readAnswer` (retry later).
 */
export function speakProtocol(t: Transport): Transport {
  return {
    async request(method, path, init = {}) {
      const res = await t.request(method, path, { ...init, headers: { ...init.headers, [PROTOCOL_HEADER]: String(PROTOCOL.version) } });
      const ours = /json|octet-stream/.test(res.headers.get('content-type') ?? '');
      const version = Number(res.headers.get(PROTOCOL_HEADER) ?? 1);
      if (res.ok && ours && !(version >= PROTOCOL.minServer)) {
        await res.body?.cancel().catch(() => undefined);
        throw new SyncError('server_outdated', SERVER_OUTDATED, false, { serverProtocol: res.headers.get(PROTOCOL_HEADER) });
      }
      return res;
    },
  };
}

/** Aborted when either is (AbortSignal.any is missing from browsers before 2024). */
function either(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const c = new AbortController();
  for (const s of [a, b]) {
    if (s.aborted) c.abort(s.reason);
    else s.addEventListener('abort', () => c.abort(s.reason), { once: true });
  }
  return c.signal;
}

/** A sync failure that says whether trying again later can help. */
export class SyncError extends OutpostError {
  /** The failure as a catalogue message, when this app words it (or knows the server's reason): said in the person's language. */
  said?: Message;
  /** The server's reason for refusing the request (`error.reason` of its answer), when it gave one. */
  refusal?: ServerReason;
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    details?: unknown,
  ) {
    super(code, message, details);
  }

  /** A failure this app words itself: its message for every language, and its English as `message`. */
  static worded(code: ErrorCode, said: Message, retryable: boolean, details?: unknown): SyncError {
    const e = new SyncError(code, english(said), retryable, details);
    e.said = said;
    return e;
  }
}

type ServerReason = NonNullable<z.infer<typeof RejectedChange.shape.reason>>;

/**
 * Read a JSON answer and check its shape. A 5xx, a 408/429, an HTML error page, truncated JSON or
 * an answer of the wrong shape is retryable (a proxy, a captive portal, a restarting server, a cut
 * connection); a 4xx with an error code is not, and carries the server's sentence.
 */
export async function readAnswer<T>(res: Response, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await res.text();
  } catch {
    throw SyncError.worded('network', { key: 'sync.failure.cut' }, true);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    if (res.status >= 500) throw new SyncError('store_unavailable', `The server is unavailable (${res.status}); will try again later.`, true);
    throw SyncError.worded('network', { key: 'sync.failure.notSync', values: { status: res.status } }, true);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown; reason?: unknown } } | null)?.error;
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    const code = typeof err?.code === 'string' ? (err.code as ErrorCode) : retryable ? 'store_unavailable' : 'bad_request';
    const e = new SyncError(code, err?.message ?? `The server answered ${res.status}.`, retryable, err?.details);
    // The reason's code and values (added later, optional): the sentence in the person's language when this app knows the code.
    const reason = RejectedChange.shape.reason.safeParse(err?.reason);
    if (reason.success && reason.data) {
      e.refusal = reason.data;
      e.said = reasonSaid(reason.data);
    }
    throw e;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw SyncError.worded('network', { key: 'sync.failure.misread' }, true);
  return parsed.data;
}
