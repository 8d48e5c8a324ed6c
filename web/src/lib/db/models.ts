import type { ModelArtifacts, ModelVersion, QuantizedWeights, Run, Stage } from '@shared/schema/records.js';
import type { ReferenceProfile } from '@shared/schema/monitoring.js';
import type { DeviceMeasurements } from '@shared/schema/registry.js';
import { inOrganisation } from './registry.js';
import { stageMoveAllowed } from '@shared/sync/stages.js';
import type { OutpostDb } from './db.js';
import { completeBlobBytes, completeBlobs, saveLocalBlob } from './blobs.js';
import { newId, patchRecord, putRecord, queueCommand } from './mutate.js';
import { SaidError } from '../said-error.js';

/** What training leaves on the device until the person registers it: kept in kv, not synced. */
export interface TrainedModel {
  artifacts: ModelArtifacts;
  weightsHash: string;
  weightsSize: number;
  /** What the model keeps of its training rows (its rows are a blob beside the weights). */
  reference?: ReferenceProfile;
  /** The same weights made smaller, when the project asked for it (their bytes are a blob of their own). */
  quantized?: QuantizedWeights;
}

const trainedKey = (runId: string) => `run-model:${runId}`;

/**
 * Keep a finished run's model: the weights (the reference rows, and the smaller weights) as
 * content-addressed blobs, the rest beside the run.
 */
export async function saveTrainedModel(
  db: OutpostDb,
  runId: string,
  model: TrainedModel,
  weights: ArrayBuffer,
  referenceBytes?: ArrayBuffer,
  quantizedBytes?: ArrayBuffer,
): Promise<void> {
  if (model.quantized && !quantizedBytes) throw new SaidError('not_found', { key: 'error.smallerWeightsMissing' });
  await db.transaction('rw', [db.blobState, db.blobBytes, db.kv], async () => {
    await saveLocalBlob(db, model.weightsHash, weights);
    if (model.reference && referenceBytes) await saveLocalBlob(db, model.reference.blob.hash, referenceBytes);
    if (model.quantized && quantizedBytes) await saveLocalBlob(db, model.quantized.weightsHash, quantizedBytes);
    await db.kv.put({ key: trainedKey(runId), value: model });
  });
}

export async function getTrainedModel(db: OutpostDb, runId: string): Promise<TrainedModel | undefined> {
  return (await db.kv.get(trainedKey(runId)))?.value as TrainedModel | undefined;
}

/** A project's model versions, newest first, without deleted ones. */
export async function projectVersions(db: OutpostDb, projectId: string): Promise<ModelVersion[]> {
  const all = await db.model_versions.where('projectId').equals(projectId).reverse().sortBy('createdAt');
  return all.filter((v) => !v.deleted);
}

/** The versions registered from one run (normally one). */
export async function versionsOfRun(db: OutpostDb, runId: string): Promise<ModelVersion[]> {
  return db.model_versions.where('runId').equals(runId).toArray();
}

/** Which of a project's versions have weights complete on this device, full or smaller (by the version's weights hash). */
export async function weightsOnDevice(db: OutpostDb, projectId: string): Promise<Set<string>> {
  const versions = await db.model_versions.where('projectId').equals(projectId).toArray();
  const here = await completeBlobs(
    db,
    versions.flatMap((v) => (v.quantized ? [v.weightsHash, v.quantized.weightsHash] : [v.weightsHash])),
  );
  return new Set(versions.filter((v) => here.has(v.weightsHash) || (v.quantized && here.has(v.quantized.weightsHash))).map((v) => v.weightsHash));
}

export async function nextVersionNumber(db: OutpostDb, projectId: string, modelName: string): Promise<number> {
  const versions = await db.model_versions.where('[projectId+modelName]').equals([projectId, modelName]).toArray();
  return versions.reduce((m, v) => Math.max(m, v.version), 0) + 1;
}

/**
 * Register a run's model as the next version of `modelName`. With `makeProduction`, it becomes the
 * project's production version and the previous one is archived, in one transaction.
 */
export async function registerModel(
  db: OutpostDb,
  run: Run,
  modelName: string,
  appVersion: string,
  makeProduction: boolean,
  now = Date.now(),
): Promise<ModelVersion> {
  const trained = await getTrainedModel(db, run.id);
  if (!trained || !run.pipeline) throw new SaidError('not_found', { key: 'error.runKeptNoModel' });
  let created!: ModelVersion;
  await db.transaction('rw', [db.model_versions, db.outbox, db.kv], async () => {
    const mv: ModelVersion = {
      id: newId(),
      projectId: run.projectId,
      modelName: modelName.trim(),
      version: await nextVersionNumber(db, run.projectId, modelName.trim()),
      runId: run.id,
      task: run.params.task,
      pipeline: run.pipeline!,
      artifacts: trained.artifacts,
      weightsHash: trained.weightsHash,
      weightsSize: trained.weightsSize,
      metrics: run.metrics,
      ...(run.evaluation ? { evaluation: run.evaluation } : {}),
      ...(trained.reference ? { reference: trained.reference } : {}),
      ...(trained.quantized ? { quantized: trained.quantized } : {}),
      // A fine-tune's version names the one it was trained more from (docs/runs.md).
      ...(run.fineTune ? { parentVersionId: run.fineTune.fromVersionId } : {}),
      stage: 'none',
      schemaVersion: 1,
      appVersion,
      createdAt: now,
    };
    created = await putRecord(db, 'model_versions', mv, now);
    if (makeProduction) await moveStage(db, mv.id, 'production', now);
  });
  return (await db.model_versions.get(created.id))!;
}

export interface StageMoveOptions {
  /** Why, in the person's words (kept in the version's history on the server). */
  why?: string;
  /** What this device measured of the version (the latency and memory gates read it). */
  measurements?: DeviceMeasurements;
}

/**
 * Move a version to another stage, sent to the server as a compare-and-set (from its current
 * stage). On a device of an organisation a move to production is a proposal: only an ML lead or an
 * admin may approve it, so the stage here does not change until the approval comes back with a
 * pull. On a device of its own (not connected) the move applies at once. If the central team moved
 * the version meanwhile, the server refuses the move and the next pull shows the server's stage.
 */
export async function moveStage(db: OutpostDb, versionId: string, to: Stage, now = Date.now(), opts: StageMoveOptions = {}): Promise<'moved' | 'proposed'> {
  let outcome: 'moved' | 'proposed' = 'moved';
  await db.transaction('rw', [db.model_versions, db.outbox, db.kv], async () => {
    const v = await db.model_versions.get(versionId);
    if (!v) throw new SaidError('not_found', { key: 'error.versionNotHere' });
    if (!stageMoveAllowed(v.stage, to)) throw new SaidError('conflict', { key: 'error.stageMove', values: { from: v.stage, to } });
    const proposing = to === 'production' && (await inOrganisation(db));
    if (!proposing) {
      if (to === 'production') {
        const current = await db.model_versions.where({ projectId: v.projectId, stage: 'production' }).toArray();
        for (const c of current) if (c.id !== versionId) await db.model_versions.update(c.id, { stage: 'archived' });
      }
      await db.model_versions.update(versionId, { stage: to });
    } else outcome = 'proposed';
    const change = { id: newId(), modelVersionId: versionId, from: v.stage, to, createdAt: now, ...(opts.why ? { why: opts.why.slice(0, 1000) } : {}) };
    await queueCommand(db, 'stage_changes', opts.measurements ? { ...change, measurements: opts.measurements } : change, now);
  });
  return outcome;
}

/** The weight bytes of a version, only when the whole blob is here and verified. */
export async function loadWeights(db: OutpostDb, mv: ModelVersion): Promise<ArrayBuffer | undefined> {
  return completeBlobBytes(db, mv.weightsHash);
}

/**
 * Keep a binary version's decision threshold (chosen from the prices of a missed case and of a
 * false alarm); predictions with it use it from then on. Only for versions not in production: a
 * production version's behaviour changes by promoting another version.
 */
export async function setDecision(db: OutpostDb, versionId: string, decision: NonNullable<ModelVersion['decision']>, now = Date.now()): Promise<void> {
  const v = await db.model_versions.get(versionId);
  if (!v) throw new SaidError('not_found', { key: 'error.versionNotHere' });
  if (v.stage === 'production') throw new SaidError('conflict', { key: 'error.productionThreshold' });
  await patchRecord(db, 'model_versions', versionId, { decision }, now);
}
