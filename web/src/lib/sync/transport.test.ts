import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PROTOCOL, PROTOCOL_HEADER, PushResponse } from '@shared/sync/protocol.js';
import { fetchTransport, readAnswer, speakProtocol, SyncError, type Transport } from './transport.js';

// How answers are classified: what can help by trying again later, and what the person must act on.
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const errorOf = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SyncError);
  return e as SyncError;
};
const ack = { ackedBatchSeq: 3, outcome: 'applied', applied: 1, ignored: 0, rejected: [], serverTime: 1 };

describe('readAnswer', () => {
  it('returns a well-formed answer parsed by its schema', async () => {
    expect(await readAnswer(json(200, ack), PushResponse)).toEqual(ack);
  });

  it.each([
    ['an HTML error page from a proxy', new Response('<html><body>502 Bad Gateway</body></html>', { status: 502 }), 'store_unavailable'],
    ['a captive-portal login page with 200', new Response('<!doctype html><title>Log in</title>', { status: 200 }), 'network'],
    ['truncated JSON', new Response(JSON.stringify(ack).slice(0, 20), { status: 200 }), 'network'],
    ['a 500 with a coded error', json(500, { error: { code: 'internal', message: 'boom' } }), 'internal'],
    ['a 503 while the database is away', json(503, { error: { code: 'store_unavailable', message: 'later' } }), 'store_unavailable'],
    ['a 429 rate limit', json(429, { error: { code: 'rate_limited', message: 'slow down' } }), 'rate_limited'],
    ['a 5xx with an empty body', new Response('', { status: 504 }), 'store_unavailable'],
    ['a 200 of the wrong shape', json(200, { ok: true }), 'network'],
  ])('%s is retryable', async (_what, res, code) => {
    const e = await errorOf(readAnswer(res, PushResponse));
    expect(e.retryable).toBe(true);
    expect(e.code).toBe(code);
  });

  it.each([
    ['a revoked credential', json(401, { error: { code: 'credential_revoked', message: 'Ask for a new code.' } }), 'credential_revoked'],
    ['a clock far ahead', json(400, { error: { code: 'clock_drift', message: 'Set the date and time.' } }), 'clock_drift'],
    ['a blob upload at the wrong offset', json(409, { error: { code: 'blob_offset_mismatch', message: 'x', details: { offset: 5 } } }), 'blob_offset_mismatch'],
  ])('%s is not retryable and keeps the server sentence and details', async (_what, res, code) => {
    const body = await res.clone().json();
    const e = await errorOf(readAnswer(res, z.unknown()));
    expect(e.retryable).toBe(false);
    expect(e.code).toBe(code);
    expect(e.message).toBe(body.error.message);
    expect(e.details).toEqual(body.error.details);
  });
});

describe('fetchTransport', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // A server that never answers /hang, and answers /ok with the bearer token it saw.
    server = createServer((req, res) => {
      if (req.url === '/hang') return;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ auth: req.headers.authorization ?? null, protocol: req.headers[PROTOCOL_HEADER] ?? null }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends the bearer token and the protocol version to the base URL', async () => {
    const res = await fetchTransport(base, 'tok').request('GET', '/ok');
    expect(await readAnswer(res, z.object({ auth: z.string(), protocol: z.string() }))).toEqual({ auth: 'Bearer tok', protocol: String(PROTOCOL.version) });
  });

  it('a timeout is a retryable network error', async () => {
    const e = await errorOf(fetchTransport(base, 'tok', 100).request('GET', '/hang'));
    expect(e).toMatchObject({ code: 'network', retryable: true });
    expect(e.message).toMatch(/timed out/);
  });

  it('a request stopped by its caller is a retryable network error', async () => {
    const stop = new AbortController();
    const p = fetchTransport(base, 'tok', 10_000).request('GET', '/hang', { signal: stop.signal });
    stop.abort();
    expect(await errorOf(p)).toMatchObject({ code: 'network', retryable: true, message: expect.stringMatching(/stopped/) });
  });

  it('no server at all is a retryable network error', async () => {
    const e = await errorOf(fetchTransport('http://127.0.0.1:9', undefined, 2000).request('GET', '/ok'));
    expect(e).toMatchObject({ code: 'network', retryable: true });
  });
});

describe('speakProtocol', () => {
  // A transport that answers every request with `res` and remembers the headers it was sent.
  const answering = (res: () => Response, sent: Record<string, string>[] = []): Transport => ({
    request: async (_m, _p, init) => {
      sent.push(init?.headers ?? {});
      return res();
    },
  });
  const withVersion = (v: string | null, body: Response) => {
    if (v !== null) body.headers.set(PROTOCOL_HEADER, v);
    return body;
  };

  it('says which protocol this app speaks on every request and passes answers of a current server through', async () => {
    const sent: Record<string, string>[] = [];
    const res = await speakProtocol(answering(() => withVersion(String(PROTOCOL.version), json(200, ack)), sent)).request('GET', '/x');
    expect(await readAnswer(res, PushResponse)).toEqual(ack);
    expect(sent[0][PROTOCOL_HEADER]).toBe(String(PROTOCOL.version));
  });

  it.each([
    ['says no version (the first server)', null],
    ['says an older version', String(PROTOCOL.minServer - 1)],
    ['says something unreadable', 'two'],
  ])('a successful answer from a server that %s stops the sync: not retryable, with a sentence', async (_what, v) => {
    const e = await errorOf(speakProtocol(answering(() => withVersion(v, json(200, ack)))).request('POST', '/api/sync/push'));
    expect(e).toMatchObject({
      code: 'server_outdated',
      retryable: false,
      message: expect.stringMatching(/server is older than this app.*kept on this device/),
    });
  });

  it("leaves a captive portal's page and coded errors to readAnswer", async () => {
    const portal = await speakProtocol(answering(() => new Response('<!doctype html><title>Log in</title>', { status: 200 }))).request('GET', '/x');
    expect((await errorOf(readAnswer(portal, PushResponse))).retryable).toBe(true);
    const revoked = await speakProtocol(answering(() => json(401, { error: { code: 'credential_revoked', message: 'Ask.' } }))).request('GET', '/x');
    expect((await errorOf(readAnswer(revoked, PushResponse))).code).toBe('credential_revoked');
  });
});
