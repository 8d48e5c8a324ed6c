// Test support: small model versions with a reference profile, and predictions for them.
import type { ModelVersion, Prediction } from '../schema/records.js';
import type { SummaryModel } from './summary.js';
import { categoricalProfile, numericProfile } from './reference.js';

const sizes = Array.from({ length: 200 }, (_, i) => 1 + (i % 40) / 4);
const clinics = Array.from({ length: 200 }, (_, i) => ['north', 'south', 'east'][i % 3]);

/** A binary classifier (benign / malignant) over `size` (numeric, 1..10.75) and `clinic` (north, south, east). */
export const binaryModel: SummaryModel = {
  id: 'mv-binary',
  projectId: 'p1',
  pipeline: {
    version: 1,
    features: [
      { name: 'size', kind: 'numeric', mean: 5.9, std: 2.9, impute: 5.9 },
      { name: 'clinic', kind: 'categorical', categories: ['east', 'north', 'south'], impute: 'east' },
    ],
    target: { name: 'diagnosis', kind: 'categorical', labels: ['benign', 'malignant'] },
  },
  reference: {
    rows: 200,
    ofRows: 200,
    features: [numericProfile('size', sizes), categoricalProfile('clinic', clinics)],
    output: { kind: 'classes', counts: { benign: 120, malignant: 80 }, confidence: [0, 0, 0, 0, 0, 20, 40, 60, 50, 30], meanConfidence: 0.78 },
    target: categoricalProfile(
      'diagnosis',
      Array.from({ length: 200 }, (_, i) => (i % 5 < 3 ? 'benign' : 'malignant')),
    ),
    blob: { hash: 'a'.repeat(64), size: 10 },
  },
};

/** A regression over `size` and `clinic`. */
export const regressionModel: SummaryModel = {
  id: 'mv-reg',
  projectId: 'p1',
  pipeline: { ...binaryModel.pipeline, target: { name: 'progression', kind: 'numeric', mean: 100, std: 30 } },
  reference: {
    ...binaryModel.reference!,
    output: { kind: 'value', min: 20, max: 300, mean: 140, edges: [50, 100, 150, 200], counts: [10, 40, 80, 50, 20] },
    target: numericProfile(
      'progression',
      Array.from({ length: 200 }, (_, i) => 25 + i * 1.3),
    ),
  },
};

let n = 0;
/** A logged prediction of `m` with the given inputs and answer. */
export function predictionOf(m: SummaryModel, fields: Partial<Prediction> & { createdAt: number }): Prediction {
  n++;
  return {
    id: `pred-${n.toString().padStart(8, '0')}`,
    projectId: m.projectId,
    modelVersionId: m.id,
    inputs: { size: 5, clinic: 'north' },
    output: m.pipeline.target.kind === 'categorical' ? { label: 'benign', probabilities: { benign: 0.8, malignant: 0.2 } } : { value: 120 },
    latencyMs: 1,
    source: 'form',
    ...fields,
  };
}

/** A whole model version record of one of these models (artifacts and weights are placeholders). */
export function modelVersionOf(m: SummaryModel, fields: Partial<ModelVersion> = {}): ModelVersion {
  return {
    ...m,
    modelName: 'triage',
    version: 1,
    task: m.pipeline.target.kind === 'categorical' ? 'classification' : 'regression',
    artifacts: { format: 'tfjs-layers', modelTopology: {}, weightSpecs: [] },
    weightsHash: 'a'.repeat(64),
    weightsSize: 1,
    stage: 'production',
    schemaVersion: 1,
    appVersion: 'test',
    createdAt: Date.UTC(2026, 0, 1),
    ...fields,
  };
}
