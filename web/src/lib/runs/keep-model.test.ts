import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { holdOutTest } from '@shared/data/split.js';
import { sha256Hex } from '@shared/data/hash.js';
import { testHeadline } from '@shared/registry/quantize.js';
import type { Run } from '@shared/schema/records.js';
import { OutpostDb } from '../db/db.js';
import { newId, putRecord } from '../db/mutate.js';
import { createProject } from '../db/projects.js';
import { getTrainedModel, registerModel } from '../db/models.js';
import { blobState, completeBlobBytes } from '../db/blobs.js';
import { setProjectQuantization, weightsToLoad } from '../db/smaller-weights.js';
import { Predictor, train } from '../ml/client.js';
import { useInProcessWorkers } from '../ml/workers.testing.js';
import { loadSample, sampleParams } from '../ml/test-data.js';
import { predictorFor } from '../monitor/predict.js';
import { keepTrainedModel } from './keep-model.js';

// The device's path from a finished training to predictions with the smaller weights: the real
// training and prediction workers (in this thread, Node has no Web Workers), Dexie on
// fake-indexeddb, and the same functions the training session and the Predict tab call.
const workers = useInProcessWorkers();
const cancer = loadSample('breast_cancer');
type Row = Record<string, string | number | null>;

async function trainedRun(db: OutpostDb, projectId: string, quantization: 'uint8' | 'float16') {
  const params = sampleParams(cancer, 'classification', 'diagnosis', { epochs: 15, seed: 3 });
  const { rest, test } = holdOutTest(cancer.rows, params) as { rest: Row[]; test: Row[] };
  const result = await train({ rows: rest, columns: cancer.columns, params, backend: 'cpu', quantization }, {}, workers.train).promise;
  const runId = newId();
  const evaluation = await keepTrainedModel(db, runId, params, rest, test, result);
  const run: Run = {
    id: runId,
    projectId,
    datasetId: 'd',
    datasetHash: 'h'.repeat(64),
    status: 'completed',
    params,
    epochs: result.epochs,
    metrics: result.metrics,
    pipeline: result.pipeline,
    backend: result.backend,
    appVersion: 't',
    startedAt: 0,
    ...(evaluation ? { evaluation, testRows: test.length } : {}),
  };
  await putRecord(db, 'runs', run);
  return { run, test, result, evaluation };
}

describe('smaller weights on the device', () => {
  it('a project asking for quarter size: training keeps uint8 weights (¼ of the bytes), the version carries them with the test-row accuracy of both, and predictions load them', async () => {
    const db = new OutpostDb(`smaller-${newId()}`);
    const p = await createProject(db, 'Screening');
    await setProjectQuantization(db, p.id, 'uint8');
    const { run, test, evaluation } = await trainedRun(db, p.id, 'uint8');
    const trained = await getTrainedModel(db, run.id);
    expect(trained?.quantized?.dtype).toBe('uint8');

    const mv = await registerModel(db, run, 'triage', 't', false);
    const q = mv.quantized!;
    expect(q).toBeDefined();
    expect(q.weightsSize * 4).toBe(mv.weightsSize);
    expect(q.weightSpecs.every((s) => (s.quantization as { dtype: string }).dtype === 'uint8')).toBe(true);
    // Both blobs are kept here, content-addressed, and wait for upload.
    const small = await completeBlobBytes(db, q.weightsHash);
    expect(await sha256Hex(small!)).toBe(q.weightsHash);
    expect(small!.byteLength).toBe(q.weightsSize);
    expect((await blobState(db, q.weightsHash))?.upload).toBe('pending');
    expect((await blobState(db, mv.weightsHash))?.state).toBe('complete');
    // The figures: full size is the evaluation report's accuracy, quarter size was measured on the same test rows.
    expect(q.metric).toBe('accuracy');
    expect(q.full).toBe(evaluation!.evaluation.task === 'classification' ? evaluation!.evaluation.accuracy : NaN);
    expect(q.full).toBeGreaterThan(0.85);
    expect(Math.abs(q.quantized! - q.full!)).toBeLessThanOrEqual(0.05);

    // Predicting with the version loads the smaller weights (the project asks for them and they are here).
    expect((await weightsToLoad(db, mv))?.hash).toBe(q.weightsHash);
    const served = await predictorFor(db, mv);
    const fromSmall = (await served.predict(test)).outputs;
    expect(testHeadline(mv.pipeline, test, fromSmall)?.value).toBe(q.quantized);
    // One in-process prediction worker at a time: the full weights are loaded after.
    served.dispose();
    const fullPredictor = await Predictor.load(mv, (await completeBlobBytes(db, mv.weightsHash))!, { backend: 'cpu', createWorker: workers.predict });
    const fromFull = (await fullPredictor.predict(test)).outputs;
    fullPredictor.dispose();
    expect(testHeadline(mv.pipeline, test, fromFull)?.value).toBe(q.full);
    const diffs = fromSmall.flatMap((o, i) => Object.entries(o.probabilities!).map(([label, pr]) => Math.abs(pr - fromFull[i].probabilities![label])));
    expect(diffs).toHaveLength(test.length * 2);
    expect(Math.max(...diffs)).toBeLessThan(0.1);
    // They really are other weights: the answers move a little.
    expect(Math.max(...diffs)).toBeGreaterThan(0);

    // Turned off: the same device loads its full weights again.
    await setProjectQuantization(db, p.id, null);
    expect((await db.projects.get(p.id))?.quantization).toBeNull();
    expect(await weightsToLoad(db, mv)).toEqual({ hash: mv.weightsHash, size: mv.weightsSize });
    db.close();
  });

  it('half size keeps float16 weights at ½ of the bytes, and a project without the setting keeps none', async () => {
    const db = new OutpostDb(`smaller-${newId()}`);
    const p = await createProject(db, 'Half');
    const { run } = await trainedRun(db, p.id, 'float16');
    const mv = await registerModel(db, run, 'half', 't', false);
    expect(mv.quantized?.dtype).toBe('float16');
    expect(mv.quantized!.weightsSize * 2).toBe(mv.weightsSize);
    expect(Math.abs(mv.quantized!.quantized! - mv.quantized!.full!)).toBeLessThanOrEqual(0.02);

    const params = sampleParams(cancer, 'classification', 'diagnosis', { epochs: 2 });
    const plain = await train({ rows: cancer.rows, columns: cancer.columns, params, backend: 'cpu' }, {}, workers.train).promise;
    expect(plain.quantized).toBeUndefined();
    db.close();
  });
});
