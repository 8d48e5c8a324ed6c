// How cost grows with the fleet: many simulated devices (the PWA's own Dexie schema and sync engine
// on fake-indexeddb, in this process) pushing their prediction logs at once to server processes on
// one Postgres; and the app's heap after training and after many predictions.
import { adminCall, startServer, type ServerProcess } from '../server/src/testing/server-process.js';
import { createHeadlessDevice, type HeadlessDevice } from '../web/src/lib/sync/headless.js';
import { fetchTransport, type Transport } from '../web/src/lib/sync/transport.js';
import { peakRssMb } from './lib.js';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 once it is gone. */
function cpuS(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every Postgres backend connected to this database (the servers' pools). */
async function postgresCpu(databaseUrl: string): Promise<Map<number, number>> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>(`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
    return new Map(rows.map((r) => [r.pid, cpuS(r.pid)]));
  } finally {
    await c.end();
  }
}

export interface DevicesPoint {
  devices: number;
  servers: number;
  events: number;
  /** Wall time from the first push to the last acknowledgement, s. */
  seconds: number;
  eventsPerS: number;
  /** Wall time per event at this fleet size, µs (`seconds / events`). */
  perEventUs: number;
  pushes: number;
  pushP50Ms: number;
  pushP95Ms: number;
  /** Peak RSS of each server process over its whole life (enrolment, logging and the sync), MB. */
  serverPeakMb: (number | null)[];
  /** This process's heap with every device open, after the sync, MB. */
  clientHeapMb: number;
  /** CPU used during the sync by this process (the devices) and by the server processes, s. */
  clientCpuS: number;
  serverCpuS: number;
  /** CPU used during the sync by the Postgres backends serving this database, s. */
  postgresCpuS: number;
  /** Enrolling the devices and logging their predictions (not timed in the figures), s. */
  setupS: number;
}

/** One full push batch per server before the clock starts. */
const WARM_EVENTS = 1000;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};

/** Run `work` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

/**
 * `devices` headless devices, split round-robin between `ports.length` server processes on
 * `databaseUrl`, each with `events / devices` predictions logged offline, all pushing at once (at
 * most `live` pushing at any moment; the rest wait their turn within the same window). Each push
 * request is timed from sending to the server's answer.
 */
export async function devicesRun(opts: {
  devices: number;
  events: number;
  databaseUrl: string;
  ports: number[];
  live?: number;
  orgs?: number;
}): Promise<DevicesPoint> {
  const { devices: n, events, databaseUrl, ports } = opts;
  const started = performance.now();
  const servers: ServerProcess[] = [];
  const devices: HeadlessDevice[] = [];
  try {
    for (const port of ports) servers.push(await startServer({ port, databaseUrl }));
    const orgs: { id: string }[] = [];
    for (let o = 0; o < (opts.orgs ?? 1); o++) orgs.push(await adminCall<{ id: string }>(servers[0].url, 'POST', '/orgs', { name: `growth-${n}-${o}` }));
    const org = orgs[0];
    const pushMs: number[] = [];
    const timed = (base: Transport): Transport => ({
      async request(method, path, init) {
        if (path !== '/api/sync/push') return base.request(method, path, init);
        const t = performance.now();
        const res = await base.request(method, path, init);
        pushMs.push(performance.now() - t);
        return res;
      },
    });
    const each = Math.floor(events / n);
    // Enrolment and logging run a few devices at a time: IndexedDB writes in fake-indexeddb are
    // CPU work in this process, so more at once only interleaves them.
    await pool(
      Array.from({ length: n }, (_, d) => d),
      8,
      async (d) => {
        const url = servers[d % servers.length].url;
        const { code } = await adminCall<{ code: string }>(servers[0].url, 'POST', `/orgs/${orgs[d % orgs.length].id}/codes`, {});
        const dev = await createHeadlessDevice({ serverUrl: url, code, name: `g${n}-${d}`, transport: (token) => timed(fetchTransport(url, token, 300_000)) });
        await dev.logPredictions(each);
        devices[d] = dev;
      },
    );
    // One more device per server pushes first, so every process has compiled its push path
    // before the clock starts (a cold server would charge its JIT to the smallest fleet).
    for (const s of servers) {
      const { code } = await adminCall<{ code: string }>(servers[0].url, 'POST', `/orgs/${org.id}/codes`, {});
      const warm = await createHeadlessDevice({ serverUrl: s.url, code, name: `warm-${n}` });
      await warm.logPredictions(WARM_EVENTS);
      await warm.engine.push();
      await warm.close();
    }
    pushMs.length = 0;
    const setupS = (performance.now() - started) / 1000;
    const cpu0 = process.cpuUsage();
    const server0 = servers.map((s) => cpuS(s.child.pid!));
    const pg0 = await postgresCpu(databaseUrl);
    const t0 = performance.now();
    await pool(devices, opts.live ?? n, async (d) => void (await d.engine.push()));
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = process.cpuUsage(cpu0);
    const serverCpuS = servers.reduce((a, s, i) => a + cpuS(s.child.pid!) - server0[i], 0);
    // Backends opened during the sync count from zero.
    const postgresCpuS = [...(await postgresCpu(databaseUrl))].reduce((a, [pid, t]) => a + t - (pg0.get(pid) ?? 0), 0);
    let committed = 0;
    for (const o of orgs)
      committed += (await adminCall<{ records: Record<string, number> }>(servers[0].url, 'GET', `/orgs/${o.id}/stats`)).records.predictions ?? 0;
    if (committed !== each * n + WARM_EVENTS * servers.length)
      throw new Error(`expected ${each * n} events on the server, found ${committed - WARM_EVENTS * servers.length} (and the warm-up's)`);
    globalThis.gc?.();
    return {
      devices: n,
      servers: servers.length,
      events: each * n,
      seconds,
      eventsPerS: (each * n) / seconds,
      perEventUs: (seconds * 1e6) / (each * n),
      pushes: pushMs.length,
      pushP50Ms: percentile(pushMs, 0.5),
      pushP95Ms: percentile(pushMs, 0.95),
      serverPeakMb: servers.map((s) => peakRssMb(s.child.pid!)),
      clientCpuS: (cpu1.user + cpu1.system) / 1e6,
      serverCpuS,
      postgresCpuS,
      clientHeapMb: process.memoryUsage().heapUsed / 2 ** 20,
      setupS,
    };
  } finally {
    await pool(devices.filter(Boolean), 16, (d) => d.close());
    for (const s of servers) await s.kill();
  }
}

export interface AppHeap {
  /** JS heap after a collection: before training, after it, with the model loaded, after the predictions, MB. */
  beforeMb: number;
  afterTrainingMb: number;
  loadedMb: number;
  afterPredictionsMb: number;
  predictions: number;
  epochs: number;
  /** Live tensors before training, after it (the model's weights are plain arrays by then), after the predictions. */
  tensors: [number, number, number];
}

/**
 * The app's heap through its own training core and runtime (TensorFlow.js CPU backend in Node):
 * the breast-cancer network trained for `epochs`, then `predictions` single-row predictions.
 */
export async function appHeap(epochs: number, predictions: number): Promise<AppHeap> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const { breastCancer, benchParams } = await import('./ml.js');
  const { trainModel } = await import('../web/src/lib/ml/train.js');
  const { TfjsRuntime } = await import('../web/src/lib/ml/tfjs-runtime.js');
  await tf.setBackend('cpu');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('appHeap needs node --expose-gc');
  const heap = () => {
    gc();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const d = breastCancer();
  // A short run first, so the figures are not the cost of compiling the training path.
  await trainModel(d.rows, benchParams(d.names, 1), d.columns);
  const tensors0 = tf.memory().numTensors;
  const beforeMb = heap();
  const r = await trainModel(d.rows, benchParams(d.names, epochs), d.columns);
  const afterTrainingMb = heap();
  const tensors1 = tf.memory().numTensors;
  const rt = await TfjsRuntime.load({ task: 'classification', pipeline: r.pipeline, artifacts: r.artifacts, weights: r.weights });
  for (let i = 0; i < 200; i++) await rt.predict([d.rows[i % d.rows.length]]);
  const loadedMb = heap();
  for (let i = 0; i < predictions; i++) await rt.predict([d.rows[i % d.rows.length]]);
  const afterPredictionsMb = heap();
  const tensors2 = tf.memory().numTensors;
  rt.dispose();
  return { beforeMb, afterTrainingMb, loadedMb, afterPredictionsMb, predictions, epochs, tensors: [tensors0, tensors1, tensors2] };
}
