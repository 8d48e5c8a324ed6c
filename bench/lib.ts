// Shared pieces of `npm run bench`: the result format, a byte-counting TCP proxy, process memory.
import net from 'node:net';
import { readFileSync } from 'node:fs';

export interface Metric {
  name: string;
  value: number | null;
  unit: string;
  peer: string | null;
  peer_value: number | null;
  /** Oriented so that higher is better for Outpost. */
  ratio: number | null;
  goal: string;
  met: boolean;
  note?: string;
  /** A curve: the figure at each size of the work, for the goals about how cost grows. */
  points?: Record<string, number | string | null | (number | null)[]>[];
}

export const quick = process.argv.includes('--quick');

/** A loopback TCP proxy that counts the bytes crossing it both ways (what a 2G link would carry). */
export async function countingProxy(targetPort: number): Promise<{ port: number; bytes: () => number; reset: () => void; close: () => Promise<void> }> {
  let total = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => (total += d.length));
    upstream.on('data', (d) => (total += d.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    bytes: () => total,
    reset: () => (total = 0),
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Peak resident memory (VmHWM) of a process, in MB, from /proc. */
export function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export const round = (x: number | null, digits = 3) => (x === null ? null : Number(x.toPrecision(digits)));

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
