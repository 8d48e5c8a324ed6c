import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { featureWidth, transformRows } from '@shared/features/pipeline.js';
import type { Row } from '@shared/data/columns.js';
import type { PredictionOutput } from '@shared/schema/records.js';
import { OutpostError } from '@shared/errors.js';
import { outputWidth, toOutput, type LoadableModel, type ModelRuntime } from './runtime.js';

/** A TensorFlow.js Layers model loaded from memory: the pipeline is applied, then the network. */
export class TfjsRuntime implements ModelRuntime {
  readonly #width: number;
  readonly #k: number;

  private constructor(
    private model: tfl.LayersModel,
    private m: LoadableModel,
  ) {
    this.#width = featureWidth(m.pipeline);
    this.#k = outputWidth(m.pipeline);
  }

  /** Load from the artifacts and weight bytes a training produced (nothing is fetched). */
  static async load(m: LoadableModel): Promise<TfjsRuntime> {
    if ((m.task === 'classification') !== (m.pipeline.target.kind === 'categorical')) {
      throw new OutpostError('bad_request', `This model version says “${m.task}” but its pipeline disagrees; register it again from its run.`);
    }
    const model = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: m.artifacts.modelTopology as tf.io.ModelArtifacts['modelTopology'],
        weightSpecs: m.artifacts.weightSpecs as tf.io.WeightsManifestEntry[],
        weightData: m.weights,
      }),
    );
    return new TfjsRuntime(model, m);
  }

  async predict(rows: Row[]): Promise<PredictionOutput[]> {
    if (rows.length === 0) return [];
    const x = transformRows(this.m.pipeline, rows);
    const y = tf.tidy(() => this.model.predict(tf.tensor2d(x, [rows.length, this.#width])) as tf.Tensor);
    let out: ArrayLike<number>;
    try {
      // data(), not dataSync(): on WebGL this does not stall the worker while the GPU finishes.
      out = await y.data();
    } finally {
      y.dispose();
    }
    return rows.map((_, i) => toOutput(this.m.pipeline, out, i * this.#k, this.m.threshold));
  }

  dispose(): void {
    this.model.dispose();
  }
}
