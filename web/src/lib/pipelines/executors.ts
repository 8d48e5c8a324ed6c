import type { DatasetMeta, ModelVersion, Run, TrainParams } from '@shared/schema/records.js';
import type { StepExecutors, StepResult } from '@shared/pipelines/runner.js';
import { trainParamsOf } from '@shared/pipelines/runner.js';
import { stepKey } from '@shared/pipelines/keys.js';
import type { PipelineSaid } from '@shared/schema/pipeline-spec.js';
import type { DeviceMeasurements } from '@shared/schema/registry.js';
import { checkGates, versionMetric, type GateResult } from '@shared/registry/gates.js';
import { runSplit } from '@shared/data/lineage.js';
import type { OutpostDb } from '../db/db.js';
import { failedChecks, loadVersionRows, versionRowsHere, type StoredRow } from '../db/dataset-versions.js';
import { getTrainedModel, registerModel, versionsOfRun } from '../db/models.js';
import { APP_VERSION } from '../../app/config.js';
import type { BackendName } from '../ml/protocol.js';
import type { TrainOptions } from '../runs/training.svelte.js';

/**
 * What trains the train step: the app's training session (runs/session.ts), so a pipeline's run
 * is a run like any other (listed, compared, registered), and one training at a time on the device.
 */
export interface PipelineTrainer {
  readonly running: boolean;
  readonly error: string;
  start(dataset: DatasetMeta, params: TrainParams, backend: BackendName, override: boolean, options: TrainOptions): Promise<Run | undefined>;
}

export interface ExecutorDeps {
  trainer: PipelineTrainer;
  /** Measures latency and memory for the gates that ask (monitor/measure.ts), loaded only then. */
  measure?: (mv: ModelVersion) => Promise<DeviceMeasurements>;
}

const fail = (key: string, values?: PipelineSaid['values']): StepResult => ({ failed: { key, ...(values ? { values } : {}) } });

/** A failed gate's sentence as a message: its frame with what it checked said first (gate-words.ts reads it back). */
function gateReason(r: GateResult): PipelineSaid {
  const what = r.said.what;
  const whatValues = Object.fromEntries(Object.entries(what?.values ?? {}).map(([k, v]) => [`what_${k}`, v]));
  return { key: r.said.frame.key, values: { ...(r.said.frame.values ?? {}), ...(what ? { whatKey: what.key } : {}), ...whatValues } };
}

/**
 * The device's step executors: each calls the app's own functions, as the Train tab and the
 * Models tab do. Ingest reads the version's rows (loadVersionRows), validate its data-test report
 * (failedChecks), split records the seeded split (runSplit), train runs the training session on
 * that version (which holds the test rows apart and keeps the model with its evaluation,
 * keep-model.ts), evaluate reads that evaluation, gate checks the pipeline's gates (checkGates)
 * against the production version, and register registers the run's model (registerModel) unless
 * this run's model was already registered under that name.
 */
export function deviceExecutors(db: OutpostDb, deps: ExecutorDeps): StepExecutors {
  // Rows read by ingest, for the split step of the same run (a run reads a version's rows once).
  let rows: { versionId: string; rows: StoredRow[] } | undefined;
  const rowsOf = async (versionId: string) => {
    if (rows?.versionId !== versionId) rows = { versionId, rows: await loadVersionRows(db, versionId) };
    return rows.rows;
  };
  const liveVersion = async (id: unknown, datasetId: string) => {
    const v = typeof id === 'string' ? await db.dataset_versions.get(id) : undefined;
    return v && !v.deleted && v.datasetId === datasetId ? v : undefined;
  };
  const completedRun = async (id: unknown) => {
    const run = typeof id === 'string' ? await db.runs.get(id) : undefined;
    return run && !run.deleted && run.status === 'completed' ? run : undefined;
  };

  return {
    ingest: {
      async run({ input, pipeline }) {
        const dataset = await db.datasets.get(pipeline.steps.ingest.datasetId);
        if (!dataset || dataset.deleted) return fail('pipeline.reason.datasetGone');
        const v = await liveVersion(input.versionId, dataset.id);
        if (!v) return fail('pipeline.reason.versionGone');
        const all = await rowsOf(v.id);
        if (!all.length) return fail('error.trainRowsNotHere');
        return { outputs: { versionId: v.id, number: v.number, hash: v.hash, rows: all.length }, outputKey: v.hash };
      },
      async usable(out, { pipeline }) {
        const v = await liveVersion(out.versionId, pipeline.steps.ingest.datasetId);
        return Boolean(v && (await versionRowsHere(db, v)) !== 'missing');
      },
    },
    validate: {
      async run({ outputs, pipeline }) {
        const s = pipeline.steps.validate;
        const v = await db.dataset_versions.get(String(outputs.ingest!.versionId));
        const failed = failedChecks(v);
        if (s.requireTests && failed.length) return fail('pipeline.reason.testsFail', { count: failed.length, sentences: failed.join(' ').slice(0, 3000) });
        const count = Number(outputs.ingest!.rows);
        if (s.minRows !== undefined && count < s.minRows) return fail('pipeline.reason.tooFewRows', { count, min: s.minRows });
        return { outputs: { failedTests: failed.length }, outputKey: await stepKey('validated', failed, {}) };
      },
    },
    split: {
      async run({ outputs, pipeline }) {
        const split = await runSplit(await rowsOf(String(outputs.ingest!.versionId)), trainParamsOf(pipeline));
        if (split.train === 0) return fail('pipeline.reason.noTrainRows');
        return { outputs: { train: split.train, validation: split.validation, test: split.test, indexHash: split.indexHash }, outputKey: split.indexHash };
      },
    },
    train: {
      async run({ outputs, pipeline }) {
        const dataset = await db.datasets.get(pipeline.steps.ingest.datasetId);
        if (!dataset || dataset.deleted) return fail('pipeline.reason.datasetGone');
        if (deps.trainer.running) return fail('pipeline.reason.trainingBusy');
        const v = pipeline.steps.validate;
        // Tests not required: the run trains anyway and records the failures (checksOverride).
        const override = !v.on || !v.requireTests;
        const params = trainParamsOf(pipeline);
        const run = await deps.trainer.start(dataset, params, pipeline.steps.train.backend, override, { versionId: String(outputs.ingest!.versionId) });
        if (!run) return fail('pipeline.reason.trainRefused', { message: deps.trainer.error });
        if (run.status !== 'completed') return fail('pipeline.reason.trainFailed', { message: run.error ?? run.status });
        const trained = await getTrainedModel(db, run.id);
        if (!trained) return fail('error.runKeptNoModel');
        return { outputs: { runId: run.id, weightsHash: trained.weightsHash }, outputKey: trained.weightsHash };
      },
      async usable(out) {
        const run = await completedRun(out.runId);
        return Boolean(run && (await getTrainedModel(db, run.id)));
      },
    },
    evaluate: {
      async run({ outputs }) {
        const run = await completedRun(outputs.train!.runId);
        if (!run) return fail('pipeline.reason.runGone');
        if (!run.evaluation) return fail('pipeline.reason.noEvaluation');
        const metric = run.params.task === 'regression' ? 'r2' : 'accuracy';
        const value = versionMetric(run, metric);
        return {
          outputs: { runId: run.id, testRows: run.testRows ?? 0, metric, ...(value !== null ? { value } : {}) },
          outputKey: await stepKey('evaluation', run.evaluation, {}),
        };
      },
    },
    gate: {
      async run({ outputs, pipeline, inputKey }) {
        const run = await completedRun(outputs.train!.runId);
        const trained = run && (await getTrainedModel(db, run.id));
        if (!run || !trained || !run.pipeline) return fail('pipeline.reason.runGone');
        const gates = pipeline.steps.gate.gates;
        const production = (await db.model_versions.where({ projectId: run.projectId, stage: 'production' }).toArray()).find((v) => !v.deleted) ?? null;
        const candidate: ModelVersion = {
          id: run.id,
          projectId: run.projectId,
          modelName: pipeline.steps.register.modelName,
          version: 0,
          runId: run.id,
          task: run.params.task,
          pipeline: run.pipeline,
          artifacts: trained.artifacts,
          weightsHash: trained.weightsHash,
          weightsSize: trained.weightsSize,
          metrics: run.metrics,
          ...(run.evaluation ? { evaluation: run.evaluation } : {}),
          ...(trained.reference ? { reference: trained.reference } : {}),
          stage: 'none',
          schemaVersion: 1,
          appVersion: APP_VERSION,
          createdAt: run.finishedAt ?? run.startedAt,
        };
        const measured = gates.maxLatencyMs !== undefined || gates.maxMemoryMb !== undefined;
        const measurements = measured && deps.measure ? await deps.measure(candidate) : undefined;
        const results = checkGates(gates, { version: candidate, production, ...(measurements ? { measurements } : {}) });
        const failed = results.find((r) => !r.passed);
        if (failed) return { failed: gateReason(failed) };
        return { outputs: { checks: results.length }, outputKey: inputKey };
      },
    },
    register: {
      async run({ outputs, pipeline }) {
        const run = await completedRun(outputs.train!.runId);
        if (!run) return fail('pipeline.reason.runGone');
        const { modelName, makeProduction } = pipeline.steps.register;
        const name = modelName.trim();
        const kept = (await versionsOfRun(db, run.id)).find((v) => !v.deleted && v.modelName === name);
        const mv = kept ?? (await registerModel(db, run, name, APP_VERSION, makeProduction));
        return { outputs: { modelVersionId: mv.id, modelName: mv.modelName, version: mv.version }, outputKey: mv.id };
      },
      async usable(out) {
        const mv = typeof out.modelVersionId === 'string' ? await db.model_versions.get(out.modelVersionId) : undefined;
        return Boolean(mv && !mv.deleted);
      },
    },
  };
}
