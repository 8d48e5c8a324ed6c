// `npm run bench` (`-- --quick` for a short pass): Outpost measured beside a peer in the same run,
// reported as ratios (higher is better for Outpost). Writes bench/results/latest.json.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import { quick, round, type Metric } from './lib.js';
import { PUSH_LIMITS } from '@shared/sync/protocol.js';
import { copyRowsPerS, outpostSync, pouchSync, pouchTmp, serverIngest } from './sync.js';
import { freshDatabase, postgresProblem, TEST_DATABASE_URL } from '../server/src/testing/postgres.js';
import { inferTfjs, leakCheck, trainNode, trainSklearn } from './ml.js';
import { inferNative, inferWeb } from './infer.js';
import { coldOfflineMs, initialJsGzipKb, launch, precacheMb, trainInBrowser } from './app.js';
import { startServer } from '../server/src/testing/server-process.js';
import { monitorScaling } from './monitor.js';

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
  goal: '≥ 5× PouchDB events/s and ≤ 1/5 of its bytes per event',
  met: run.eventsPerS >= 5 * pouch.eventsPerS && run.bytesPerEvent <= pouch.bytesPerEvent / 5,
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
      peer: 'Postgres COPY of the same rows',
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
const node = await trainNode(EPOCHS);
const server = await startServer({ port: 18904, dataDir: pouchTmp(), webDir: new URL('../web/dist', import.meta.url).pathname });
const browser = await launch();
try {
  // 3. The ONNX model: onnxruntime-web (WASM) in Chromium against onnxruntime-node.
  const SINGLES = quick ? 500 : 2000;
  const native = await inferNative(SINGLES, 10_000);
  const webOrt = await inferWeb(browser, SINGLES, 10_000);
  const tfjsRun = await inferTfjs(SINGLES, 10_000);
  add({
    name: 'infer_ort_web_vs_native',
    value: round(webOrt.rowsPerS),
    unit: 'rows/s (10,000-row batch)',
    peer: 'onnxruntime-node (native CPU, 1 thread)',
    peer_value: round(native.rowsPerS),
    ratio: round(webOrt.rowsPerS / native.rowsPerS),
    goal: 'ORT-web within 2× native (batch rows/s and single-row p50)',
    met: webOrt.rowsPerS * 2 >= native.rowsPerS && webOrt.p50Ms <= 2 * native.p50Ms,
    note: `single row p50/p99: web ${round(webOrt.p50Ms)}/${round(webOrt.p99Ms)} ms, native ${round(native.p50Ms)}/${round(native.p99Ms)} ms; max |Δp| vs reference: web ${webOrt.maxAbsError.toExponential(2)}, native ${native.maxAbsError.toExponential(2)}; TensorFlow.js (Outpost-trained 30-16-2, Node CPU): p50 ${round(tfjsRun.p50Ms)} ms, ${round(tfjsRun.rowsPerS)} rows/s`,
  });
  const sk = 'error' in skl ? null : skl;
  for (const wanted of ['wasm', 'webgl', 'cpu'] as const) {
    const web = await trainInBrowser(browser, server.url, EPOCHS, wanted);
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
      met: !!sk && web.seconds <= sk.seconds && Math.abs(web.accuracy - sk.accuracy) <= 0.01,
      note: `${EPOCHS} epochs, batch 32, in the app's training worker; accuracy ${web.accuracy} vs ${sk ? round(sk.accuracy) : 'n/a'} (scikit-learn); TensorFlow.js in Node (cpu) ${round(node.seconds)} s, accuracy ${round(node.accuracy)}${'error' in skl ? `; ${skl.error}` : ''}`,
    });
  }
  // 5. The app: offline cold start, first-screen JavaScript, precache.
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
  const js = initialJsGzipKb();
  add({ name: 'initial_js_gzip_kb', value: round(js), unit: 'KB', peer: 'goal', peer_value: 150, ratio: round(150 / js), goal: '≤ 150 KB', met: js <= 150 });
  const pre = precacheMb();
  add({ name: 'precache_mb', value: round(pre), unit: 'MB', peer: 'goal', peer_value: 15, ratio: round(15 / pre), goal: '≤ 15 MB', met: pre <= 15 });
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
// computing the same figures from the rows (what a monitor without them does).
console.log('7. monitors');
const sizes = quick ? [1000, 10_000] : [1000, 100_000, 1_000_000];
const recomputeUpTo = quick ? 10_000 : 100_000;
const points = await monitorScaling(sizes, recomputeUpTo);
const compared = [...points].reverse().find((p) => p.recomputeMs !== null)!;
const first = points[0];
const last = points[points.length - 1];
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
