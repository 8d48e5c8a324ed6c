import { ModelVersion } from '@shared/schema/records.js';
import { bundleFileName, writeBundle } from '@shared/registry/bundle.js';
import { modelCardHtml } from '@shared/registry/model-card.js';
import type { OutpostDb } from './db.js';
import { completeBlobBytes } from './blobs.js';
import { getProject } from './projects.js';
import { patchRecord } from './mutate.js';
import { SaidError } from '../said-error.js';

/**
 * A model version leaving the device as files a person can keep or share without any server: the
 * zip of shared/src/registry/bundle.ts (weights, TensorFlow.js or ONNX files, pipeline, labels,
 * report and model card), and the model card alone. The card's own words (intended use and
 * limitations) are written here.
 */

async function projectOf(db: OutpostDb, mv: ModelVersion) {
  const p = await getProject(db, mv.projectId);
  return p ? { name: p.name, description: p.description } : undefined;
}

/** The version as one zip, named `<model>-v<version>.zip`; only when its whole weights are here and verified. */
export async function exportBundle(db: OutpostDb, mv: ModelVersion): Promise<File> {
  const weights = await completeBlobBytes(db, mv.weightsHash);
  if (!weights) throw new SaidError('blob_missing', { key: 'error.exportWeights' });
  const zip = writeBundle({ version: mv, weights: new Uint8Array(weights), project: await projectOf(db, mv) });
  return new File([zip as Uint8Array<ArrayBuffer>], bundleFileName(mv), { type: 'application/zip' });
}

/** The version's model card as an HTML page (no weights needed). */
export async function modelCardBlob(db: OutpostDb, mv: ModelVersion): Promise<Blob> {
  return new Blob([modelCardHtml(mv, await projectOf(db, mv))], { type: 'text/html;charset=utf-8' });
}

const Card = ModelVersion.shape.card.unwrap();

/**
 * Keep what a person wrote for a version's model card (what it is for, what it must not be used
 * for), synced like any field. Any stage: the words change no prediction.
 */
export async function setModelCard(db: OutpostDb, versionId: string, card: { intendedUse: string; limitations: string }, now = Date.now()): Promise<void> {
  const parsed = Card.safeParse({ intendedUse: card.intendedUse.trim(), limitations: card.limitations.trim() });
  if (!parsed.success) throw new SaidError('bad_request', { key: 'error.cardTooLong' });
  if (!(await db.model_versions.get(versionId))) throw new SaidError('not_found', { key: 'error.versionNotHere' });
  await patchRecord(db, 'model_versions', versionId, { card: parsed.data }, now);
}
