import type { ModelVersion } from '@shared/schema/records.js';
import type { OutpostDb } from './db.js';

// The blobs a model version or a kept run model refers to (weights, smaller weights, reference
// rows). Kept apart from models.ts so the first screen's space figures need nothing else.

export const versionHashes = (v: ModelVersion): string[] => [
  v.weightsHash,
  ...(v.quantized ? [v.quantized.weightsHash] : []),
  ...(v.reference ? [v.reference.blob.hash] : []),
];

interface KeptModel {
  weightsHash: string;
  quantized?: { weightsHash: string };
  reference?: { blob: { hash: string } };
}

/** The blobs of the model a finished run keeps until it is registered (models.ts keeps it in kv under this key). */
export async function runHashes(db: OutpostDb, runId: string): Promise<string[]> {
  const m = (await db.kv.get(`run-model:${runId}`))?.value as KeptModel | undefined;
  return m ? [m.weightsHash, ...(m.quantized ? [m.quantized.weightsHash] : []), ...(m.reference ? [m.reference.blob.hash] : [])] : [];
}
