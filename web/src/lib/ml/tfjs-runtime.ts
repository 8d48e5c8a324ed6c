import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { featureWidth, transformRows } from '../../../../shared/src/features/pipeline.js';
import type { Row } from '../../../../shared/src/data/columns.js';
import type { PredictionOutput } from '../../../../shared/src/schema/records.js';
import { toOutput, type LoadableModel, type ModelRuntime } from './runtime.js';

/** A TensorFlow.js Layers model loaded from memory: the pipeline is applied, then the network. */
export class TfjsRuntime implements ModelRuntime {
  private constructor(
    private model: tfl.LayersModel,
    private m: LoadableModel,
  ) {}

  static async load(m: LoadableModel): Promise<TfjsRuntime> {
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
    const width = featureWidth(this.m.pipeline);
    const x = transformRows(this.m.pipeline, rows);
    const out = tf.tidy(() => (this.model.predict(tf.tensor2d(x, [rows.length, width])) as tf.Tensor).dataSync());
    const k = this.m.pipeline.target.kind === 'categorical' ? this.m.pipeline.target.labels.length : 1;
    return rows.map((_, i) => toOutput(this.m.pipeline, out, i * k));
  }

  dispose(): void {
    this.model.dispose();
  }
}
