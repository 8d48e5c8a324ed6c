// A loopback HTTP proxy that injects the faults a 2G link and a flaky gateway produce: dropped
// requests, lost responses (after the server has answered), delays, truncated bodies, 5xx, HTML
// error pages and duplicated requests. Only for tests; it never listens beyond 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'none' | 'drop' | 'lose-response' | 'delay' | 'truncate' | 'status-502' | 'html-error' | 'duplicate';

export interface FaultProxy {
  url: string;
  /** Decide each request's fault; default 'none'. */
  policy: (req: { method: string; path: string; n: number }) => Fault;
  counts: Record<Fault, number>;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const t = new URL(target);
  const counts = { none: 0, drop: 0, 'lose-response': 0, delay: 0, truncate: 0, 'status-502': 0, 'html-error': 0, duplicate: 0 } as Record<Fault, number>;
  let n = 0;
  const proxy: FaultProxy = { url: '', policy: () => 'none', counts, close: async () => {} };

  const forward = (method: string, path: string, headers: http.IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const r = http.request({ host: t.hostname, port: t.port, method, path, headers: { ...headers, host: t.host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(body);
    });

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const fault = proxy.policy({ method: req.method ?? 'GET', path: req.url ?? '/', n: n++ });
    counts[fault]++;
    try {
      if (fault === 'drop') return req.socket.destroy();
      if (fault === 'status-502') return res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"network","message":"bad gateway"}}');
      if (fault === 'html-error') return res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body><h1>Service Unavailable</h1></body></html>');
      if (fault === 'delay') await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
      if (fault === 'duplicate') await forward(req.method!, req.url!, req.headers, body).catch(() => undefined);
      const up = await forward(req.method!, req.url!, req.headers, body);
      if (fault === 'lose-response') return req.socket.destroy();
      const headers = { ...up.headers };
      delete headers['content-length'];
      delete headers['transfer-encoding'];
      if (fault === 'truncate') {
        res.writeHead(up.status, headers);
        return res.end(up.body.subarray(0, Math.floor(up.body.length / 2)));
      }
      res.writeHead(up.status, headers).end(up.body);
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return proxy;
}
