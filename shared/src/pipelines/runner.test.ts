import { describe, expect, it } from 'vitest';
import { Pipeline, PipelineRun, type PipelineInput, type StepName, type StepRecord } from '../schema/pipeline-spec.js';
import type { TrainParams } from '../schema/records.js';
import { draftPipeline } from './draft.js';
import { stableJson, stepKey } from './keys.js';
import { runPipeline, trainParamsOf, type RunnerResult, type StepCache, type StepExecutors } from './runner.js';

// The runner's seam is its executors: here small ones that compute their outputs from their
// inputs (as the device's do from rows and models) and count every call, so what is executed and
// what is reused is counted, not assumed.
const params: TrainParams = {
  task: 'classification',
  target: 'y',
  features: ['a', 'b'],
  epochs: 5,
  batchSize: 16,
  learningRate: 0.01,
  hiddenLayers: [8],
  validationFraction: 0.2,
  seed: 7,
};

interface World {
  versions: Map<string, { hash: string; deleted?: boolean; failing?: string[] }>;
  /** A model that answers so well on its test rows. */
  accuracy: number;
}

function setUp(world: World) {
  const calls: StepName[] = [];
  let runs = 0;
  const executors: StepExecutors = {
    ingest: {
      async run({ input }) {
        calls.push('ingest');
        const v = input.versionId ? world.versions.get(input.versionId) : undefined;
        if (!v || v.deleted) return { failed: { key: 'pipeline.reason.versionGone' } };
        return { outputs: { versionId: input.versionId!, hash: v.hash }, outputKey: v.hash };
      },
      async usable(out) {
        const v = world.versions.get(String(out.versionId));
        return Boolean(v && !v.deleted);
      },
    },
    validate: {
      async run({ outputs }) {
        calls.push('validate');
        const failing = world.versions.get(String(outputs.ingest!.versionId))?.failing ?? [];
        if (failing.length) return { failed: { key: 'pipeline.reason.testsFail', values: { count: failing.length, sentences: failing.join(' ') } } };
        return { outputs: { failed: 0 }, outputKey: 'passed' };
      },
    },
    split: {
      async run({ outputs, pipeline }) {
        calls.push('split');
        const key = await stepKey('split-hash', pipeline.steps.split.seed, { rows: outputs.ingest!.hash });
        return { outputs: { indexHash: key }, outputKey: key };
      },
    },
    train: {
      async run({ inputKey }) {
        calls.push('train');
        runs++;
        return { outputs: { runId: `run-${runs}`, weightsHash: inputKey }, outputKey: inputKey };
      },
    },
    evaluate: {
      async run({ outputs }) {
        calls.push('evaluate');
        return { outputs: { runId: outputs.train!.runId, accuracy: world.accuracy }, outputKey: `eval-${outputs.train!.weightsHash}` };
      },
    },
    gate: {
      async run({ pipeline, inputKey, outputs }) {
        calls.push('gate');
        const min = pipeline.steps.gate.gates.minMetric;
        const value = Number(outputs.evaluate?.accuracy);
        if (min && value < min.value) return { failed: { key: 'pipeline.reason.gateFailed', values: { checks: `accuracy ${value} < ${min.value}` } } };
        return { outputs: { passed: 1 }, outputKey: inputKey };
      },
    },
    register: {
      async run({ outputs, pipeline }) {
        calls.push('register');
        return {
          outputs: { modelVersionId: `mv-${outputs.train!.runId}`, modelName: pipeline.steps.register.modelName },
          outputKey: `mv-${outputs.train!.runId}`,
        };
      },
    },
  };
  // The cache is the lineage of earlier runs, as on the device: a done step found by its key.
  const history: { id: string; steps: StepRecord[] }[] = [];
  const cache: StepCache = {
    async get(key) {
      for (const r of [...history].reverse()) {
        const step = r.steps.find((s) => s.inputKey === key && s.status === 'done');
        if (step) return { runId: r.id, step };
      }
      return undefined;
    },
  };
  let clock = 1_000;
  const run = async (p: Pipeline, input: PipelineInput): Promise<RunnerResult> => {
    calls.length = 0;
    const result = await runPipeline(p, input, { executors, cache, now: () => clock++ });
    history.push({ id: `p-${history.length + 1}`, steps: result.steps });
    return result;
  };
  return { calls, run };
}

const input = (versionId: string | null): PipelineInput => ({ versionId, rulesKey: 'rules-1', productionId: null });
const statuses = (r: RunnerResult) => r.steps.map((s) => s.status);

describe('pipeline caching, counted in executed steps', () => {
  it('runs all seven, then none on the same version, then everything again from ingest on a new version', async () => {
    const world: World = { versions: new Map([['v1', { hash: 'h1' }]]), accuracy: 0.9 };
    const { calls, run } = setUp(world);
    const p = Pipeline.parse(draftPipeline('proj', 'data', params, 'triage', 0));

    const first = await run(p, input('v1'));
    expect(first.status).toBe('done');
    expect(first.executed).toBe(7);
    expect(calls).toEqual(['ingest', 'validate', 'split', 'train', 'evaluate', 'gate', 'register']);
    expect(statuses(first)).toEqual(Array(7).fill('done'));
    expect(first.cacheKeys).toHaveLength(7);

    const second = await run(p, input('v1'));
    expect(second.executed).toBe(0);
    expect(calls).toEqual([]);
    expect(statuses(second)).toEqual(Array(7).fill('reused'));
    // Reused outputs are the first run's: the same trained run and registered version.
    expect(second.steps[3].outputs.runId).toBe('run-1');
    expect(second.steps[6].outputs.modelVersionId).toBe('mv-run-1');
    expect(second.steps.every((s) => s.reusedFrom === 'p-1')).toBe(true);

    world.versions.set('v2', { hash: 'h2' });
    const third = await run(p, input('v2'));
    expect(third.executed).toBe(7);
    expect(calls).toEqual(['ingest', 'validate', 'split', 'train', 'evaluate', 'gate', 'register']);
    expect(third.steps[3].outputs.runId).toBe('run-2');
  });

  it('changing only the gates executes only gate and register', async () => {
    const world: World = { versions: new Map([['v1', { hash: 'h1' }]]), accuracy: 0.9 };
    const { calls, run } = setUp(world);
    const p = draftPipeline('proj', 'data', params, 'triage', 0);
    await run(p, input('v1'));
    const stricter: Pipeline = { ...p, steps: { ...p.steps, gate: { on: true, gates: { minMetric: { metric: 'accuracy', value: 0.8 } } } } };
    const r = await run(stricter, input('v1'));
    expect(r.executed).toBe(2);
    expect(calls).toEqual(['gate', 'register']);
    expect(statuses(r)).toEqual(['reused', 'reused', 'reused', 'reused', 'reused', 'done', 'done']);
  });

  it('a new version with the same rows (same hash) executes ingest only and reuses the rest', async () => {
    const world: World = {
      versions: new Map([
        ['v1', { hash: 'h1' }],
        ['v1b', { hash: 'h1' }],
      ]),
      accuracy: 0.9,
    };
    const { calls, run } = setUp(world);
    const p = draftPipeline('proj', 'data', params, 'triage', 0);
    await run(p, input('v1'));
    const r = await run(p, input('v1b'));
    expect(calls).toEqual(['ingest']);
    expect(r.executed).toBe(1);
  });

  it('a changed seed re-executes from split on; a switched-off step is skipped and the next reads what came before it', async () => {
    const world: World = { versions: new Map([['v1', { hash: 'h1' }]]), accuracy: 0.9 };
    const { calls, run } = setUp(world);
    const p = draftPipeline('proj', 'data', params, 'triage', 0);
    await run(p, input('v1'));
    const reseeded = { ...p, steps: { ...p.steps, split: { ...p.steps.split, seed: 8 } } };
    await run(reseeded, input('v1'));
    expect(calls).toEqual(['split', 'train', 'evaluate', 'gate', 'register']);
    expect(trainParamsOf(reseeded).seed).toBe(8);

    const noGate = { ...p, steps: { ...p.steps, gate: { ...p.steps.gate, on: false } } };
    const r = await run(noGate, input('v1'));
    expect(r.steps[5]).toMatchObject({ name: 'gate', status: 'skipped', skippedBecause: 'off' });
    // Register read no gate, so its key changed: it executes; everything before is reused.
    expect(calls).toEqual(['register']);
  });
});

describe('stopping at the first failure', () => {
  it('stops at a failing gate with its reason; the steps after it are skipped', async () => {
    const world: World = { versions: new Map([['v1', { hash: 'h1' }]]), accuracy: 0.6 };
    const { calls, run } = setUp(world);
    const base = draftPipeline('proj', 'data', params, 'triage', 0);
    const p: Pipeline = { ...base, steps: { ...base.steps, gate: { on: true, gates: { minMetric: { metric: 'accuracy', value: 0.8 } } } } };
    const r = await run(p, input('v1'));
    expect(r.status).toBe('failed');
    expect(calls).toEqual(['ingest', 'validate', 'split', 'train', 'evaluate', 'gate']);
    expect(statuses(r)).toEqual(['done', 'done', 'done', 'done', 'done', 'failed', 'skipped']);
    expect(r.steps[6].skippedBecause).toBe('earlier_failed');
    expect(r.reason).toEqual({ key: 'pipeline.reason.gateFailed', values: { checks: 'accuracy 0.6 < 0.8' } });
    expect(r.steps[5].reason).toEqual(r.reason);
    // A failed step is not cached: the next run executes it again (and fails again).
    const again = await run(p, input('v1'));
    expect(calls).toEqual(['gate']);
    expect(again.status).toBe('failed');
  });

  it('stops at failing data tests before anything trains', async () => {
    const world: World = { versions: new Map([['v1', { hash: 'h1', failing: ['2 rows have age above 120; allowed 0–120.'] }]]), accuracy: 0.9 };
    const { calls, run } = setUp(world);
    const r = await run(draftPipeline('proj', 'data', params, 'triage', 0), input('v1'));
    expect(calls).toEqual(['ingest', 'validate']);
    expect(r.reason?.values?.sentences).toBe('2 rows have age above 120; allowed 0–120.');
    expect(statuses(r)).toEqual(['done', 'failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
  });

  it('a deleted dataset version fails ingest with a sentence, even when an earlier run ingested it', async () => {
    const world: World = { versions: new Map([['v1', { hash: 'h1' }]]), accuracy: 0.9 };
    const { calls, run } = setUp(world);
    const p = draftPipeline('proj', 'data', params, 'triage', 0);
    await run(p, input('v1'));
    world.versions.set('v1', { hash: 'h1', deleted: true });
    const r = await run(p, input('v1'));
    expect(calls).toEqual(['ingest']);
    expect(r.status).toBe('failed');
    expect(r.steps[0]).toMatchObject({ name: 'ingest', status: 'failed', reason: { key: 'pipeline.reason.versionGone' } });
    expect(r.steps.slice(1).every((s) => s.status === 'skipped')).toBe(true);
    const none = await run(p, input(null));
    expect(none.steps[0].reason?.key).toBe('pipeline.reason.versionGone');
  });

  it('a step that throws fails with the message it carries, or with its words', async () => {
    const p = draftPipeline('proj', 'data', params, 'triage', 0);
    const throwing = (err: unknown) =>
      runPipeline(p, input('v1'), {
        executors: {
          ...Object.fromEntries(
            ['ingest', 'validate', 'split', 'evaluate', 'gate', 'register'].map((n) => [n, { run: async () => ({ outputs: {}, outputKey: n }) }]),
          ),
          train: {
            run: async () => {
              throw err;
            },
          },
        } as unknown as StepExecutors,
        cache: { get: async () => undefined },
        now: () => 5,
      });
    expect((await throwing(Object.assign(new Error('x'), { said: { key: 'error.trainRowsNotHere' } }))).reason).toEqual({ key: 'error.trainRowsNotHere' });
    expect((await throwing(new Error('out of memory'))).reason).toEqual({ key: 'pipeline.reason.crashed', values: { message: 'out of memory' } });
  });
});

describe('the records', () => {
  it('a run parses as a PipelineRun record, and keys do not depend on the order settings were written in', async () => {
    const world: World = { versions: new Map([['v1', { hash: 'h1' }]]), accuracy: 0.9 };
    const { run } = setUp(world);
    const r = await run(draftPipeline('proj', 'data', params, 'triage', 0), input('v1'));
    const record = {
      id: 'r1',
      pipelineId: 'proj',
      projectId: 'proj',
      status: r.status,
      trigger: { kind: 'person' },
      input: input('v1'),
      steps: r.steps,
      cacheKeys: r.cacheKeys,
      executed: r.executed,
      startedAt: 1,
      finishedAt: 2,
    };
    expect(PipelineRun.parse(record)).toEqual(record);
    expect(stableJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(await stepKey('x', { a: 1, b: 2 }, {})).toBe(await stepKey('x', { b: 2, a: 1 }, {}));
    expect(await stepKey('x', { a: 1 }, {})).not.toBe(await stepKey('y', { a: 1 }, {}));
  });
});
