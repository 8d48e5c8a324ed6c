// Figure 3: the ONNX model run by onnxruntime-web (WASM, one thread, in headless Chromium) against
// onnxruntime-node (native) on the same rows; the same architecture trained by Outpost and run by
// TensorFlow.js is in the note. Probabilities are checked against the model's reference rows.
import http from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
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

export interface InferRun {
  p50Ms: number;
  p99Ms: number;
  rowsPerS: number;
  maxAbsError: number;
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

export async function inferNative(singles: number, batchRows: number): Promise<InferRun> {
  const ortNode = await loadOrtNode();
  const session = await ortNode.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
  const ref = new ortNode.Tensor('float32', batch(meta.probabilities.length), [meta.probabilities.length, 30]);
  const refOut = (await session.run({ features: ref })).probabilities.data as Float32Array;
  const maxAbsError = Math.max(...meta.probabilities.flat().map((p, i) => Math.abs(p - refOut[i])));
  const one = new ortNode.Tensor('float32', batch(1), [1, 30]);
  for (let i = 0; i < 200; i++) await session.run({ features: one });
  const lat: number[] = [];
  for (let i = 0; i < singles; i++) {
    const t0 = performance.now();
    await session.run({ features: one });
    lat.push(performance.now() - t0);
  }
  const big = new ortNode.Tensor('float32', batch(batchRows), [batchRows, 30]);
  await session.run({ features: big });
  const t0 = performance.now();
  const reps = 20;
  for (let i = 0; i < reps; i++) await session.run({ features: big });
  const rowsPerS = (reps * batchRows) / ((performance.now() - t0) / 1000);
  await session.release();
  return { p50Ms: median(lat), p99Ms: percentile(lat, 99), rowsPerS, maxAbsError };
}

/** A loopback page, cross-origin isolated so performance.now() is fine-grained. */
async function benchServer() {
  const dist = join(root, 'node_modules/onnxruntime-web/dist');
  const types: Record<string, string> = {
    '.mjs': 'text/javascript',
    '.js': 'text/javascript',
    '.wasm': 'application/wasm',
    '.onnx': 'application/octet-stream',
    '.html': 'text/html',
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let file: string | undefined;
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
      return res.end('<!doctype html><title>ort bench</title>');
    }
    if (url.pathname === '/model.onnx') file = modelPath;
    else if (url.pathname.startsWith('/ort/')) file = join(dist, url.pathname.slice(5).replace(/\.\./g, ''));
    if (!file || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cross-origin-resource-policy': 'same-origin' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

// The page's code, sent as source text: the TypeScript loader would otherwise add helpers
// (such as __name) that the page does not have.
const PAGE_SCRIPT = `async ({ singles, batchRows, reference, expected }) => {
  const ort = await import('/ort/ort.wasm.min.mjs');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = '/ort/';
  const session = await ort.InferenceSession.create('/model.onnx', { executionProviders: ['wasm'] });
  const make = (n) => {
    const out = new Float32Array(n * 30);
    for (let i = 0; i < n; i++) out.set(reference[i % reference.length], i * 30);
    return out;
  };
  const refOut = (await session.run({ features: new ort.Tensor('float32', make(expected.length), [expected.length, 30]) })).probabilities.data;
  const maxAbsError = Math.max(...expected.flat().map((p, i) => Math.abs(p - refOut[i])));
  const one = new ort.Tensor('float32', make(1), [1, 30]);
  for (let i = 0; i < 200; i++) await session.run({ features: one });
  const lat = [];
  for (let i = 0; i < singles; i++) {
    const t0 = performance.now();
    await session.run({ features: one });
    lat.push(performance.now() - t0);
  }
  const big = new ort.Tensor('float32', make(batchRows), [batchRows, 30]);
  await session.run({ features: big });
  const t0 = performance.now();
  const reps = 20;
  for (let i = 0; i < reps; i++) await session.run({ features: big });
  const rowsPerS = (reps * batchRows) / ((performance.now() - t0) / 1000);
  lat.sort((a, b) => a - b);
  return { p50Ms: lat[Math.floor(lat.length / 2)], p99Ms: lat[Math.min(lat.length - 1, Math.floor(0.99 * lat.length))], rowsPerS, maxAbsError, isolated: crossOriginIsolated };
}`;

export async function inferWeb(browser: Browser, singles: number, batchRows: number): Promise<InferRun & { isolated: boolean }> {
  const server = await benchServer();
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    const args = JSON.stringify({ singles, batchRows, reference: meta.standardised_inputs, expected: meta.probabilities });
    return (await page.evaluate(`(${PAGE_SCRIPT})(${args})`)) as InferRun & { isolated: boolean };
  } finally {
    await page.close();
    await server.close();
  }
}
