// Figures 1 and 2: pushing prediction logs made offline by simulated devices, against PouchDB
// replication of the same documents, and against a raw Postgres COPY of the same rows.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import PouchDB from 'pouchdb';
import { PUSH_LIMITS } from '@shared/sync/protocol.js';
import { startServer, adminCall } from '../server/src/testing/server-process.js';
import { createHeadlessDevice, type HeadlessDevice } from '../web/src/lib/sync/headless.js';
import { countingProxy, peakRssMb } from './lib.js';

export interface SyncRun {
  events: number;
  seconds: number;
  eventsPerS: number;
  bytesPerEvent: number;
  peakServerMb: number | null;
}

const DEVICES = 10;
/** PGlite's first start in a new data directory can take long on a busy machine. */
const START_TIMEOUT_MS = 120_000;

/** One prediction document, the same fields for both systems. */
function doc(device: number, i: number) {
  return {
    projectId: `project-${device}`,
    modelVersionId: 'bench-model',
    inputs: { age: 30 + (i % 50), weight: 60 + (i % 30) },
    output: { label: i % 3 ? 'benign' : 'malignant', probabilities: { benign: 0.7, malignant: 0.3 } },
    latencyMs: 0.05,
    source: 'batch',
    createdAt: 1_790_000_000_000 + i,
  };
}

export async function outpostSync(total: number, backing: { dataDir?: string; databaseUrl?: string }, port: number): Promise<SyncRun> {
  const server = await startServer({ port, ...backing, startTimeoutMs: START_TIMEOUT_MS });
  const proxy = await countingProxy(port);
  const url = `http://127.0.0.1:${proxy.port}`;
  try {
    const org = await adminCall<{ id: string }>(server.url, 'POST', '/orgs', { name: 'bench' });
    const devices: HeadlessDevice[] = [];
    for (let d = 0; d < DEVICES; d++) {
      const { code } = await adminCall<{ code: string }>(server.url, 'POST', `/orgs/${org.id}/codes`, {});
      const dev = await createHeadlessDevice({ serverUrl: url, code, name: `bench${d}` });
      await dev.logPredictions(total / DEVICES);
      devices.push(dev);
    }
    proxy.reset();
    const t0 = performance.now();
    await Promise.all(devices.map((d) => d.engine.push()));
    const seconds = (performance.now() - t0) / 1000;
    const stats = await adminCall<{ records: Record<string, number> }>(server.url, 'GET', `/orgs/${org.id}/stats`);
    const committed = stats.records.predictions ?? 0;
    if (committed !== total) throw new Error(`expected ${total} events on the server, found ${committed}`);
    const peak = peakRssMb(server.child.pid!);
    for (const d of devices) await d.close();
    return { events: total, seconds, eventsPerS: total / seconds, bytesPerEvent: proxy.bytes() / total, peakServerMb: peak };
  } finally {
    await proxy.close();
    await server.kill();
  }
}

export async function pouchSync(total: number, port: number): Promise<SyncRun> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-pouch-'));
  const child = spawn(process.execPath, [join(import.meta.dirname, 'pouch-server.cjs'), dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.on('exit', () => reject(new Error('express-pouchdb exited')));
  });
  const proxy = await countingProxy(port);
  try {
    const remote = `http://127.0.0.1:${proxy.port}/predictions`;
    await fetch(remote, { method: 'PUT' });
    const locals = [];
    for (let d = 0; d < DEVICES; d++) {
      const local = new PouchDB(join(dir, `device-${d}`));
      const docs = Array.from({ length: total / DEVICES }, (_, i) => ({
        _id: `${d}-${String(i).padStart(7, '0')}-${randomBytes(4).toString('hex')}`,
        ...doc(d, i),
      }));
      for (let i = 0; i < docs.length; i += 1000) await local.bulkDocs(docs.slice(i, i + 1000));
      locals.push(local);
    }
    proxy.reset();
    const t0 = performance.now();
    await Promise.all(locals.map((l) => PouchDB.replicate(l, remote, { batch_size: PUSH_LIMITS.maxChanges })));
    const seconds = (performance.now() - t0) / 1000;
    const info = (await (await fetch(`http://127.0.0.1:${port}/predictions`)).json()) as { doc_count: number };
    if (info.doc_count !== total) throw new Error(`PouchDB: expected ${total} docs, found ${info.doc_count}`);
    const peak = peakRssMb(child.pid!);
    for (const l of locals) await l.close();
    return { events: total, seconds, eventsPerS: total / seconds, bytesPerEvent: proxy.bytes() / total, peakServerMb: peak };
  } finally {
    await proxy.close();
    child.kill('SIGKILL');
  }
}

/** The ceiling: COPY of the same rows into a table shaped like the server's records table. */
export async function copyRowsPerS(databaseUrl: string, total: number): Promise<number> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    // The same shape as the server's records table, with the keys any durable, exactly-once store
    // of these rows needs (the primary key, the pull index), logged: a temporary table would skip
    // the write-ahead log and every index, which no acknowledged push may.
    await c.query(`drop table if exists copy_bench`);
    await c.query(`create table copy_bench (
      org_id text not null, tbl text not null, id text not null, data jsonb not null, hlc jsonb not null, seq bigint not null,
      device_id text, updated_at timestamptz not null default now(), primary key (org_id, tbl, id))`);
    await c.query(`create index copy_bench_pull on copy_bench (org_id, seq)`);
    const lines = function* () {
      for (let i = 0; i < total; i++) {
        const data = JSON.stringify({ id: `r${i}`, ...doc(i % DEVICES, i) }).replace(/\\/g, '\\\\');
        yield `org\tpredictions\tr${i}\t${data}\t{"*": "000000000000001-0000-x"}\t${i}\tdevice\n`;
      }
    };
    const t0 = performance.now();
    await pipeline(Readable.from(lines()), c.query(copyFrom(`copy copy_bench (org_id, tbl, id, data, hlc, seq, device_id) from stdin`)));
    return total / ((performance.now() - t0) / 1000);
  } finally {
    await c.query(`drop table if exists copy_bench`).catch(() => undefined);
    await c.end();
  }
}

export const pouchTmp = () => mkdtempSync(join(tmpdir(), 'outpost-bench-'));

/**
 * Rows per second the server itself commits: ready-made, gzip-compressed push batches (as large as
 * a device sends) replayed over HTTP by 10 concurrent devices, so device-side work is not counted.
 */
export async function serverIngest(total: number, databaseUrl: string, port: number): Promise<number> {
  const { gzipSync } = await import('node:zlib');
  const server = await startServer({ port, databaseUrl, startTimeoutMs: START_TIMEOUT_MS });
  try {
    const org = await adminCall<{ id: string }>(server.url, 'POST', '/orgs', { name: 'ingest' });
    const senders: { token: string; bodies: Buffer<ArrayBuffer>[] }[] = [];
    const stamp = `${String(Date.now()).padStart(15, '0')}-0000-bench`;
    for (let d = 0; d < DEVICES; d++) {
      const { code } = await adminCall<{ code: string }>(server.url, 'POST', `/orgs/${org.id}/codes`, {});
      const enrolled = (await (
        await fetch(`${server.url}/api/enroll`, { method: 'POST', body: JSON.stringify({ code, deviceName: `ingest${d}` }) })
      ).json()) as { token: string };
      const bodies: Buffer<ArrayBuffer>[] = [];
      const n = total / DEVICES;
      const size = PUSH_LIMITS.maxChanges;
      for (let b = 0; b * size < n; b++) {
        const changes = Array.from({ length: Math.min(size, n - b * size) }, (_, i) => {
          const id = `${d}-${b}-${i}-${randomBytes(3).toString('hex')}`;
          return { table: 'predictions', id, hlc: stamp, fields: { id, ...doc(d, b * size + i) } };
        });
        bodies.push(gzipSync(JSON.stringify({ batchSeq: b, changes })) as Buffer<ArrayBuffer>);
      }
      senders.push({ token: enrolled.token, bodies });
    }
    const t0 = performance.now();
    await Promise.all(
      senders.map(async (s) => {
        for (const body of s.bodies) {
          const res = await fetch(`${server.url}/api/sync/push`, {
            method: 'POST',
            body,
            headers: { authorization: `Bearer ${s.token}`, 'content-encoding': 'gzip', 'content-type': 'application/json' },
          });
          if (!res.ok) throw new Error(`push failed: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const stats = await adminCall<{ records: Record<string, number> }>(server.url, 'GET', `/orgs/${org.id}/stats`);
    if (stats.records.predictions !== total) throw new Error(`ingest: expected ${total}, found ${stats.records.predictions}`);
    return total / seconds;
  } finally {
    await server.kill();
  }
}
