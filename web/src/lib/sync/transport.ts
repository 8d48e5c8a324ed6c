import type { z } from 'zod';
import { OutpostError, type ErrorCode } from '../../../../shared/src/errors.js';

/**
 * How the sync engine reaches the server. `fetch` in the browser and the headless client;
 * `app.request()` in tests, so the real server runs in-process with no network.
 */
export interface Transport {
  request(method: string, path: string, init?: { body?: string | Uint8Array; headers?: Record<string, string> }): Promise<Response>;
}

export function fetchTransport(baseUrl: string, token: string | undefined, timeoutMs = 30_000): Transport {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (token) headers.authorization = `Bearer ${token}`;
      try {
        return await fetch(`${base}${path}`, { method, headers, body: init.body as BodyInit | undefined, signal: AbortSignal.timeout(timeoutMs), cache: 'no-store' });
      } catch (e) {
        throw new SyncError('network', `The server at ${base} could not be reached (${(e as Error).name === 'TimeoutError' ? 'timed out' : 'no connection'}). Your work is kept on this device and will sync later.`, true);
      }
    },
  };
}

/** A sync failure that says whether trying again later can help. */
export class SyncError extends OutpostError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    details?: unknown,
  ) {
    super(code, message, details);
  }
}

/**
 * Read a JSON answer and check its shape. A 5xx, an HTML error page, truncated JSON or an answer of
 * the wrong shape is retryable (a proxy or a restarting server); a 4xx with an error code is not.
 */
export async function readAnswer<T>(res: Response, schema: z.ZodType<T>): Promise<T> {
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SyncError('network', `The server answered ${res.status} with something that is not JSON; will try again later.`, true);
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: unknown } })?.error;
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new SyncError((err?.code as ErrorCode) ?? (retryable ? 'network' : 'bad_request'), err?.message ?? `The server answered ${res.status}.`, retryable, err?.details);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new SyncError('network', 'The server sent an answer this app does not understand; will try again later.', true);
  return parsed.data;
}
