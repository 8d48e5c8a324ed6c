import { z } from 'zod';
import { ModelOutputKind, Task, TensorInput, type ModelArtifacts, type ModelVersion, type TfjsArtifacts } from '../schema/records.js';
import type { FeaturePipeline, FeatureSpec } from '../schema/pipeline.js';
import { featureWidth } from '../features/pipeline.js';
import { OutpostError } from '../errors.js';

/**
 * Bringing in a model trained elsewhere (an ONNX file from PyTorch or scikit-learn, or a
 * TensorFlow.js Layers model): what the file says about its inputs and outputs, what the person
 * declares (how dataset columns map to the input, or the tensor's shape and scaling; the labels),
 * and the model version both make, checked against each other so that a mismatch is refused with
 * a sentence before anything is registered. Used alike by the device, the console and
 * `npm run admin -- import-model`.
 */

/** One input or output as the model file declares it; a dimension is a size or a symbolic name ("batch"). */
export interface TensorInfo {
  name: string;
  type: string;
  shape: (number | string)[];
}

/** What a model file says about itself. */
export interface ModelDescription {
  format: 'onnx' | 'tfjs-layers';
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  producer?: string;
  opset?: number;
}

const Name = z.string().trim().min(1).max(200);

/** A dataset column the model reads, in the order of the model's input vector. */
export const ImportColumn = z.discriminatedUnion('kind', [
  z.object({
    name: Name,
    kind: z.literal('numeric'),
    /** The model sees (x - mean) / std: the scaling it was trained with (0 and 1 when the model scales itself). */
    mean: z.number().finite().default(0),
    std: z.number().finite().positive().default(1),
    /** Used for a missing value; the mean when not given. */
    impute: z.number().finite().optional(),
  }),
  z.object({
    name: Name,
    kind: z.literal('categorical'),
    /** One-hot positions, in the order the model expects. */
    categories: z.array(z.string().max(200)).min(1).max(1000),
    impute: z.string().max(200).optional(),
  }),
]);
export type ImportColumn = z.infer<typeof ImportColumn>;

/** What a person declares when importing a model. */
export const ImportSpec = z.object({
  modelName: Name,
  task: Task,
  /** The column the model predicts (for outcomes and monitoring). */
  target: Name.default('outcome'),
  /** Classification: one label per output value, in output order. */
  labels: z.array(Name).min(2).max(1000).optional(),
  /** Default: probabilities for classification, the value for regression. */
  output: ModelOutputKind.optional(),
  input: z.discriminatedUnion('kind', [z.object({ kind: z.literal('tabular'), columns: z.array(ImportColumn).min(1).max(10_000) }), TensorInput]),
  /** Which graph input and output to use when the model has several. */
  inputName: Name.optional(),
  outputName: Name.optional(),
  intendedUse: z.string().max(4000).optional(),
  limitations: z.string().max(4000).optional(),
});
export type ImportSpec = z.input<typeof ImportSpec>;

/** Where the new version goes and what it is made of, besides the person's declaration. */
export interface ImportContext {
  id: string;
  projectId: string;
  version: number;
  weightsHash: string;
  weightsSize: number;
  fileName: string;
  by?: string;
  appVersion: string;
  now: number;
  /** TensorFlow.js models: the topology and weight manifest read from model.json. */
  tfjs?: Pick<TfjsArtifacts, 'modelTopology' | 'weightSpecs'>;
}

const bad = (message: string) => new OutpostError('bad_request', message);
const dims = (t: TensorInfo) => `[${t.shape.join(', ')}]`;
const list = (ts: TensorInfo[]) => ts.map((t) => `“${t.name}” ${dims(t)}`).join(', ');

function pick(kind: 'input' | 'output', all: TensorInfo[], name?: string): TensorInfo {
  if (name) {
    const t = all.find((x) => x.name === name);
    if (!t) throw bad(`The model has no ${kind} “${name}”; its ${kind}s are ${list(all)}.`);
    return t;
  }
  const usable = all.filter((t) => t.type !== 'not a tensor');
  if (kind === 'output' && usable.length > 1) {
    const probs = usable.filter((t) => /prob|softmax|score|logit/i.test(t.name));
    if (probs.length === 1) return probs[0];
  }
  if (usable.length === 1) return usable[0];
  if (usable.length === 0) {
    throw bad(
      kind === 'output'
        ? `The model's outputs ${list(all)} are not plain tensors (scikit-learn's ZipMap makes a list of maps): export it again with options={'zipmap': False}.`
        : `The model's inputs ${list(all)} are not tensors.`,
    );
  }
  throw bad(`The model has several ${kind}s (${list(all)}); say which one to use.`);
}

/** A dimension the file fixes must equal the one declared; a symbolic one takes any size. */
function sameDim(d: number | string, want: number): boolean {
  return typeof d !== 'number' || d < 0 || d === want;
}

function pipelineOf(spec: z.output<typeof ImportSpec>): FeaturePipeline {
  const features: FeatureSpec[] =
    spec.input.kind === 'tabular'
      ? spec.input.columns.map((c) =>
          c.kind === 'numeric'
            ? { name: c.name, kind: 'numeric', mean: c.mean, std: c.std, impute: c.impute ?? c.mean }
            : { name: c.name, kind: 'categorical', categories: c.categories, impute: c.impute ?? c.categories[0] },
        )
      : [];
  const names = features.map((f) => f.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw bad(`The column “${dup}” is mapped twice; each input column can be used once.`);
  if (spec.task === 'classification') {
    if (!spec.labels) throw bad('A classification model needs its labels, one per output value, in output order (for example: malignant, benign).');
    const dupLabel = spec.labels.find((l, i) => spec.labels!.indexOf(l) !== i);
    if (dupLabel) throw bad(`The label “${dupLabel}” is given twice; each output value needs its own label.`);
    return { version: 1, features, target: { name: spec.target, kind: 'categorical', labels: spec.labels } };
  }
  if (spec.labels) throw bad('A regression model predicts a number and has no labels; remove the labels or choose classification.');
  return { version: 1, features, target: { name: spec.target, kind: 'numeric', mean: 0, std: 1 } };
}

/**
 * The model version an import makes, after checking the person's declaration against the file:
 * the input and output exist, the input's fixed dimensions match the mapped columns (one value
 * per numeric column, one per category) or the declared tensor shape, and the output's last
 * dimension matches the number of labels (1 for a regression).
 */
export function importedVersion(description: ModelDescription, rawSpec: ImportSpec, ctx: ImportContext): ModelVersion {
  const parsed = ImportSpec.safeParse(rawSpec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`The import settings are not valid: ${issue.path.join('.') || 'settings'}: ${issue.message}.`);
  }
  const spec = parsed.data;
  const pipeline = pipelineOf(spec);
  const input = pick('input', description.inputs, spec.inputName);
  const output = pick('output', description.outputs, spec.outputName);
  if (description.format === 'onnx' && input.type !== 'float32')
    throw bad(`The model's input “${input.name}” holds ${input.type}; Outpost feeds float32 inputs only.`);
  if (spec.input.kind === 'tabular') {
    const width = featureWidth(pipeline);
    if (input.shape.length !== 2 || !sameDim(input.shape[1], width)) {
      throw bad(
        `The model's input “${input.name}” has shape ${dims(input)}, but the mapped columns make ${width} values per row; map exactly the columns the model was trained on, in its order.`,
      );
    }
  } else {
    const want = spec.input.shape;
    if (input.shape.length !== want.length + 1 || !want.every((d, i) => sameDim(input.shape[i + 1], d))) {
      throw bad(
        `The model's input “${input.name}” has shape ${dims(input)}; the declared item shape [${want.join(', ')}] does not fit it (the first dimension is the batch).`,
      );
    }
  }
  const k = pipeline.target.kind === 'categorical' ? pipeline.target.labels.length : 1;
  const last = output.shape[output.shape.length - 1];
  const okOut = output.shape.length === 2 ? sameDim(last, k) : output.shape.length === 1 && k === 1;
  if (!okOut) {
    throw bad(
      pipeline.target.kind === 'categorical'
        ? `The model's output “${output.name}” has shape ${dims(output)}, which does not match the ${k} labels given; give one label per output value.`
        : `The model's output “${output.name}” has shape ${dims(output)}; a regression model must answer one value per row.`,
    );
  }
  const kind = spec.output ?? (spec.task === 'classification' ? 'probabilities' : 'value');
  if ((kind === 'value') !== (spec.task === 'regression')) throw bad(`An output of “${kind}” does not fit a ${spec.task} model.`);
  const modelInput = spec.input.kind === 'tabular' ? ({ kind: 'tabular' } as const) : spec.input;
  let artifacts: ModelArtifacts;
  if (description.format === 'onnx') {
    artifacts = {
      format: 'onnx',
      inputName: input.name,
      outputName: output.name,
      input: modelInput,
      output: kind,
      ...(description.producer ? { producer: description.producer.slice(0, 200) } : {}),
      ...(description.opset !== undefined ? { opset: description.opset } : {}),
    };
  } else {
    if (!ctx.tfjs) throw bad('The TensorFlow.js model came without its model.json.');
    artifacts = { format: 'tfjs-layers', modelTopology: ctx.tfjs.modelTopology, weightSpecs: ctx.tfjs.weightSpecs, input: modelInput, output: kind };
  }
  const card = spec.intendedUse || spec.limitations ? { card: { intendedUse: spec.intendedUse ?? '', limitations: spec.limitations ?? '' } } : {};
  return {
    id: ctx.id,
    projectId: ctx.projectId,
    modelName: spec.modelName,
    version: ctx.version,
    task: spec.task,
    pipeline,
    artifacts,
    weightsHash: ctx.weightsHash,
    weightsSize: ctx.weightsSize,
    stage: 'none',
    schemaVersion: 1,
    appVersion: ctx.appVersion,
    createdAt: ctx.now,
    imported: { fileName: ctx.fileName.slice(0, 300), format: description.format, ...(ctx.by ? { by: ctx.by.slice(0, 200) } : {}), at: ctx.now },
    ...card,
  };
}
