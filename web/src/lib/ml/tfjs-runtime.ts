import type { Row } from '@shared/data/columns.js';
import type { PredictionOutput } from '@shared/schema/records.js';
import { OutpostError } from '@shared/errors.js';
import { Predictor } from '@shared/runtime/predictor.js';
import { loadTfjs } from '@shared/runtime/tfjs.js';
import type { LoadableModel, ModelRuntime } from './runtime.js';

/** A TensorFlow.js Layers version loaded from memory: the pipeline is applied, then the network. */
export class TfjsRuntime implements ModelRuntime {
  private constructor(readonly predictor: Predictor) {}

  /** Load from the artifacts and weight bytes a training produced (nothing is fetched). */
  static async load(m: LoadableModel): Promise<TfjsRuntime> {
    if (m.artifacts.format !== 'tfjs-layers') throw new OutpostError('bad_request', 'This version is not a TensorFlow.js model.');
    if ((m.task === 'classification') !== (m.pipeline.target.kind === 'categorical')) {
      throw new OutpostError('bad_request', `This model version says “${m.task}” but its pipeline disagrees; register it again from its run.`);
    }
    return new TfjsRuntime(new Predictor(m, await loadTfjs(m.artifacts, m.weights, m.weightSpecs)));
  }

  predict(rows: Row[]): Promise<PredictionOutput[]> {
    return this.predictor.predictRows(rows);
  }

  dispose(): void {
    this.predictor.dispose();
  }
}
