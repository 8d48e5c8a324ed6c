import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { TfjsArtifacts } from '../schema/records.js';
import { OutpostError } from '../errors.js';
import type { Forward } from './predictor.js';
import type { ModelDescription } from '../registry/import.js';

/** Load the Layers model from memory, a failure turned into a sentence. */
async function loadLayers(modelTopology: unknown, weightSpecs: TfjsArtifacts['weightSpecs'], weights: ArrayBuffer): Promise<tfl.LayersModel> {
  try {
    return await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: weightSpecs as tf.io.WeightsManifestEntry[],
        weightData: weights,
      }),
    );
  } catch (err) {
    throw new OutpostError(
      'bad_request',
      `This TensorFlow.js model could not be loaded (${(err as Error).message}). Check that the model file (model.json) and its weights belong together.`,
    );
  }
}

/**
 * A TensorFlow.js Layers model loaded from memory (nothing is fetched). The backend is whatever
 * TensorFlow.js has active: WASM on a device, CPU on the server.
 */
export async function loadTfjs(artifacts: TfjsArtifacts, weights: ArrayBuffer, weightSpecs = artifacts.weightSpecs): Promise<Forward> {
  const model = await loadLayers(artifacts.modelTopology, weightSpecs, weights);
  return {
    async run(x, shape) {
      let y: tf.Tensor;
      try {
        y = tf.tidy(() => {
          const out = model.predict(tf.tensor(x, shape, 'float32'));
          return Array.isArray(out) ? out[0] : out;
        });
      } catch (err) {
        const want = model.inputs[0]?.shape.map((d) => d ?? 'any').join(', ');
        throw new OutpostError('bad_request', `The input does not fit the model (it takes [${want}], got [${shape.join(', ')}]): ${(err as Error).message}`);
      }
      try {
        // data(), not dataSync(): on WebGL this does not stall the thread while the GPU finishes.
        return await y.data();
      } finally {
        y.dispose();
      }
    },
    dispose() {
      model.dispose();
    },
  };
}

/** What a TensorFlow.js model says about its inputs and outputs (loaded once to read them, then released). */
export async function describeTfjs(artifacts: Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs'>, weights: ArrayBuffer): Promise<ModelDescription> {
  const model = await loadLayers(artifacts.modelTopology, artifacts.weightSpecs, weights);
  const info = (s: tfl.SymbolicTensor, i: number, kind: string) => ({
    name: s.name ?? `${kind}${i}`,
    type: s.dtype,
    shape: s.shape.map((d, j) => (d === null ? (j === 0 ? 'batch' : 'any') : d)),
  });
  const d: ModelDescription = {
    format: 'tfjs-layers',
    inputs: model.inputs.map((s, i) => info(s, i, 'input')),
    outputs: model.outputs.map((s, i) => info(s, i, 'output')),
  };
  model.dispose();
  return d;
}
