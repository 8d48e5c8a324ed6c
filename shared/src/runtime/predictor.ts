import type { FeaturePipeline } from '../schema/pipeline.js';
import type { ModelArtifacts, ModelInput, PredictionOutput, Task } from '../schema/records.js';
import type { Row } from '../data/columns.js';
import { featureWidth, transformRows } from '../features/pipeline.js';
import { outputWidth, tensorBatch, tensorSize, toOutput } from '../features/model-io.js';
import { OutpostError } from '../errors.js';

/**
 * The model itself, on whichever runtime: a float32 batch of `shape` in, the raw outputs of every
 * item out (row-major, `outputWidth` values per item).
 */
export interface Forward {
  run(x: Float32Array, shape: number[]): Promise<ArrayLike<number>>;
  dispose(): void;
}

/** What a runtime needs of a model version besides its weight bytes. */
export interface VersionModel {
  task: Task;
  pipeline: FeaturePipeline;
  artifacts: ModelArtifacts;
  /** A binary model's decision threshold (the positive class from this probability up). */
  threshold?: number;
}

export function modelInput(a: ModelArtifacts): ModelInput {
  return a.input ?? { kind: 'tabular' };
}

/**
 * A loaded version: rows (through the pipeline) or tensors (scaled) in, a person's answers out.
 * The same class runs on the device and on the server, so both answer alike.
 */
export class Predictor {
  readonly input: ModelInput;
  readonly #k: number;

  constructor(
    readonly model: VersionModel,
    private forward: Forward,
  ) {
    if ((model.task === 'classification') !== (model.pipeline.target.kind === 'categorical')) {
      throw new OutpostError('bad_request', `This model version says “${model.task}” but its pipeline disagrees; register it again.`);
    }
    this.input = modelInput(model.artifacts);
    this.#k = outputWidth(model.pipeline);
  }

  /** Predict rows in their original units; outputs are in the same order. */
  async predictRows(rows: Row[]): Promise<PredictionOutput[]> {
    if (this.input.kind !== 'tabular') {
      throw new OutpostError(
        'bad_request',
        `This model reads a tensor of shape [${this.input.shape.join(', ')}], not rows of columns: send "inputs" instead of "rows".`,
      );
    }
    if (rows.length === 0) return [];
    const width = featureWidth(this.model.pipeline);
    return this.#answer(await this.forward.run(transformRows(this.model.pipeline, rows), [rows.length, width]), rows.length);
  }

  /** Predict items given as nested arrays of the model's tensor shape. */
  async predictTensors(items: unknown[]): Promise<PredictionOutput[]> {
    const input = this.input;
    if (input.kind !== 'tensor')
      throw new OutpostError('bad_request', 'This model reads rows of named columns, not a tensor: send "rows" instead of "inputs".');
    if (items.length === 0) return [];
    if (items.length * tensorSize(input.shape) > 50_000_000)
      throw new OutpostError('payload_too_large', 'That is too many values for one prediction; send fewer items at a time.');
    return this.#answer(await this.forward.run(tensorBatch(input, items), [items.length, ...input.shape]), items.length);
  }

  #answer(out: ArrayLike<number>, n: number): PredictionOutput[] {
    if (out.length !== n * this.#k) {
      const t = this.model.pipeline.target;
      throw new OutpostError(
        'bad_request',
        t.kind === 'categorical'
          ? `The model answers ${out.length / n} values per item but this version names ${this.#k} labels (${t.labels.join(', ')}); import it again with one label per output.`
          : `The model answers ${out.length / n} values per item; a regression model must answer one.`,
      );
    }
    const kind = this.model.artifacts.output;
    const answers: PredictionOutput[] = new Array(n);
    for (let i = 0; i < n; i++) answers[i] = toOutput(this.model.pipeline, out, i * this.#k, this.model.threshold, kind);
    return answers;
  }

  dispose(): void {
    this.forward.dispose();
  }
}
