// Figures 4 and 6: training the breast-cancer network, against TensorFlow.js in Node and
// scikit-learn's MLPClassifier; tensors and heap after 10,000 predictions.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import Papa from 'papaparse';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inferColumns } from '@shared/data/columns.js';
import { holdOutTest, stratifiedSplit } from '@shared/data/split.js';
import type { TrainParams } from '@shared/schema/records.js';
import { trainModel } from '../web/src/lib/ml/train.js';
import { defaultParams } from '../web/src/lib/ml/defaults.js';
import { TfjsRuntime } from '../web/src/lib/ml/tfjs-runtime.js';

const csvPath = new URL('../public/samples/breast_cancer.csv', import.meta.url);

export function breastCancer() {
  const parsed = Papa.parse<Record<string, string>>(readFileSync(csvPath, 'utf8'), { header: true, skipEmptyLines: 'greedy' });
  const names = parsed.meta.fields!;
  return { rows: parsed.data, columns: inferColumns(parsed.data, names), names };
}

/**
 * The rows the app trains and validates on: what is left once it holds its test rows apart (the
 * share defaultParams gives), so every trainer here learns from and is scored on the same rows.
 */
export function appRows(d = breastCancer()) {
  const { testFraction } = defaultParams('classification', d.rows.length);
  return holdOutTest(d.rows, { task: 'classification', target: 'diagnosis', testFraction, seed: 42 }).rest;
}

export function benchParams(names: string[], epochs: number): TrainParams {
  return {
    task: 'classification',
    target: 'diagnosis',
    features: names.filter((n) => n !== 'diagnosis'),
    epochs,
    batchSize: 32,
    learningRate: 0.001,
    hiddenLayers: [32, 16],
    validationFraction: 0.2,
    seed: 42,
  };
}

/** TensorFlow.js in Node (CPU backend): the same training core the app's worker runs. */
export async function trainNode(epochs: number): Promise<{ seconds: number; accuracy: number }> {
  await tf.setBackend('cpu');
  const d = breastCancer();
  const t0 = performance.now();
  const r = await trainModel(appRows(d), benchParams(d.names, epochs), d.columns);
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, accuracy: r.metrics.task === 'classification' ? r.metrics.accuracy : NaN };
}

const HOW_TO_INSTALL = "install Debian's python3-sklearn (sudo apt-get install -y python3-sklearn), then run the bench again";

/**
 * Make sure Debian's python3 can import scikit-learn, installing python3-sklearn with apt-get when
 * it is missing and we may (root), as `npm test` does for Chromium. Returns why not, or undefined.
 */
export function ensureSklearn(): string | undefined {
  const importable = () => spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
  if (importable()) return undefined;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || spawnSync('which', ['apt-get'], { stdio: 'ignore' }).status !== 0) return `scikit-learn is not installed: ${HOW_TO_INSTALL}`;
  console.log('  installing scikit-learn from Debian packages (apt-get install python3-sklearn)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', 'python3-sklearn'], { stdio: 'inherit', env });
  return importable() ? undefined : `apt-get could not install python3-sklearn: ${HOW_TO_INSTALL}`;
}

/**
 * scikit-learn's MLPClassifier of the same shape (30-32-16-2, Adam, batch 32, the same epochs and
 * learning rate) on the app's seeded split (test rows held apart, then validation) and training-only
 * standardisation. Debian's python3; the median of `repeats` fits (each from the same seed, so the same model).
 */
export function trainSklearn(
  epochs: number,
  repeats = 3,
): { seconds: number; spread: [number, number]; accuracy: number; version: string } | { error: string } {
  const missing = ensureSklearn();
  if (missing) return { error: missing };
  const d = breastCancer();
  const rest = appRows(d);
  const index = new Map<object, number>(d.rows.map((r, i) => [r, i]));
  const split = stratifiedSplit(
    rest.map((r) => String(r.diagnosis).trim()),
    0.2,
    42,
  );
  const rowsOf = (part: number[]) => part.map((i) => index.get(rest[i])!);
  const file = join(tmpdir(), 'outpost-bench-split.json');
  writeFileSync(file, JSON.stringify({ train: rowsOf(split.train), validation: rowsOf(split.validation), epochs, repeats }));
  const script = `
import json, time, csv, warnings, numpy as np, sklearn
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
warnings.filterwarnings('ignore')
s = json.load(open(${JSON.stringify(file)}))
rows = list(csv.reader(open(${JSON.stringify(csvPath.pathname)})))[1:]
X = np.array([[float(v) for v in r[:-1]] for r in rows]); y = np.array([r[-1] for r in rows])
tr, va = np.array(s['train']), np.array(s['validation'])
sc = StandardScaler().fit(X[tr])
m = MLPClassifier(hidden_layer_sizes=(32, 16), solver='adam', batch_size=32, learning_rate_init=0.001, max_iter=s['epochs'], random_state=42, shuffle=True, tol=0, n_iter_no_change=10**9)
ts = []
for _ in range(s['repeats']):
    t0 = time.perf_counter(); m.fit(sc.transform(X[tr]), y[tr]); ts.append(time.perf_counter() - t0)
ts.sort()
print(json.dumps({'seconds': ts[len(ts) // 2], 'spread': [ts[0], ts[-1]], 'accuracy': float((m.predict(sc.transform(X[va])) == y[va]).mean()), 'version': sklearn.__version__}))
`;
  try {
    const out = execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    return JSON.parse(out.trim().split('\n').pop()!);
  } catch (e) {
    return { error: `scikit-learn could not run (${(e as Error).message.split('\n')[0]}); ${HOW_TO_INSTALL}` };
  }
}

/** Tensors and JS heap after 10,000 single-row predictions, against before. */
export async function leakCheck(n: number): Promise<{ tensorsBefore: number; tensorsAfter: number; heapBeforeMb: number; heapAfterMb: number }> {
  await tf.setBackend('cpu');
  const d = breastCancer();
  const r = await trainModel(d.rows, benchParams(d.names, 2), d.columns);
  const rt = await TfjsRuntime.load({ task: 'classification', pipeline: r.pipeline, artifacts: r.artifacts, weights: r.weights });
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 200; i++) await rt.predict([d.rows[i % d.rows.length]]); // warm up
  gc?.();
  const tensorsBefore = tf.memory().numTensors;
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) await rt.predict([d.rows[i % d.rows.length]]);
  gc?.();
  const result = {
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
    heapBeforeMb: heapBefore / 2 ** 20,
    heapAfterMb: process.memoryUsage().heapUsed / 2 ** 20,
  };
  rt.dispose();
  return result;
}

/** The same architecture as the ONNX model (30-16-2) trained by Outpost, run by TensorFlow.js. */
export async function inferTfjs(singles: number, batchRows: number): Promise<{ p50Ms: number; rowsPerS: number }> {
  await tf.setBackend('cpu');
  const d = breastCancer();
  const r = await trainModel(d.rows, { ...benchParams(d.names, 5), hiddenLayers: [16] }, d.columns);
  const rt = await TfjsRuntime.load({ task: 'classification', pipeline: r.pipeline, artifacts: r.artifacts, weights: r.weights });
  for (let i = 0; i < 100; i++) await rt.predict([d.rows[i % d.rows.length]]);
  const lat: number[] = [];
  for (let i = 0; i < singles; i++) {
    const t0 = performance.now();
    await rt.predict([d.rows[i % d.rows.length]]);
    lat.push(performance.now() - t0);
  }
  const rows = Array.from({ length: batchRows }, (_, i) => d.rows[i % d.rows.length]);
  const t0 = performance.now();
  await rt.predict(rows);
  const rowsPerS = batchRows / ((performance.now() - t0) / 1000);
  rt.dispose();
  lat.sort((a, b) => a - b);
  return { p50Ms: lat[Math.floor(lat.length / 2)], rowsPerS };
}
