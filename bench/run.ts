// `npm run bench` (`-- --quick` for a short pass): Outpost measured beside a peer in the same run,
// reported as ratios (higher is better for Outpost). Writes bench/results/latest.json.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import { median, quick, round, type Metric } from './lib.js';
import { BLOB_CHUNK_BYTES, PUSH_LIMITS } from '@shared/sync/protocol.js';
import { copyRowsPerS, outpostSync, pouchSync, pouchTmp, serverIngest } from './sync.js';
import { freshDatabase, postgresProblem, TEST_DATABASE_URL } from '../server/src/testing/postgres.js';
import { inferTfjs, leakCheck, trainNode, trainSklearn } from './ml.js';
import { inferNative, inferWeb, type InferRun } from './infer.js';
import { coldOfflineMs, firstVisit2g, initialJsGzipKb, launch, precacheMb, precacheUrls, trainInBrowser } from './app.js';
import { adminCall, startServer } from '../server/src/testing/server-process.js';
import { monitorScaling } from './monitor.js';
import { createHeadlessDevice } from '../web/src/lib/sync/headless.js';
import { appHeap, devicesRun, type DevicesPoint } from './growth.js';
import { blobRun } from './blob.js';

const metrics: Metric[] = [];
const add = (m: Metric) => {
  metrics.push(m);
  console.log(
    `  ${m.name}: ${m.value} ${m.unit}${m.peer ? ` vs ${m.peer} ${m.peer_value}` : ''} → ratio ${m.ratio} (${m.met ? 'met' : 'NOT met'}: ${m.goal})${m.note ? `\n    ${m.note}` : ''}`,
  );
};
const EVENTS = quick ? 10_000 : 100_000;
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

console.log(`Outpost bench${quick ? ' (quick)' : ''}: ${EVENTS} events, ${cpus().length} cores`);
if (!existsSync(new URL('../web/dist/index.html', import.meta.url))) {
  spawnSync('npx', ['vite', 'build', '--config', 'vite.config.ts', '--logLevel', 'warn'], { stdio: 'inherit' });
}

// 1. Sync throughput and bytes, against PouchDB replication to express-pouchdb (LevelDB).
console.log('1. sync');
const pouch = await pouchSync(EVENTS, 18901);
const lite = await outpostSync(EVENTS, { dataDir: pouchTmp() }, 18902);
const syncMetric = (name: string, run: typeof lite): Metric => ({
  name,
  value: round(run.eventsPerS),
  unit: 'events/s',
  peer: 'PouchDB 9 → express-pouchdb 4.2 (LevelDB), loopback',
  peer_value: round(pouch.eventsPerS),
  ratio: round(run.eventsPerS / pouch.eventsPerS),
  goal: '≥ 5× PouchDB events/s and ≤ 1/20 of its bytes per event',
  met: run.eventsPerS >= 5 * pouch.eventsPerS && run.bytesPerEvent <= pouch.bytesPerEvent / 20,
  note: `bytes/event ${round(run.bytesPerEvent)} vs ${round(pouch.bytesPerEvent)} (ratio ${round(pouch.bytesPerEvent / run.bytesPerEvent)}); peak server RSS ${round(run.peakServerMb)} MB vs ${round(pouch.peakServerMb)} MB`,
});
add(syncMetric('sync_events_per_s_pglite', lite));
let pgRun: typeof lite | undefined;
if (!(await postgresProblem())) {
  const db = await freshDatabase(TEST_DATABASE_URL, 'outpost_bench');
  try {
    pgRun = await outpostSync(EVENTS, { databaseUrl: db.url }, 18903);
    add(syncMetric('sync_events_per_s_postgres', pgRun));
    // 2. What the server commits against a raw COPY of the same rows (the ceiling).
    const ingest = await serverIngest(EVENTS, db.url, 18905);
    const copy = await copyRowsPerS(db.url, EVENTS);
    add({
      name: 'server_ingest_vs_copy',
      value: round(ingest),
      unit: 'rows/s',
      peer: 'Postgres COPY of the same rows into a table of the records table’s shape (primary key, pull index, logged)',
      peer_value: round(copy),
      ratio: round(ingest / copy),
      goal: '≥ 0.5 of COPY',
      met: ingest / copy >= 0.5,
      note: `ready-made gzip batches of ${PUSH_LIMITS.maxChanges} over HTTP from 10 concurrent devices (validation, merge rules, acknowledgement included)`,
    });
  } finally {
    await db.drop();
  }
} else console.log('  Postgres not reachable: sync_events_per_s_postgres and server_ingest_vs_copy not measured');

// 3 and 4 need the browser.
console.log('3. inference, 4. training');
const EPOCHS = quick ? 20 : 100;
const skl = trainSklearn(EPOCHS);
if ('error' in skl) console.log(`  ${skl.error}`);
const node = await trainNode(EPOCHS);
const server = await startServer({ port: 18904, dataDir: pouchTmp(), webDir: new URL('../web/dist', import.meta.url).pathname });
const browser = await launch();
try {
  // 3. The ONNX model: the app's onnxruntime-web (WASM, in a worker of a page the server serves
  // cross-origin isolated) against onnxruntime-node, side by side at 1 and at 2 threads. Native and
  // web alternate, one repeat each, and each ratio is the median of the pairs' ratios, so a load
  // change on this shared machine falls on both sides of a pair.
  const SINGLES = quick ? 500 : 2000;
  const REPEATS = quick ? 3 : 5;
  const tfjsRun = await inferTfjs(SINGLES, 10_000);
  const webDir = new URL('../web/dist', import.meta.url).pathname;
  for (const threads of [1, 2]) {
    const pairs: { native: InferRun; web: InferRun & { isolated: boolean } }[] = [];
    for (let r = 0; r < REPEATS; r++) {
      const native = await inferNative(SINGLES, 10_000, threads, 1);
      const web = await inferWeb(browser, server.url, webDir, { singles: SINGLES, batchRows: 10_000, cores: threads, repeats: 1 });
      pairs.push({ native, web });
    }
    const med = (f: (p: (typeof pairs)[number]) => number) => median(pairs.map(f));
    const range = (f: (p: (typeof pairs)[number]) => number, unit: string) => `${round(Math.min(...pairs.map(f)))}–${round(Math.max(...pairs.map(f)))} ${unit}`;
    const batchRatio = med((p) => p.web.rowsPerS / p.native.rowsPerS);
    const p50Ratio = med((p) => p.native.p50Ms / p.web.p50Ms);
    const isolated = pairs.every((p) => p.web.isolated);
    const peer = `onnxruntime-node (native CPU, ${threads} thread${threads > 1 ? 's' : ''})`;
    const how = `median of ${REPEATS} alternating native/web pairs, ratio = median of the pairs' ratios (spread ${range((p) => p.web.rowsPerS / p.native.rowsPerS, 'batch')}, ${range((p) => p.native.p50Ms / p.web.p50Ms, 'p50')}); ${threads} thread${threads > 1 ? 's' : ''} on both sides (web: the app's own choice on a ${threads}-core device), web ${isolated ? 'cross-origin isolated' : 'NOT isolated (no threads)'}`;
    add({
      name: `infer_ort_web_vs_native_${threads}t`,
      value: round(med((p) => p.web.rowsPerS)),
      unit: 'rows/s (10,000-row batch)',
      peer,
      peer_value: round(med((p) => p.native.rowsPerS)),
      ratio: round(batchRatio),
      goal: 'ORT-web within 2× native on the batch',
      met: batchRatio >= 0.5,
      note: `${how}; rows/s web ${range((p) => p.web.rowsPerS, '')}, native ${range((p) => p.native.rowsPerS, '')}; max |Δp| vs reference: web ${pairs[0].web.maxAbsError.toExponential(2)}, native ${pairs[0].native.maxAbsError.toExponential(2)}; TensorFlow.js (Outpost-trained 30-16-2, Node CPU): p50 ${round(tfjsRun.p50Ms)} ms, ${round(tfjsRun.rowsPerS)} rows/s`,
    });
    add({
      name: `infer_ort_web_vs_native_p50_${threads}t`,
      value: round(med((p) => p.web.p50Ms)),
      unit: 'ms (single row, p50)',
      peer,
      peer_value: round(med((p) => p.native.p50Ms)),
      ratio: round(p50Ratio),
      goal: 'ORT-web within 2× native on single-row p50',
      met: p50Ratio >= 0.5,
      note: `${how}; ${SINGLES} rows one at a time per repeat; p50 web ${range((p) => p.web.p50Ms, 'ms')}, native ${range((p) => p.native.p50Ms, 'ms')}; p99 web ${round(med((p) => p.web.p99Ms))} ms, native ${round(med((p) => p.native.p99Ms))} ms`,
    });
  }
  const sk = 'error' in skl ? null : skl;
  for (const wanted of ['wasm', 'webgl', 'cpu'] as const) {
    // As scikit-learn's figure: the median of three trainings (one for WebGL, which takes seconds here on SwiftShader).
    const tries = [await trainInBrowser(browser, server.url, EPOCHS, wanted)];
    while (tries.length < (quick || wanted === 'webgl' || tries[0].backend !== wanted ? 1 : 3))
      tries.push(await trainInBrowser(browser, server.url, EPOCHS, wanted));
    const secs = tries.map((t) => t.seconds).sort((a, b) => a - b);
    const web = { ...tries[0], seconds: median(secs) };
    if (web.backend !== wanted) {
      console.log(`  ${wanted}: not available in this browser (fell back to ${web.backend}); not reported`);
      continue;
    }
    add({
      name: `train_vs_sklearn_${web.backend}`,
      value: round(web.seconds),
      unit: 's',
      peer: sk ? `scikit-learn ${sk.version} MLPClassifier (30-32-16-2)` : 'scikit-learn (unavailable)',
      peer_value: sk ? round(sk.seconds) : null,
      ratio: sk ? round(sk.seconds / web.seconds) : null,
      goal: 'no slower than scikit-learn at equal accuracy (within 1 point)',
      // Equal means not bought with accuracy: on 97 validation rows one row is about a point, so more accurate counts as equal.
      met: !!sk && web.seconds <= sk.seconds && web.accuracy >= sk.accuracy - 0.01,
      note: `${EPOCHS} epochs, batch 32, in the app's training worker, on the rows it trains on (its test rows held apart); median of ${secs.length} (spread ${round(secs[0])}–${round(secs[secs.length - 1])} s); validation accuracy ${web.accuracy} vs ${sk ? round(sk.accuracy) : 'n/a'} (scikit-learn, median of 3 fits, spread ${sk ? `${round(sk.spread[0])}–${round(sk.spread[1])} s` : 'n/a'}); TensorFlow.js in Node (cpu) ${round(node.seconds)} s, accuracy ${round(node.accuracy)}${'error' in skl ? `; ${skl.error}` : ''}`,
    });
  }
  // 5. The app: offline cold start, a first visit over 2G and offline repeats, first-screen JavaScript, precache.
  console.log('5. app');
  const cold = await coldOfflineMs(browser, server.url, 10);
  add({
    name: 'app_cold_offline_ms',
    value: round(cold),
    unit: 'ms',
    peer: 'goal',
    peer_value: 1000,
    ratio: round(1000 / cold),
    goal: '≤ 1000 ms (median of 10)',
    met: cold <= 1000,
  });
  // A phone on 2G: new contexts (no cache, no service worker), then offline repeats in each.
  const visits = [];
  for (let i = 0; i < (quick ? 2 : 3); i++) visits.push(await firstVisit2g(browser, server.url, 5));
  const usable = visits.map((v) => v.first.usableMs);
  const offline = visits.flatMap((v) => v.offlineMs);
  const spread = (xs: number[]) => `${round(Math.min(...xs))}–${round(Math.max(...xs))}`;
  const v0 = visits[0].first;
  const swBefore = visits.filter((v) => v.first.swStartVsUsableMs !== null && v.first.swStartVsUsableMs < 0).length;
  add({
    name: 'app_first_visit_2g_ms',
    value: round(median(usable)),
    unit: 'ms to a usable first screen (heading, name field and enabled "Create project" painted)',
    peer: 'goal',
    peer_value: 6000,
    ratio: round(6000 / median(usable)),
    goal: '≤ 6000 ms on 2G (250 kbit/s down, 50 up, 300 ms), CPU 4× slower, 360×640, nothing cached',
    met: median(usable) <= 6000,
    note: `median of ${usable.length} new contexts, spread ${spread(usable)} ms; load event ${round(v0.loadMs)} ms; ${v0.waterfall.length} requests and ${round(v0.waterfall.reduce((n, r) => n + r.bytes, 0) / 1024)} KB on the wire before usable (${round(v0.pageBytes / 1024)} KB by the page in all, compressed); the service worker registers after the load event: its first request came ${round(v0.swStartVsUsableMs)} ms after usable (before it in ${swBefore} of ${visits.length}), then ${v0.swRequests} requests, ${round(v0.swBytes / 2 ** 20)} MB on the wire for the ${round(precacheMb())} MB it keeps (its fetches are not throttled by the page's emulation)`,
  });
  add({
    name: 'app_offline_repeat_ms',
    value: round(median(offline)),
    unit: 'ms to a usable first screen, no network, after the service worker installed',
    peer: 'goal',
    peer_value: 500,
    ratio: round(500 / median(offline)),
    goal: '≤ 500 ms, CPU 4× slower',
    met: median(offline) <= 500,
    note: `median of ${offline.length} new pages (${visits.length} contexts × 5), spread ${spread(offline)} ms`,
  });
  const js = initialJsGzipKb();
  add({ name: 'initial_js_gzip_kb', value: round(js), unit: 'KB', peer: 'goal', peer_value: 100, ratio: round(100 / js), goal: '≤ 100 KB', met: js <= 100 });
  const pre = precacheMb();
  const ortPrecached = precacheUrls().filter((u) => /ort-wasm/.test(u));
  add({
    name: 'precache_mb',
    value: round(pre),
    unit: 'MB',
    peer: 'goal',
    peer_value: 15,
    ratio: round(15 / pre),
    goal: '≤ 15 MB, ONNX Runtime not in it',
    met: pre <= 15 && ortPrecached.length === 0,
    note: ortPrecached.length
      ? `ONNX Runtime is precached: ${ortPrecached.join(', ')}`
      : "checked: no ONNX Runtime file (ort-wasm*) in the service worker's precache; it is fetched and kept on first use of an ONNX model",
  });
} finally {
  await browser.close();
  await server.kill();
}

// 6. Leaks: tensors and heap after 10,000 predictions.
console.log('6. leaks');
const leak = await leakCheck(quick ? 2000 : 10_000);
add({
  name: 'leak_check',
  value: leak.tensorsAfter - leak.tensorsBefore,
  unit: 'tensors gained',
  peer: 'before',
  peer_value: 0,
  ratio: leak.tensorsAfter === leak.tensorsBefore ? 1 : 0,
  goal: 'flat: no tensors gained, heap within 5 MB',
  met: leak.tensorsAfter === leak.tensorsBefore && leak.heapAfterMb - leak.heapBeforeMb < 5,
  note: `heap ${round(leak.heapBeforeMb)} → ${round(leak.heapAfterMb)} MB (TensorFlow.js CPU backend in Node)`,
});

// 7. Monitors on a long prediction log: day counts kept as predictions are logged, against
// computing the same figures from the rows (what a monitor without them does). The device enrols
// with a server and, at each size, pushes the oldest outbox rows with the app's engine.
console.log('7. monitors');
const sizes = quick ? [1000, 10_000] : [1000, 100_000, 1_000_000];
const recomputeUpTo = quick ? 10_000 : 100_000;
const drainDb = (await postgresProblem()) ? undefined : await freshDatabase(TEST_DATABASE_URL, 'outpost_bench_drain');
const drainServer = await startServer({ port: 18906, ...(drainDb ? { databaseUrl: drainDb.url } : { dataDir: pouchTmp() }), startTimeoutMs: 180_000 });
let points: Awaited<ReturnType<typeof monitorScaling>>;
try {
  const org = await adminCall<{ id: string }>(drainServer.url, 'POST', '/orgs', { name: 'monitor-drain' });
  const code = async () => (await adminCall<{ code: string }>(drainServer.url, 'POST', `/orgs/${org.id}/codes`, {})).code;
  // A first push compiles the server's and the engine's push paths, which the smallest log would pay for.
  const warm = await createHeadlessDevice({ serverUrl: drainServer.url, code: await code(), name: 'warm-drain' });
  await warm.logPredictions(1000);
  await warm.engine.push();
  await warm.close();
  points = await monitorScaling(sizes, recomputeUpTo, { serverUrl: drainServer.url, code: await code() });
} finally {
  await drainServer.kill();
  await drainDb?.drop();
}
const compared = [...points].reverse().find((p) => p.recomputeMs !== null)!;
const first = points[0];
const last = points[points.length - 1];
const curve = points.map((p) => ({
  logged: p.logged,
  log_one_ms: round(p.logOneMs),
  open_ms: round(p.openMs),
  recompute_ms: round(p.recomputeMs),
  follow_up_ms: round(p.followUpMs),
  outbox_rows: p.outboxRows,
  drained: p.drained,
  drain_ms_per_1000: round(p.drainMsPerK),
  storage_mb: round(p.storageMb),
  heap_mb: round(p.heapMb),
}));
add({
  name: 'monitor_open_vs_recompute',
  value: round(compared.openMs),
  unit: `ms to open the monitors, ${compared.logged} predictions logged`,
  peer: 'the same figures computed from every logged row and its outcome',
  peer_value: round(compared.recomputeMs),
  ratio: round(compared.recomputeMs! / compared.openMs),
  goal: 'opening the monitors is at least 10× faster than computing from the log, and flat per prediction',
  met: compared.recomputeMs! >= 10 * compared.openMs,
  note: `open: ${points.map((p) => `${p.logged}: ${round(p.openMs)} ms`).join(', ')} (grows with days counted, 2,000 predictions a day here, not with predictions); follow-up list ${points.map((p) => round(p.followUpMs)).join(' / ')} ms; heap ${round(last.heapMb)} MB at ${last.logged}`,
  points: curve,
});
add({
  name: 'monitor_log_one_flat',
  value: round(last.logOneMs),
  unit: `ms to log one prediction with its outbox row and day counts, ${last.logged} logged`,
  peer: `the same at ${first.logged} logged`,
  peer_value: round(first.logOneMs),
  ratio: round(first.logOneMs / last.logOneMs),
  goal: 'within 1.5× from the smallest log to the largest',
  met: last.logOneMs <= 1.5 * first.logOneMs,
  note: `${points.map((p) => `${p.logged}: ${round(p.logOneMs)} ms`).join(', ')}; logging ${last.logged} predictions with a tenth of outcomes took ${round(last.loggingS)} s (fake-indexeddb in Node)`,
  points: curve,
});
add({
  name: 'monitor_drain_flat',
  value: round(last.drainMsPerK),
  unit: `ms per 1,000 outbox rows pushed, ${last.outboxRows} waiting (${last.logged} logged)`,
  peer: `the same with ${first.outboxRows} waiting`,
  peer_value: round(first.drainMsPerK),
  ratio: round(first.drainMsPerK! / last.drainMsPerK!),
  goal: 'within 1.5× from the smallest log to the largest',
  met: last.drainMsPerK! <= 1.5 * first.drainMsPerK!,
  note: `the oldest ${points.map((p) => p.drained).join(' / ')} rows pushed by the app's engine to a server on ${drainDb ? 'Postgres' : 'PGlite'} (each size's outbox holds what was logged since the last drain); the whole outbox at that rate: ${points.map((p) => `${p.outboxRows}: ${round((p.outboxRows * p.drainMsPerK!) / 1e6)} s`).join(', ')}; storage ${points.map((p) => `${p.logged}: ${round(p.storageMb)} MB (${round((p.storageMb * 1e6) / p.logged)} B/prediction)`).join(', ')} (row counts × mean JSON size of a sample, fake-indexeddb)`,
  points: curve,
});

// 8. How cost grows with the fleet: simulated devices (the app's Dexie schema and engine on
// fake-indexeddb, in this process) in one organisation pushing a fixed total of events at once
// to one server process on Postgres, then the middle fleet against two processes.
console.log('8. fleet growth');
if (!(await postgresProblem())) {
  const fleetEvents = quick ? 3000 : 100_000;
  const fleets = quick ? [10, 100] : [10, 100, 1000];
  // All enrolled; at most LIVE push at any moment (the others wait their turn in the same window).
  const LIVE = 100;
  const fleet: DevicesPoint[] = [];
  const fleetRun = async (devices: number, ports: number[], orgs = 1) => {
    const db = await freshDatabase(TEST_DATABASE_URL, 'outpost_bench_fleet');
    try {
      const p = await devicesRun({ devices, events: fleetEvents, databaseUrl: db.url, ports, live: LIVE, orgs });
      console.log(
        `  ${devices} devices in ${orgs} organisation${orgs > 1 ? 's' : ''}, ${ports.length} server${ports.length > 1 ? 's' : ''}: ${round(p.eventsPerS)} events/s, push p50/p95 ${round(p.pushP50Ms)}/${round(p.pushP95Ms)} ms, server peak ${p.serverPeakMb.map((m) => round(m)).join('+')} MB, CPU devices ${round(p.clientCpuS)} s / servers ${round(p.serverCpuS)} s / Postgres ${round(p.postgresCpuS)} s in ${round(p.seconds)} s (set-up ${round(p.setupS)} s)`,
      );
      return p;
    } finally {
      await db.drop();
    }
  };
  for (const n of fleets) fleet.push(await fleetRun(n, [18910]));
  const few = fleet[0];
  const many = fleet[fleet.length - 1];
  const fleetCurve = fleet.map((p) => ({
    devices: p.devices,
    events: p.events,
    events_per_s: round(p.eventsPerS),
    us_per_event: round(p.perEventUs),
    pushes: p.pushes,
    push_p50_ms: round(p.pushP50Ms),
    push_p95_ms: round(p.pushP95Ms),
    server_peak_mb: round(p.serverPeakMb[0]),
    device_cpu_s: round(p.clientCpuS),
    server_cpu_s: round(p.serverCpuS),
    postgres_cpu_s: round(p.postgresCpuS),
    bench_heap_mb: round(p.clientHeapMb),
  }));
  add({
    name: 'fleet_per_event_cost',
    value: round(many.perEventUs),
    unit: `µs of wall time per event, ${many.devices} devices (${fleetEvents} events in all)`,
    peer: `the same with ${few.devices} devices`,
    peer_value: round(few.perEventUs),
    ratio: round(few.perEventUs / many.perEventUs),
    goal: `per-event cost at ${many.devices} devices within 1.5× of that at ${few.devices}`,
    met: many.perEventUs <= 1.5 * few.perEventUs,
    note: `per-event cost = wall time from the first push to the last acknowledgement / events, one organisation (its pushes commit one after another: the organisation's row lock), ${fleetEvents} events split evenly (${fleet.map((p) => `${p.devices}: ${p.pushes} pushes`).join(', ')}), at most ${LIVE} devices pushing at once; events/s ${fleet.map((p) => `${p.devices}: ${round(p.eventsPerS)}`).join(', ')}; push p95 ${fleet.map((p) => `${p.devices}: ${round(p.pushP95Ms)} ms`).join(', ')}; server peak RSS ${fleet.map((p) => `${p.devices}: ${round(p.serverPeakMb[0])} MB`).join(', ')}`,
    points: fleetCurve,
  });
  const SERVER_RSS_BOUND = 512;
  add({
    name: 'fleet_server_rss_mb',
    value: round(many.serverPeakMb[0]),
    unit: `MB peak server RSS, ${many.devices} devices`,
    peer: 'bound',
    peer_value: SERVER_RSS_BOUND,
    ratio: round(SERVER_RSS_BOUND / many.serverPeakMb[0]!),
    goal: `≤ ${SERVER_RSS_BOUND} MB on Postgres through enrolment and sync of the largest fleet`,
    met: many.serverPeakMb[0]! <= SERVER_RSS_BOUND,
    note: `peak over the process's life: ${fleet.map((p) => `${p.devices} devices ${round(p.serverPeakMb[0])} MB`).join(', ')}`,
    points: fleetCurve,
  });
  // One organisation's pushes commit one after another, so a second process cannot speed one
  // organisation up; scale-out is measured on ten organisations of a tenth of the fleet each.
  const ORGS = 10;
  const middle = await fleetRun(fleet[1].devices, [18911], ORGS);
  const two = await fleetRun(middle.devices, [18911, 18912], ORGS);
  add({
    name: 'fleet_two_servers',
    value: round(two.eventsPerS),
    unit: `events/s, ${two.devices} devices in ${ORGS} organisations split between two server processes`,
    peer: 'the same on one server process',
    peer_value: round(middle.eventsPerS),
    ratio: round(two.eventsPerS / middle.eventsPerS),
    goal: '≥ 1.6× the events/s of one process',
    met: two.eventsPerS >= 1.6 * middle.eventsPerS,
    note: `one Postgres; the devices, both servers and Postgres share ${cpus().length} cores; the same ${fleet[1].devices} devices in one organisation on one process: ${round(fleet[1].eventsPerS)} events/s (the curve above); CPU devices ${round(two.clientCpuS)} s, servers ${round(two.serverCpuS)} s, Postgres ${round(two.postgresCpuS)} s in ${round(two.seconds)} s (one process: ${round(middle.clientCpuS)} s, ${round(middle.serverCpuS)} s, ${round(middle.postgresCpuS)} s in ${round(middle.seconds)} s); push p95 ${round(two.pushP95Ms)} vs ${round(middle.pushP95Ms)} ms; peak RSS ${two.serverPeakMb.map((m) => round(m)).join(' + ')} MB`,
    points: [middle, two].map((p) => ({
      servers: p.servers,
      events_per_s: round(p.eventsPerS),
      push_p95_ms: round(p.pushP95Ms),
      server_peak_mb: p.serverPeakMb.map((m) => round(m)),
    })),
  });
} else console.log('  Postgres not reachable: fleet figures not measured');

// 9. A large model blob through the server, in the app's chunked protocol.
console.log('9. blob');
const BLOB_BYTES = (quick ? 16 : 100) * 1e6;
// Growth allowed: a few chunks in flight, plus what V8 lets the heap grow before it collects the
// chunks' garbage (each chunk goes to and from Postgres as a string of hex): measured +75 MB for a
// 16 MB blob and +103 MB for 100 MB, and +21 MB for 100 MB with the server's heap capped at 64 MB,
// so it is collection slack, not the blob. A server holding the blob would pass 200 MB at 100 MB.
const BLOB_ALLOWANCE_MB = 128;
const blobBound = (4 * BLOB_CHUNK_BYTES) / 2 ** 20 + BLOB_ALLOWANCE_MB;
const blobBackings: { name: string; backing: { dataDir?: string; databaseUrl?: string }; drop?: () => Promise<void> }[] = [];
if (!(await postgresProblem())) {
  const db = await freshDatabase(TEST_DATABASE_URL, 'outpost_bench_blob');
  blobBackings.push({ name: 'postgres', backing: { databaseUrl: db.url }, drop: db.drop });
}
if (!quick) blobBackings.push({ name: 'pglite', backing: { dataDir: pouchTmp() } });
for (const [i, b] of blobBackings.entries()) {
  try {
    const r = await blobRun(BLOB_BYTES, b.backing, 18913 + i);
    const growth = r.afterDownloadMb - r.beforeMb;
    add({
      name: `blob_server_rss_growth_${b.name}`,
      value: round(growth),
      unit: `MB server peak RSS growth, ${r.mb} MB blob up and down`,
      peer: 'bound: 4 chunks + allowance',
      peer_value: round(blobBound),
      ratio: round(blobBound / Math.max(growth, 0.1)),
      goal: `≤ 4 chunks of ${BLOB_CHUNK_BYTES / 1024} KiB + ${BLOB_ALLOWANCE_MB} MB`,
      met: growth <= blobBound,
      note: `peak RSS ${round(r.beforeMb)} → ${round(r.afterUploadMb)} MB after the upload (${round(r.uploadS)} s, ${round(r.mb / r.uploadS)} MB/s) → ${round(r.afterDownloadMb)} MB after the download by ranges (${round(r.downloadS)} s, ${round(r.mb / r.downloadS)} MB/s)`,
    });
  } finally {
    await b.drop?.();
  }
}

// 10. The app's heap after training and after many predictions (TensorFlow.js CPU backend in Node).
console.log('10. app heap');
const heapRun = await appHeap(quick ? 10 : 100, quick ? 10_000 : 100_000);
const TRAIN_HEAP_BOUND = 16;
const PREDICT_HEAP_BOUND = 8;
const trainGrowth = heapRun.afterTrainingMb - heapRun.beforeMb;
const predictGrowth = heapRun.afterPredictionsMb - heapRun.loadedMb;
add({
  name: 'app_heap_growth_mb',
  value: round(Math.max(trainGrowth, predictGrowth)),
  unit: `MB heap gained (the larger of training ${heapRun.epochs} epochs and ${heapRun.predictions} predictions)`,
  peer: 'bound',
  peer_value: PREDICT_HEAP_BOUND,
  ratio: round(PREDICT_HEAP_BOUND / Math.max(trainGrowth, predictGrowth, 0.1)),
  goal: `heap after training within ${TRAIN_HEAP_BOUND} MB of before it, after the predictions within ${PREDICT_HEAP_BOUND} MB of the model just loaded; no tensors left by training`,
  met: trainGrowth <= TRAIN_HEAP_BOUND && predictGrowth <= PREDICT_HEAP_BOUND && heapRun.tensors[1] === heapRun.tensors[0],
  note: `heap ${round(heapRun.beforeMb)} → ${round(heapRun.afterTrainingMb)} MB after training, ${round(heapRun.loadedMb)} MB with the model loaded → ${round(heapRun.afterPredictionsMb)} MB after ${heapRun.predictions} single-row predictions; tensors ${heapRun.tensors.join(' → ')} (the loaded model's weights last, released with it)`,
});

const versions = Object.fromEntries(
  ['@tensorflow/tfjs-core', 'hono', '@electric-sql/pglite', 'pouchdb', 'express-pouchdb', 'dexie'].map((n) => [
    n,
    JSON.parse(readFileSync(new URL(`../node_modules/${n}/package.json`, import.meta.url), 'utf8')).version,
  ]),
);
const result = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: round(totalmem() / 2 ** 30), node: process.version, quick },
  versions: { outpost: pkg.version, ...versions },
  metrics,
};
writeFileSync(new URL('./results/latest.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
console.log('\n| figure | Outpost | peer | ratio | goal | met |\n|---|---|---|---|---|---|');
for (const m of metrics)
  console.log(`| ${m.name} | ${m.value ?? '—'} ${m.unit} | ${m.peer ?? ''} ${m.peer_value ?? ''} | ${m.ratio ?? '—'} | ${m.goal} | ${m.met ? 'yes' : 'no'} |`);
process.exit(0);
