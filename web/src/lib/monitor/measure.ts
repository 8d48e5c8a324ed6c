import type { DeviceMeasurements } from '@shared/schema/registry.js';
import type { ModelVersion } from '@shared/schema/records.js';
import type { OutpostDb } from '../db/db.js';
import { loadCredential } from '../sync/credential.js';
import { loadReferenceRows } from './reference.js';
import { referenceSampleRows } from './explain.js';
import { predictorFor } from './predict.js';

/** Single-row predictions timed for the latency gate. */
export const MEASURE_ROWS = 100;

/**
 * What the promotion gates need from the device that proposes or promotes a version: the p95
 * latency of single-row predictions (rows of its training reference, or typical values) and the
 * memory its loaded weights take in the model's worker (TensorFlow.js's tensor bytes).
 */
export async function measureOnDevice(db: OutpostDb, mv: ModelVersion): Promise<DeviceMeasurements> {
  const predictor = await predictorFor(db, mv);
  const ref = await loadReferenceRows(db, mv);
  const typical = Object.fromEntries(mv.pipeline.features.map((f) => [f.name, f.kind === 'numeric' ? f.mean : f.impute]));
  const rows = ref ? referenceSampleRows(ref, MEASURE_ROWS, 7) : [typical];
  const times: number[] = [];
  for (let i = 0; i < MEASURE_ROWS; i++) {
    const t = performance.now();
    await predictor.predict([rows[i % rows.length]]);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const { numBytes } = await predictor.stats();
  const cred = await loadCredential(db);
  return {
    latencyP95Ms: +times[Math.ceil(0.95 * times.length) - 1].toFixed(3),
    memoryMb: +(numBytes / 2 ** 20).toFixed(3),
    deviceName: cred ? `device ${cred.deviceId.slice(-8)}` : 'this device',
  };
}
