// Test support: the real training and prediction workers, run in this thread (Node has no Web
// Workers), for every test of the file that calls `useInProcessWorkers()` at its top level.
import { afterAll, beforeAll, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { inProcessWorker } from './in-process-worker.js';
import { loadSample } from './test-data.js';
import { OutpostDb } from '../db/db.js';
import { newId } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { importDataset } from '../db/datasets.js';

type InProcess = Awaited<ReturnType<typeof inProcessWorker>>;

/**
 * Registers beforeAll/afterAll hooks that start both workers on the CPU backend and make
 * `new Worker(...)` (afterTraining, predictorFor, the training client) give the in-process ones.
 * The workers ask for WASM by default, whose binaries are the app's asset URLs, not files here:
 * without it they fall back to the CPU backend, as on a phone without WebAssembly.
 */
export function useInProcessWorkers(): { train: () => Worker; predict: () => Worker } {
  let train: InProcess | undefined;
  let predict: InProcess | undefined;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    train = await inProcessWorker(() => import('./train.worker.js'));
    predict = await inProcessWorker(() => import('./predict.worker.js'));
    tf.removeBackend('wasm');
    vi.stubGlobal('Worker', function (url: URL | string) {
      return String(url).includes('train.worker') ? train!.create() : predict!.create();
    });
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });
  return { train: () => train!.create(), predict: () => predict!.create() };
}

/** A new device database (named for the test) with a project holding the iris sample as its dataset. */
export async function irisProject(dbName: string, projectName: string) {
  const iris = loadSample('iris');
  const db = new OutpostDb(`${dbName}-${newId()}`);
  const project = await createProject(db, projectName);
  const dataset = await importDataset(db, {
    projectId: project.id,
    name: 'iris',
    fileName: 'iris.csv',
    hash: 'a'.repeat(64),
    rows: iris.rows,
    columns: iris.columns,
    target: 'species',
  });
  return { db, project, dataset, iris };
}
