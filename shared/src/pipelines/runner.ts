import {
  PIPELINE_STEPS,
  type Pipeline,
  type PipelineInput,
  type PipelineSaid,
  type StepName,
  type StepOutputs,
  type StepRecord,
} from '../schema/pipeline-spec.js';
import type { TrainParams } from '../schema/records.js';
import { stepKey } from './keys.js';

/** What a step's executor is given: the pipeline, the run's input, its own cache key and the outputs of the steps before it. */
export interface StepContext {
  pipeline: Pipeline;
  input: PipelineInput;
  inputKey: string;
  /** Outputs of the earlier steps of this run, done or reused (switched-off steps are absent). */
  outputs: Partial<Record<StepName, StepOutputs>>;
}

/** A step's result: what it made and the content key the next steps read, or why it failed (a catalogue message). */
export type StepResult = { outputs: StepOutputs; outputKey: string } | { failed: PipelineSaid };

/**
 * Does one step for real (the device's executors call the app's own functions). `usable` says
 * whether an earlier output can still be used (what it names is still on the device); a step
 * whose cached output is no longer usable executes again.
 */
export interface StepExecutor {
  run(ctx: StepContext): Promise<StepResult>;
  usable?(outputs: StepOutputs, ctx: StepContext): Promise<boolean>;
}
export type StepExecutors = Record<StepName, StepExecutor>;

/** Earlier step records by cache key (the device reads them from past runs' lineage). */
export interface StepCache {
  get(inputKey: string): Promise<{ runId: string; step: StepRecord } | undefined>;
}

export interface RunnerDeps {
  executors: StepExecutors;
  cache: StepCache;
  now: () => number;
  /** After every step's record changes, with the records so far (for a progress bar). */
  onStep?: (steps: StepRecord[]) => void;
}

export interface RunnerResult {
  status: 'done' | 'failed';
  steps: StepRecord[];
  /** Cache keys of the steps executed and done in this run. */
  cacheKeys: string[];
  executed: number;
  reason?: PipelineSaid;
}

/**
 * The training parameters the train step uses: the declared ones with the split's shares and seed
 * laid over them when the split step is on, so the split the pipeline records is the one training
 * makes (splitIndices and holdOutTest read the same shares and seed).
 */
export function trainParamsOf(p: Pipeline): TrainParams {
  const { params } = p.steps.train;
  const s = p.steps.split;
  return s.on ? { ...params, validationFraction: s.validationFraction, testFraction: s.testFraction, seed: s.seed } : params;
}

/** Whether a step is switched on (ingest and train always are). */
export function stepOn(p: Pipeline, name: StepName): boolean {
  const s = p.steps[name] as { on?: boolean };
  return s.on !== false;
}

/**
 * What a step's cache key hashes: its settings and the keys of what it reads. Ingest reads the
 * version the run is for; validate the version's rows and the dataset's data tests; split the
 * rows, the target and the task; train the split (or the rows), all its parameters and backend;
 * evaluate the trained model; gate the evaluation (or the model), its gates and, when a gate
 * compares with production, the production version; register the gate's verdict, the model and
 * the model name.
 */
function keyParts(
  p: Pipeline,
  name: StepName,
  input: PipelineInput,
  keys: Partial<Record<StepName, string>>,
): { settings: unknown; inputs: Record<string, unknown> } {
  const params = trainParamsOf(p);
  const s = p.steps;
  switch (name) {
    case 'ingest':
      return { settings: s.ingest, inputs: { versionId: input.versionId } };
    case 'validate':
      return { settings: s.validate, inputs: { ingest: keys.ingest, rules: input.rulesKey } };
    case 'split':
      return { settings: { ...s.split, task: params.task, target: params.target }, inputs: { ingest: keys.ingest } };
    case 'train':
      return { settings: { params, backend: s.train.backend }, inputs: { rows: keys.split ?? keys.ingest } };
    case 'evaluate':
      return { settings: {}, inputs: { train: keys.train } };
    case 'gate':
      return {
        settings: s.gate.gates,
        inputs: { model: keys.evaluate ?? keys.train, ...(s.gate.gates.maxDropVsProduction !== undefined ? { production: input.productionId } : {}) },
      };
    case 'register':
      return {
        settings: { modelName: s.register.modelName, makeProduction: s.register.makeProduction },
        inputs: { gate: keys.gate ?? null, train: keys.train },
      };
  }
}

function reasonOf(err: unknown): PipelineSaid {
  const said = (err as { said?: { key?: unknown; values?: unknown } } | null)?.said;
  if (said && typeof said.key === 'string') return { key: said.key, ...(said.values ? { values: said.values as PipelineSaid['values'] } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  return { key: 'pipeline.reason.crashed', values: { message: message.slice(0, 500) } };
}

/**
 * Run a pipeline once: each step in the fixed order (PIPELINE_STEPS), a switched-off step skipped;
 * for each, the cache key (stepKey of keyParts); when an earlier run did the step with the same
 * key and its output is still usable, that output is reused and the step is not executed;
 * otherwise the executor runs. The first failure (a result that says why, or a thrown error,
 * whose `said` message is kept) stops the run: the later steps are recorded `skipped`. Every step's
 * record is the run's lineage: what it read (its key), what it made, when, and why it failed.
 */
export async function runPipeline(p: Pipeline, input: PipelineInput, deps: RunnerDeps): Promise<RunnerResult> {
  const steps: StepRecord[] = [];
  const keys: Partial<Record<StepName, string>> = {};
  const outputs: Partial<Record<StepName, StepOutputs>> = {};
  const cacheKeys: string[] = [];
  let executed = 0;
  let reason: PipelineSaid | undefined;
  for (const name of PIPELINE_STEPS) {
    if (reason || !stepOn(p, name)) {
      steps.push({ name, status: 'skipped', outputs: {}, skippedBecause: reason ? 'earlier_failed' : 'off' });
      deps.onStep?.(steps);
      continue;
    }
    const parts = keyParts(p, name, input, keys);
    const inputKey = await stepKey(name, parts.settings, parts.inputs);
    const ctx: StepContext = { pipeline: p, input, inputKey, outputs };
    const executor = deps.executors[name];
    const startedAt = deps.now();
    const cached = await deps.cache.get(inputKey);
    const hit = cached?.step.status === 'done' && cached.step.outputKey !== undefined ? cached : undefined;
    if (hit && (await (executor.usable?.(hit.step.outputs, ctx) ?? true))) {
      keys[name] = hit.step.outputKey;
      outputs[name] = hit.step.outputs;
      steps.push({
        name,
        status: 'reused',
        inputKey,
        outputKey: hit.step.outputKey,
        outputs: hit.step.outputs,
        startedAt,
        finishedAt: deps.now(),
        reusedFrom: hit.runId,
      });
      deps.onStep?.(steps);
      continue;
    }
    executed++;
    let result: StepResult;
    try {
      result = await executor.run(ctx);
    } catch (err) {
      result = { failed: reasonOf(err) };
    }
    const finishedAt = deps.now();
    if ('failed' in result) {
      reason = result.failed;
      steps.push({ name, status: 'failed', inputKey, outputs: {}, startedAt, finishedAt, reason });
    } else {
      keys[name] = result.outputKey;
      outputs[name] = result.outputs;
      cacheKeys.push(inputKey);
      steps.push({ name, status: 'done', inputKey, outputKey: result.outputKey, outputs: result.outputs, startedAt, finishedAt });
    }
    deps.onStep?.(steps);
  }
  return { status: reason ? 'failed' : 'done', steps, cacheKeys, executed, ...(reason ? { reason } : {}) };
}
