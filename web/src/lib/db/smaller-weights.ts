import type { ModelVersion, Project } from '@shared/schema/records.js';
import { servedWeights, smallerWeights, type ServedWeights } from '@shared/registry/quantize.js';
import type { OutpostDb } from './db.js';
import { completeBlobs } from './blobs.js';
import { patchRecord } from './mutate.js';
import { SaidError } from '../said-error.js';

/**
 * Smaller downloads for slow networks: a project may ask that its TensorFlow.js versions also keep
 * their weights at half (float16) or a quarter (uint8) of their size; its devices then download
 * and load those (shared/src/registry/quantize.ts).
 */

/** The project's setting: `null` turns it off (a synced field is cleared with null: merges never drop a field). */
export async function setProjectQuantization(db: OutpostDb, projectId: string, quantization: Project['quantization'], now = Date.now()): Promise<void> {
  if (quantization !== null && quantization !== 'float16' && quantization !== 'uint8') throw new SaidError('bad_request', { key: 'error.quantization' });
  await patchRecord(db, 'projects', projectId, { quantization }, now);
}

/**
 * The weights of a version this device would load now, judged by blob state (no bytes read): the
 * ones its project asks for when they are here (`servedWeights`); otherwise whichever of the full
 * and the smaller weights is here, the full first (the setting changed and its download has not
 * come yet). Undefined when neither is complete on this device.
 */
export async function weightsToLoad(db: OutpostDb, mv: ModelVersion): Promise<ServedWeights | undefined> {
  const project = await db.projects.get(mv.projectId);
  const wanted = servedWeights(mv, project?.quantization);
  const full: ServedWeights = { hash: mv.weightsHash, size: mv.weightsSize };
  const small = mv.quantized && mv.artifacts.format === 'tfjs-layers' ? smallerWeights(mv.quantized) : undefined;
  const order = wanted.quantized ? [wanted, full] : small ? [full, small] : [full];
  const here = await completeBlobs(
    db,
    order.map((w) => w.hash),
  );
  return order.find((w) => here.has(w.hash));
}
