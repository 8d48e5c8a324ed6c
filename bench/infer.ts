// Figure 3: the ONNX model run by the app's own ONNX Runtime Web (the build in web/dist, WASM, in a
// worker of a page the real server serves cross-origin isolated, headless Chromium) against
// onnxruntime-node (native) on the same rows, each at 1 and at 2 threads. The same architecture
// trained by Outpost and run by TensorFlow.js is in the note. Probabilities are checked against
// the model's reference rows.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { median } from './lib.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const modelPath = join(root, 'models/breast_cancer_mlp.onnx');
const meta = JSON.parse(readFileSync(join(root, 'models/breast_cancer_mlp.json'), 'utf8')) as {
  standardised_inputs: number[][];
  probabilities: number[][];
};

/** One side's figures: the median of the repeats, with the lowest and highest repeat. */
export interface InferRun {
  p50Ms: number;
  p99Ms: number;
  rowsPerS: number;
  maxAbsError: number;
  spread: { p50Ms: [number, number]; rowsPerS: [number, number] };
}

/** What one repeat measures, on either side. */
interface Repeat {
  p50Ms: number;
  p99Ms: number;
  rowsPerS: number;
}

function summarise(repeats: Repeat[], maxAbsError: number): InferRun {
  const p50s = repeats.map((r) => r.p50Ms);
  const rates = repeats.map((r) => r.rowsPerS);
  return {
    p50Ms: median(p50s),
    p99Ms: median(repeats.map((r) => r.p99Ms)),
    rowsPerS: median(rates),
    maxAbsError,
    spread: { p50Ms: [Math.min(...p50s), Math.max(...p50s)], rowsPerS: [Math.min(...rates), Math.max(...rates)] },
  };
}

/** 10,000 rows built by cycling the reference rows, as one flat float32 array. */
function batch(n: number): Float32Array {
  const rows = meta.standardised_inputs;
  const out = new Float32Array(n * 30);
  for (let i = 0; i < n; i++) out.set(rows[i % rows.length], i * 30);
  return out;
}

function percentile(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** The subset of onnxruntime-node's API the bench uses. */
interface OrtNode {
  InferenceSession: {
    create(path: string, opts?: object): Promise<{ run(feeds: object): Promise<Record<string, { data: unknown }>>; release(): Promise<void> }>;
  };
  Tensor: new (type: string, data: Float32Array, dims: number[]) => object;
}

/**
 * onnxruntime-node is a peer for this figure only, so it is not a project dependency: its install
 * script downloads GPU binaries from a host outside the npm registry. It is installed here on first
 * use with that download switched off (the CPU binary ships inside the package).
 */
async function loadOrtNode(): Promise<OrtNode> {
  const require = createRequire(import.meta.url);
  // Checked on disk, not with require.resolve: a failed resolution is remembered by the loader.
  if (!existsSync(join(root, 'node_modules/onnxruntime-node/package.json'))) {
    console.log('  installing onnxruntime-node 1.30.0 for the native peer (no GPU download)…');
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', 'onnxruntime-node@1.30.0'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
  }
  return require('onnxruntime-node') as OrtNode;
}

/** Batch passes timed per repeat: a 10,000-row pass takes a few milliseconds. */
const BATCH_PASSES = 20;

/**
 * Native onnxruntime at `threads` intra-op threads (sequential execution, as a server would run
 * this small graph). Both sides wrap the rows in a new tensor on every call, as a caller with
 * fresh rows does.
 */
export async function inferNative(singles: number, batchRows: number, threads: number, repeats: number): Promise<InferRun> {
  const ortNode = await loadOrtNode();
  const session = await ortNode.InferenceSession.create(modelPath, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const ref = new ortNode.Tensor('float32', batch(meta.probabilities.length), [meta.probabilities.length, 30]);
  const refOut = (await session.run({ features: ref })).probabilities.data as Float32Array;
  const maxAbsError = Math.max(...meta.probabilities.flat().map((p, i) => Math.abs(p - refOut[i])));
  const one = batch(1);
  const rows = batch(batchRows);
  for (let i = 0; i < 200; i++) await session.run({ features: new ortNode.Tensor('float32', one, [1, 30]) });
  await session.run({ features: new ortNode.Tensor('float32', rows, [batchRows, 30]) });
  const out: Repeat[] = [];
  for (let r = 0; r < repeats; r++) {
    const lat: number[] = [];
    for (let i = 0; i < singles; i++) {
      const t0 = performance.now();
      await session.run({ features: new ortNode.Tensor('float32', one, [1, 30]) });
      lat.push(performance.now() - t0);
    }
    const t0 = performance.now();
    for (let i = 0; i < BATCH_PASSES; i++) await session.run({ features: new ortNode.Tensor('float32', rows, [batchRows, 30]) });
    out.push({ p50Ms: median(lat), p99Ms: percentile(lat, 99), rowsPerS: (BATCH_PASSES * batchRows) / ((performance.now() - t0) / 1000) });
  }
  await session.release();
  return summarise(out, maxAbsError);
}

/** The built chunk that holds the app's ONNX Runtime set-up (onnx-runtime.ts): what the prediction worker imports. */
function onnxChunk(webDir: string): string {
  const name = readdirSync(join(webDir, 'assets')).find((f) => /^onnx-runtime-[\w-]+\.js$/.test(f));
  if (!name) throw new Error(`no onnx-runtime chunk in ${webDir}/assets: build the app first`);
  return `/assets/${name}`;
}

// The worker's code, sent as source text: the TypeScript loader would otherwise add helpers (such
// as __name) that the worker does not have. It claims `cores` cores, so the app's own choice of
// threads (onnxThreads in onnx-runtime.ts) is the one a phone with that many would make.
const WORKER_SCRIPT = `async ({ chunk, cores, model, singles, batchRows, passes, repeats, reference, expected }) => {
  Object.defineProperty(self.navigator, 'hardwareConcurrency', { value: cores });
  const { loadOnnxForward } = await import(new URL(chunk, self.origin).href);
  const artifacts = { format: 'onnx', inputName: 'features', outputName: 'probabilities', input: { kind: 'tensor', shape: [30] }, output: 'probabilities' };
  const forward = await loadOnnxForward(artifacts, new Uint8Array(model).buffer);
  const make = (n) => {
    const out = new Float32Array(n * 30);
    for (let i = 0; i < n; i++) out.set(reference[i % reference.length], i * 30);
    return out;
  };
  const refOut = await forward.run(make(expected.length), [expected.length, 30]);
  const maxAbsError = Math.max(...expected.flat().map((p, i) => Math.abs(p - refOut[i])));
  const one = make(1);
  const rows = make(batchRows);
  for (let i = 0; i < 200; i++) await forward.run(one, [1, 30]);
  await forward.run(rows, [batchRows, 30]);
  const out = [];
  for (let r = 0; r < repeats; r++) {
    const lat = [];
    for (let i = 0; i < singles; i++) {
      const t0 = performance.now();
      await forward.run(one, [1, 30]);
      lat.push(performance.now() - t0);
    }
    const t0 = performance.now();
    for (let i = 0; i < passes; i++) await forward.run(rows, [batchRows, 30]);
    const rowsPerS = (passes * batchRows) / ((performance.now() - t0) / 1000);
    lat.sort((a, b) => a - b);
    out.push({ p50Ms: lat[Math.floor(lat.length / 2)], p99Ms: lat[Math.min(lat.length - 1, Math.floor(0.99 * lat.length))], rowsPerS });
  }
  forward.dispose();
  return { repeats: out, maxAbsError, isolated: crossOriginIsolated };
}`;

// The page starts the worker from a blob (as the app may: worker-src allows blob:) and waits for
// its one tagged answer; the app's prediction worker code, which the chunk imports, may post too.
const PAGE_SCRIPT = `(params) => new Promise((resolve, reject) => {
  const src = 'const run = ' + params.script + ';\\nrun(' + JSON.stringify(params.args) + ').then((r) => postMessage({ bench: r }), (e) => postMessage({ benchError: String(e && e.stack || e) }));';
  const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
  worker.onmessage = (e) => {
    if (e.data && 'bench' in e.data) { worker.terminate(); resolve({ ...e.data.bench, pageIsolated: crossOriginIsolated }); }
    else if (e.data && 'benchError' in e.data) { worker.terminate(); reject(new Error(e.data.benchError)); }
  };
  worker.onerror = (e) => reject(new Error(e.message));
})`;

/**
 * The app's ONNX Runtime Web, as its prediction worker runs it, on a device with `cores` cores.
 * The page is a light static file of the build (the web manifest), served by the real server at
 * `appUrl` with the headers every answer of the app has, without starting the app itself.
 */
export async function inferWeb(
  browser: Browser,
  appUrl: string,
  webDir: string,
  opts: { singles: number; batchRows: number; cores: number; repeats: number },
): Promise<InferRun & { isolated: boolean }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${appUrl}/manifest.webmanifest`);
    const args = {
      chunk: onnxChunk(webDir),
      cores: opts.cores,
      model: [...readFileSync(modelPath)],
      singles: opts.singles,
      batchRows: opts.batchRows,
      passes: BATCH_PASSES,
      repeats: opts.repeats,
      reference: meta.standardised_inputs,
      expected: meta.probabilities,
    };
    const r = (await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify({ script: WORKER_SCRIPT, args })})`)) as {
      repeats: Repeat[];
      maxAbsError: number;
      isolated: boolean;
      pageIsolated: boolean;
    };
    return { ...summarise(r.repeats, r.maxAbsError), isolated: r.isolated && r.pageIsolated };
  } finally {
    await page.close();
  }
}
