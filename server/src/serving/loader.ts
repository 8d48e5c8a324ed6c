import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { OutpostError } from '@shared/errors.js';
import type { ModelVersion } from '@shared/schema/records.js';
import { Predictor, type Forward } from '@shared/runtime/predictor.js';
import { describeTfjs, loadTfjs } from '@shared/runtime/tfjs.js';
import { loadOnnx } from '@shared/runtime/onnx.js';
import { loadTrees } from '@shared/runtime/trees.js';
import type { Queryable } from '../store/db.js';
import { readBlob } from '../store/blobs.js';
import { ModelCache, type CacheLimits } from './cache.js';

/**
 * Model versions made ready to answer on the server: a version record and its weight blob become a
 * loaded model (ONNX Runtime Web's WASM build, TensorFlow.js on its CPU backend, or a forest's
 * trees in plain JavaScript: the same code as on a device), kept in a ModelCache between requests.
 *
 * Which versions answer: every version of the organisation whose weights are on the server,
 * whatever its stage. An archived version still answers (archiving takes it out of use on devices,
 * but comparing it with its successor, or re-checking an old answer, needs it); a deleted one
 * (`deleted: true`) does not: it answers 404 like a version that never existed (servedVersion in
 * store/serving.ts).
 */

let cpu: Promise<void> | undefined;
/** TensorFlow.js's CPU backend, chosen once for the process (the server has no WebGL or WASM backend). */
export function cpuBackend(): Promise<void> {
  return (cpu ??= (async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  })());
}

/** A loaded model, and the name its tensor input goes by (the key of `inputs` in a predict body). */
export interface LoadedModel {
  forward: Forward;
  inputName?: string;
}

/** Load a version's model from its weight bytes. */
export async function loadModel(version: ModelVersion, weights: Uint8Array): Promise<LoadedModel> {
  const a = version.artifacts;
  if (a.format === 'onnx') return { forward: await loadOnnx(a, weights), inputName: a.inputName };
  if (a.format === 'outpost-trees') return { forward: loadTrees(a, weights) };
  await cpuBackend();
  // TensorFlow.js reads the weights from an ArrayBuffer of exactly their bytes.
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const forward = await loadTfjs(a, buffer);
  if (a.input?.kind !== 'tensor') return { forward };
  const described = await describeTfjs(a, buffer);
  return { forward, inputName: described.inputs[0]?.name };
}

// What the loaded model depends on: a record changed in any of these is loaded afresh.
const fingerprint = (orgId: string, v: ModelVersion) =>
  `${orgId}/${v.id}/${createHash('sha256')
    .update(JSON.stringify([v.weightsHash, v.task, v.artifacts, v.pipeline]))
    .digest('hex')}`;

/** The server's loaded models, shared by every request (see ModelCache for its bounds). */
export class ServedModels {
  readonly #cache: ModelCache<LoadedModel>;

  constructor(limits?: CacheLimits) {
    this.#cache = new ModelCache((m) => m.forward.dispose(), limits);
  }

  /**
   * A Predictor of this version for one request, and the model's tensor input name. `onRun` is
   * called when the model itself is run (so a failure after that is the model's, not the input's).
   * Call `release` when the request is done.
   */
  async open(db: Queryable, orgId: string, version: ModelVersion, onRun: () => void): Promise<{ predictor: Predictor; inputName?: string; release(): void }> {
    const lease = await this.#cache.acquire(fingerprint(orgId, version), async () => {
      const blob = await readBlob(db, orgId, version.weightsHash);
      if (!blob) {
        throw new OutpostError(
          'blob_missing',
          'The weights of this model version have not reached the server yet. Sync the device that registered it, then try again.',
        );
      }
      return { value: await loadModel(version, blob.bytes), bytes: blob.size };
    });
    const inner = lease.value.forward;
    // A Predictor per request over the shared model: cheap, and it carries this request's onRun.
    const forward: Forward = {
      run(x, shape) {
        onRun();
        return inner.run(x, shape);
      },
      dispose() {},
    };
    try {
      const predictor = new Predictor(
        { task: version.task, pipeline: version.pipeline, artifacts: version.artifacts, threshold: version.decision?.threshold },
        forward,
      );
      return { predictor, inputName: lease.value.inputName, release: lease.release };
    } catch (err) {
      lease.release();
      throw err;
    }
  }

  get size() {
    return this.#cache.size;
  }

  clear(): void {
    this.#cache.clear();
  }
}
