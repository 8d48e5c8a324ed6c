import type { Row } from '@shared/data/columns.js';
import type { PredictionOutput } from '@shared/schema/records.js';
import { SaidError } from '../said-error.js';
import { Predictor } from '@shared/runtime/predictor.js';
import { loadTfjs } from '@shared/runtime/tfjs.js';
import type { LoadableModel, ModelRuntime } from './runtime.js';

/** A TensorFlow.js Layers version loaded from memory: the pipeline is applied, then the network. */
export class TfjsRuntime implements ModelRuntime {
  private constructor(readonly predictor: Predictor) {}

  /** Load from the artifacts and weight bytes a training produced (nothing is fetched). */
  static async load(m: LoadableModel): Promise<TfjsRuntime> {
    if (m.artifacts.format !== 'tfjs-layers') throw new SaidError('bad_request', { key: 'error.notTfjs' });
    if ((m.task === 'classification') !== (m.pipeline.target.kind === 'categorical')) {
      throw new SaidError('bad_request', { key: 'error.taskDisagrees', values: { task: m.task } });
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
