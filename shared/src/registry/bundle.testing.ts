// Test support: model versions as a device registers them, with a real evaluation report.
import type { ModelVersion } from '../schema/records.js';
import { evaluationReport } from '../metrics/report.js';
import { binaryModel } from '../monitor/model.testing.js';

const rows = Array.from({ length: 200 }, (_, i) => ({
  size: (i * 7) % 13,
  clinic: ['north', 'south', 'east'][i % 3],
  diagnosis: i % 3 === 0 ? 'malignant' : 'benign',
}));
const test = rows.slice(0, 60);
const outputs = test.map((r, i) => {
  const p = i % 4 === 0 ? 0.2 : r.diagnosis === 'malignant' ? 0.8 : 0.3;
  return { label: p >= 0.5 ? 'malignant' : 'benign', probabilities: { benign: 1 - p, malignant: p } };
});

/** The evaluation report of a binary model on 60 test rows (slices of `size` and `clinic`, 1,000 resamples). */
export const binaryReport = evaluationReport({ pipeline: binaryModel.pipeline, testRows: test, outputs, trainRows: rows.slice(60), seed: 9 })!;

/** A binary TensorFlow.js version with that report, a chosen threshold and float16 weights; `weightsHash` and `weightsSize` as given. */
export function binaryVersion(weightsHash: string, weightsSize: number, fields: Partial<ModelVersion> = {}): ModelVersion {
  return {
    id: '019a0000-0000-7000-8000-000000000001',
    projectId: 'p1',
    modelName: 'triage',
    version: 3,
    runId: 'run-1',
    task: 'classification',
    pipeline: binaryModel.pipeline,
    artifacts: { format: 'tfjs-layers', modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightSpecs: [] },
    weightsHash,
    weightsSize,
    evaluation: binaryReport,
    reference: binaryModel.reference,
    decision: { threshold: 0.35, missCost: 20, falseAlarmCost: 1, expectedCost: 0.8125 },
    quantized: {
      dtype: 'float16',
      weightsHash: 'c'.repeat(64),
      weightsSize: Math.ceil(weightsSize / 2),
      weightSpecs: [],
      metric: 'accuracy',
      full: 0.85,
      quantized: 0.8333,
    },
    stage: 'staging',
    schemaVersion: 1,
    appVersion: '0.1.0-test',
    createdAt: Date.UTC(2026, 0, 15, 9, 30),
    ...fields,
  };
}
